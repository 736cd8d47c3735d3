"""EM label-frequency estimation, on made-up posteriors of a batch whose labels are skewed."""
import random

from benchmarks.prior_estimation import argmax_labels, estimate_priors, reweight, score_priors

LABELS = ["A", "B", "C"]


def skewed_batch(n: int = 600, seed: int = 0):
    """Posteriors under equal priors of texts drawn 70/20/10 from three overlapping labels."""
    import math

    rng, probs, gold = random.Random(seed), [], []
    for _ in range(n):
        label = rng.choices(LABELS, weights=[0.7, 0.2, 0.1])[0]
        centre = LABELS.index(label)
        x = rng.gauss(centre, 0.8)
        likelihood = [math.exp(-((x - c) ** 2) / (2 * 0.8 ** 2)) for c in range(3)]
        probs.append([v / sum(likelihood) for v in likelihood])
        gold.append(label)
    return probs, gold


def test_em_recovers_skewed_label_frequencies():
    probs, gold = skewed_batch()
    priors = estimate_priors(probs)
    assert abs(sum(priors) - 1) < 1e-9
    assert priors[0] > 0.6 and priors[2] < 0.15, priors
    assert estimate_priors([[0.5, 0.5], [0.5, 0.5]]) == [0.5, 0.5], "no evidence, no change"


def test_reweighting_by_the_estimate_gets_more_texts_right_on_a_skewed_batch():
    probs, gold = skewed_batch(seed=1)
    plain = argmax_labels(probs, LABELS)
    adjusted = argmax_labels(reweight(probs, estimate_priors(probs)), LABELS)
    right = lambda predicted: sum(p == g for p, g in zip(predicted, gold))  # noqa: E731
    assert right(adjusted) > right(plain)


def test_score_priors_reports_both_rows_on_all_texts_and_halves():
    probs, gold = skewed_batch(n=200, seed=2)
    out = score_priors(probs, gold, LABELS)
    assert out["n"] == 200 and set(out["priors"]) == {"all", "half_1", "half_2"}
    for row in out["macro_f"].values():
        assert set(row) == {"all", "half_1", "half_2"} and all(0 <= v <= 1 for v in row.values())
    assert abs(out["gold_frequencies"]["A"] - gold.count("A") / 200) < 1e-9
