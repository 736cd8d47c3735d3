"""How far can any label-prior correction take the teacher? Re-score cached dev answers (issue #9).

    python -m benchmarks.teacher_techniques --variants cloze_batch --subset all   # fills the caches
    python -m benchmarks.calibration_ceiling [--datasets sst2 trec emotion]

Every calibration tried so far (content-free, batch, batch to a power) moves each label's log-
probability by one number per label. This finds the best such numbers that exist, by fitting a
log-bias per label to the gold labels (coordinate search maximising macro F) on top of the
default labeller's (`evokd.TextCatLabel.v6`) batch-calibrated distributions:

- on the same texts it is scored on: the ceiling of any label-prior correction of v6's answers.
  If it is no higher than batch calibration, only a teacher that ranks texts better can gain;
- fitted on one random half and scored on the other (each half's texts predicted with the other
  half's biases): what a labelled dev set of that size would buy, without fitting and scoring
  on the same texts;
- the same, but only where the fitting half's own check favours the biases (fitted on one half of
  its texts and scored on the other, both ways, against batch calibration), as a tool would have
  to decide without the texts it is scored on.

No teacher call is made. Writes benchmarks/results/calibration_ceiling.json and prints the table.
"""
import random
from pathlib import Path
from typing import Any, Dict, List, Sequence

from .calibration_strength import calibrate, macro_f, rescore_cached, rescore_cli, split_halves
from .neighbour_labels import default_label_probabilities
from .report import RESULTS
from .run import RUNS

GRID = [round(-3 + 0.1 * i, 1) for i in range(61)]  # log-bias values tried per label
SWEEPS = 4


def biased_predictions(logprobs: Sequence[Sequence[float]], bias: Sequence[float], labels: Sequence[str]) -> List[str]:
    """The label with the highest log-probability plus its bias, per text."""
    return [labels[max(range(len(labels)), key=lambda j: row[j] + bias[j])] for row in logprobs]


def fit_bias(logprobs: Sequence[Sequence[float]], gold: Sequence[str], labels: Sequence[str]) -> List[float]:
    """Per-label log-biases (the first label's fixed at 0) maximising macro F on these texts, by
    coordinate search over GRID; ties keep the smaller change, so no bias is moved without gain."""
    bias = [0.0] * len(labels)
    best = macro_f(biased_predictions(logprobs, bias, labels), gold, labels)
    for _ in range(SWEEPS):
        moved = False
        for j in range(1, len(labels)):
            for value in GRID:
                trial = bias[:j] + [value] + bias[j + 1:]
                score = macro_f(biased_predictions(logprobs, trial, labels), gold, labels)
                if score > best:
                    best, bias, moved = score, trial, True
        if not moved:
            break
    return bias


def biases_pay_off(logprobs: Sequence[Sequence[float]], gold: Sequence[str], labels: Sequence[str], seed: int = 1) -> bool:
    """Whether biases fitted on one half of these texts beat no bias on the other half (both ways, pooled)."""
    order = list(range(len(gold)))
    random.Random(seed).shuffle(order)
    halves, predicted = (order[::2], order[1::2]), {}
    for fit_on, apply_to in (halves, halves[::-1]):
        bias = fit_bias([logprobs[i] for i in fit_on], [gold[i] for i in fit_on], labels)
        predicted.update(zip(apply_to, biased_predictions([logprobs[i] for i in apply_to], bias, labels)))
    crossed = macro_f([predicted[i] for i in order], [gold[i] for i in order], labels)
    return crossed > macro_f(biased_predictions(logprobs, [0.0] * len(labels), labels), gold, labels)


def score_ceiling(probs: List[List[float]], gold: List[str], labels: List[str]) -> Dict[str, Any]:
    """Macro F of batch calibration, of the best biases fitted on the scored texts, and of biases
    fitted on the other half (always, or where its own check favours them); on all texts and two
    random halves (each calibrated on its own)."""
    import math

    parts = split_halves(len(gold))
    logs = {part: [[math.log(max(p, 1e-12)) for p in row] for row in calibrate([probs[i] for i in index], 1.0)]
            for part, index in parts.items()}
    golds = {part: [gold[i] for i in index] for part, index in parts.items()}
    fitted = {part: fit_bias(logs[part], golds[part], labels) for part in parts}
    trusted = {part: biases_pay_off(logs[part], golds[part], labels) for part in ("half_1", "half_2")}
    rows = ("batch calibration", "bias fitted on these texts", "bias fitted on the other half", "checked other-half bias")
    out: Dict[str, Any] = {"n": len(gold), "macro_f": {row: {} for row in rows}, "checks_out": trusted,
                           "bias": {part: dict(zip(labels, bias)) for part, bias in fitted.items()}}
    for part in parts:
        out["macro_f"]["batch calibration"][part] = macro_f(biased_predictions(logs[part], [0.0] * len(labels), labels), golds[part], labels)
        out["macro_f"]["bias fitted on these texts"][part] = macro_f(biased_predictions(logs[part], fitted[part], labels), golds[part], labels)
    other = {"half_1": "half_2", "half_2": "half_1"}
    no_bias = [0.0] * len(labels)
    for row, use in ((rows[2], lambda part: True), (rows[3], lambda part: trusted[other[part]])):
        crossed = {part: biased_predictions(logs[part], fitted[other[part]] if use(part) else no_bias, labels) for part in other}
        for part in other:
            out["macro_f"][row][part] = macro_f(crossed[part], golds[part], labels)
        out["macro_f"][row]["all"] = macro_f(crossed["half_1"] + crossed["half_2"], golds["half_1"] + golds["half_2"], labels)
    return out


def main(names: List[str], data: Path, runs: Path = RUNS, results: Path = RESULTS) -> Dict[str, Any]:
    """Score the four on each dataset's cached dev answers; write and print the table."""
    return rescore_cached(names, data, runs, Path(results) / "calibration_ceiling.json", "labelling", default_label_probabilities,
                          lambda ds, found: score_ceiling(found["probs"], found["gold"], list(ds.labels)))


if __name__ == "__main__":
    args = rescore_cli(__doc__, ["sst2", "trec", "emotion"])
    main(args.datasets, args.data)
