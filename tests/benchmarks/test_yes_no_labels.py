"""Yes/no labelling: prompts per text and label, margins into label probabilities, the ensemble."""
import math

from benchmarks.datasets import Dataset
from benchmarks.yes_no_labels import score_ways, yes_no_distribution, yes_no_prompts

LABELS = ["A", "B"]


def test_one_prompt_per_text_and_label_naming_the_labels_description():
    ds = Dataset("toy", "textcat", "Sort texts.", {"A": "It is about apples.", "B": "It is about bees."}, [], [], [])
    prompts = yes_no_prompts(ds, ["one", "two"])
    assert len(prompts) == 4 and "Text: two" in prompts[2] and "Statement: It is about bees." in prompts[3]
    assert set(prompts[0].choices) == {"yes", "Yes", "no", "No"}


def test_the_label_whose_statement_is_more_surely_true_is_the_more_probable():
    sure, unsure = {"yes": 0.0, "Yes": -1.0, "no": -3.0, "No": -4.0}, {"yes": -2.0, "Yes": -3.0, "no": -0.5, "No": -1.0}
    probs = yes_no_distribution([unsure, sure])
    assert probs[1] > 0.9 and math.isclose(sum(probs), 1.0)


def test_the_ensemble_averages_calibrated_probabilities():
    gold = ["A", "B"] * 20
    right = [[0.9, 0.1] if g == "A" else [0.1, 0.9] for g in gold]
    wrong = [[0.4, 0.6] if g == "A" else [0.6, 0.4] for g in gold]  # less sure, always wrong
    rows = score_ways({"sure": right, "unsure": wrong}, gold, LABELS)
    assert rows["sure"]["all"] == 1.0 and rows["unsure"]["all"] == 0.0 and rows["ensemble"]["all"] == 1.0
