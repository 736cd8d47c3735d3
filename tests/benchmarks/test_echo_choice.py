"""The echo choice on made-up answers: reading twice is better on one dataset and worse on another."""
import random

from benchmarks.echo_choice import score_choice

LABELS = ["A", "B"]


def answers(twice_better: bool, n=300, seed=0):
    rng = random.Random(seed)
    gold = [LABELS[i % 2] for i in range(n)]

    def way(accuracy):
        return [[0.8, 0.2] if (g == "A") == (rng.random() < accuracy) else [0.2, 0.8] for g in gold]

    good, bad = way(0.9), way(0.6)
    return {"gold": gold, "once": bad if twice_better else good, "twice": good if twice_better else bad}


def test_the_choice_follows_the_better_reading_and_scores_it_on_other_texts():
    better = score_choice(answers(True), LABELS, n=100, draws=10)
    assert better["echo_chosen"] == 10 and better["macro_f_rest"]["chosen"]["mean"] == better["macro_f_rest"]["twice"]["mean"]
    worse = score_choice(answers(False), LABELS, n=100, draws=10)
    assert worse["echo_chosen"] == 0 and worse["macro_f_rest"]["chosen"]["mean"] == worse["macro_f_rest"]["once"]["mean"]
