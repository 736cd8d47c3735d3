"""Prototypical calibration on made-up distributions whose clusters sit off the argmax border."""
import random

from benchmarks.prototype_calibration import prototype_labels, score_prototypes

LABELS = ["A", "B"]


def shifted(n=300, seed=0):
    """Texts of A near p(A) = 0.9 and of B near p(A) = 0.6: argmax calls every text A."""
    rng, probs, gold = random.Random(seed), [], []
    for i in range(n):
        label = LABELS[i % 2]
        p = min(0.99, max(0.51, rng.gauss(0.9 if label == "A" else 0.6, 0.03)))
        probs.append([p, 1 - p])
        gold.append(label)
    return probs, gold


def test_components_find_the_two_groups_and_take_the_labels_their_means_favour_most():
    probs, gold = shifted()
    predicted = prototype_labels(probs, LABELS)
    assert sum(p == g for p, g in zip(predicted, gold)) > 0.95 * len(gold)


def test_score_prototypes_reports_both_rows_on_all_texts_and_halves():
    probs, gold = shifted(n=200, seed=1)
    out = score_prototypes(probs, gold, LABELS)
    assert out["n"] == 200 and set(out["macro_f"]) == {"batch calibration", "prototypical calibration"}
    assert all(set(row) == {"all", "half_1", "half_2"} for row in out["macro_f"].values())
