"""The label-bias ceiling, on made-up distributions whose second label is scored too low."""
import random

from benchmarks.calibration_ceiling import biased_predictions, fit_bias, score_ceiling

LABELS = ["A", "B"]


def shifted_texts(n: int = 200, seed: int = 0):
    """Probabilities of texts whose true label leads by a margin, with B's log-probability lowered by 1.5."""
    import math

    rng, probs, gold = random.Random(seed), [], []
    for i in range(n):
        label = LABELS[i % 2]
        margin = rng.uniform(0.2, 2.0)
        logit_b = (margin if label == "B" else -margin) - 1.5
        p_b = 1 / (1 + math.exp(-logit_b))
        probs.append([1 - p_b, p_b])
        gold.append(label)
    return probs, gold


def test_fit_bias_undoes_a_shift_and_never_moves_without_gain():
    import math

    probs, gold = shifted_texts()
    logs = [[math.log(p) for p in row] for row in probs]
    assert biased_predictions(logs, [0.0, 0.0], LABELS).count("B") < 60, "the shift hides most B texts"
    bias = fit_bias(logs, gold, LABELS)
    assert bias[0] == 0.0 and 1.0 <= bias[1] <= 2.5
    assert biased_predictions(logs, bias, LABELS) == gold
    assert fit_bias([[0.0, -5.0], [-5.0, 0.0]], ["A", "B"], LABELS) == [0.0, 0.0]


def test_score_ceiling_reports_all_three_on_all_texts_and_halves():
    probs, gold = shifted_texts(seed=1)
    out = score_ceiling(probs, gold, LABELS)
    rows = out["macro_f"]
    assert out["n"] == 200 and set(out["bias"]) == {"all", "half_1", "half_2"}
    for part in ("all", "half_1", "half_2"):
        assert rows["bias fitted on these texts"][part] >= rows["batch calibration"][part]
        assert 0.0 <= rows["bias fitted on the other half"][part] <= 1.0
    assert rows["bias fitted on the other half"]["all"] > 0.9, "a shift shared by both halves transfers"


def test_biases_are_trusted_only_where_they_pay_off_on_held_out_texts():
    import math

    from benchmarks.calibration_ceiling import biases_pay_off

    probs, gold = shifted_texts(seed=2)
    logs = [[math.log(p) for p in row] for row in probs]
    assert biases_pay_off(logs, gold, LABELS), "a shift shared by all texts is worth undoing"
    fair = [[math.log(0.5 + d), math.log(0.5 - d)] for d in (0.1, -0.1) * 50]
    assert not biases_pay_off(fair, ["A", "B"] * 50, LABELS), "nothing to gain where no bias is needed"
