"""Choosing the labelling confidence threshold on dev."""
from evokd_spacy.loop.threshold import choose_threshold, confidence_table


def test_table_counts_kept_answers_and_their_accuracy():
    table = {row["threshold"]: row for row in confidence_table([0.55, 0.7, 0.9, 0.95, None], [False, True, True, True, False])}
    assert table[0.0]["kept"] == 1.0 and table[0.0]["accuracy"] == 0.75 and table[0.0]["n"] == 4
    assert table[0.6]["kept"] == 0.75 and table[0.6]["accuracy"] == 1.0
    assert table[0.95]["n"] == 1 and confidence_table([], [])[0]["accuracy"] is None


def test_choose_the_lowest_threshold_that_reaches_the_target():
    table = confidence_table([0.55, 0.7, 0.9, 0.95], [False, True, True, True])
    assert choose_threshold(table, target=0.9) == 0.6
    assert choose_threshold(table, target=0.7) == 0.0
    noisy = confidence_table([0.55, 0.6, 0.9, 0.99], [True, False, False, True])
    assert choose_threshold(noisy, target=0.9, min_kept=0.25) == 0.95  # never 90% right: the most accurate usable one
    assert choose_threshold(noisy, target=0.9, min_kept=1.1) is None
