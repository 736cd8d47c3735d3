"""Can the labels' frequencies be estimated instead of assumed equal? Re-score cached answers (issue #9).

    python -m benchmarks.teacher_techniques --variants cloze_batch --subset all   # fills the caches
    python -m benchmarks.prior_estimation [--datasets sst2 trec emotion] [--subset dev|train]

Batch calibration (`evokd.TextCatLabel.v5`/`v6`) divides each label's probability by its mean
over the call's texts, which is right when the labels of a call are about equally frequent. A dev
split's are not (TREC-6 has 10 abbreviation questions in 545), and the best label biases fitted
on the gold labels (`calibration_ceiling`) are worth 8.5 points on TREC-6. This estimates the
call's label frequencies from the teacher's own answers, without any gold label, by expectation-
maximisation (Saerens, Latinne and Decaestecker, 2002): treat the batch-calibrated distributions
as posteriors under equal priors, set each label's prior to the mean of the current posteriors,
re-weight the batch-calibrated distributions by it, and repeat until the priors settle.

The method and its settings (start from equal priors, stop after 100 rounds or a change under
1e-6) were fixed before its first run. Scores the default labeller's answers on the whole dev
split and its two random halves (each estimated on its own texts), or with `--subset train` on
the 500 training questions the teacher-alone benchmark's `--subset train` labelled. No teacher
call is made. Writes benchmarks/results/prior_estimation[_train].json and prints the table.
"""
import dataclasses
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence

from . import datasets
from .calibration_strength import calibrate, macro_f, rescore_cached, rescore_cli, split_halves
from .neighbour_labels import default_label_probabilities
from .report import RESULTS
from .run import RUNS
from .teacher_techniques import train_sample

MAX_ROUNDS, TOLERANCE = 100, 1e-6


def estimate_priors(posteriors: Sequence[Sequence[float]]) -> List[float]:
    """The label frequencies that EM finds for distributions computed under equal priors."""
    n_labels = len(posteriors[0])
    priors = [1.0 / n_labels] * n_labels
    for _ in range(MAX_ROUNDS):
        adjusted = reweight(posteriors, priors)
        new = [sum(row[j] for row in adjusted) / len(adjusted) for j in range(n_labels)]
        change = max(abs(a - b) for a, b in zip(new, priors))
        priors = new
        if change < TOLERANCE:
            break
    return priors


def reweight(posteriors: Sequence[Sequence[float]], priors: Sequence[float]) -> List[List[float]]:
    """Each row multiplied by the priors (against equal priors) and renormalised."""
    out = []
    for row in posteriors:
        raw = [p * q for p, q in zip(row, priors)]
        total = sum(raw) or 1.0
        out.append([r / total for r in raw])
    return out


def argmax_labels(rows: Sequence[Sequence[float]], labels: Sequence[str]) -> List[str]:
    """The most probable label of each row."""
    return [labels[max(range(len(labels)), key=row.__getitem__)] for row in rows]


def score_priors(probs: List[List[float]], gold: List[str], labels: List[str]) -> Dict[str, Any]:
    """Macro F of batch calibration and of batch calibration re-weighted by EM's priors, on all
    texts and on two random halves (each calibrated and estimated on its own texts)."""
    rows: Dict[str, Dict[str, float]] = {"batch calibration": {}, "batch calibration + EM priors": {}}
    priors = {}
    for part, index in split_halves(len(gold)).items():
        calibrated = calibrate([probs[i] for i in index], 1.0)
        golds = [gold[i] for i in index]
        priors[part] = estimate_priors(calibrated)
        rows["batch calibration"][part] = macro_f(argmax_labels(calibrated, labels), golds, labels)
        rows["batch calibration + EM priors"][part] = macro_f(argmax_labels(reweight(calibrated, priors[part]), labels), golds, labels)
    true = {label: gold.count(label) / len(gold) for label in labels}
    return {"n": len(gold), "macro_f": rows, "priors": {part: dict(zip(labels, p)) for part, p in priors.items()}, "gold_frequencies": true}


def rescore_default(name: str, score: Callable[[List[List[float]], List[str], List[str]], Dict[str, Any]], names: List[str],
                    data: Path, subset: str, runs: Path, results: Path) -> Dict[str, Any]:
    """Re-score the default labeller's cached answers with `score(probs, gold, labels)`, on dev or
    (`subset` "train") on the 500 training texts `teacher_techniques --subset train` labelled;
    writes results/<name>[_train].json and prints the table."""
    def prepare(ds: datasets.Dataset) -> datasets.Dataset:
        return dataclasses.replace(ds, dev=train_sample(ds, 500, 1)) if subset == "train" else ds

    out = Path(results) / (name + ("_train" if subset == "train" else "") + ".json")
    return rescore_cached(names, data, runs, out, "labelling", default_label_probabilities,
                          lambda ds, found: score(found["probs"], found["gold"], list(ds.labels)), prepare)


def main(names: List[str], data: Path, subset: str = "dev", runs: Path = RUNS, results: Path = RESULTS) -> Dict[str, Any]:
    """Score both on each dataset's cached answers; write and print the table."""
    return rescore_default("prior_estimation", score_priors, names, data, subset, runs, results)


if __name__ == "__main__":
    args = rescore_cli(__doc__, ["sst2", "trec", "emotion"], subsets=("dev", "train"))
    main(args.datasets, args.data, args.subset)
