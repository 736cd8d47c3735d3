"""Prototypical calibration of the teacher's label distributions? Re-score cached answers (issue #9).

    python -m benchmarks.teacher_techniques --variants cloze_batch --subset all   # fills the caches
    python -m benchmarks.prototype_calibration [--datasets sst2 trec emotion] [--subset dev|train]

Batch calibration moves every label's probability by one number. Prototypical calibration (Han
et al., 2022) instead learns where each label's texts lie in the space of the teacher's output
distributions: a Gaussian mixture with one component per label is fitted to the label-probability
vectors of the call's texts (no gold label), each component is given the label its mean favours
(a one-to-one assignment maximising the summed mean probabilities), and a text takes the label of
its most probable component. Settings fixed before the first run: the default labeller's
(`evokd.TextCatLabel.v6`) uncalibrated probabilities, full covariances with reg_covar 1e-4,
k-means initialisation, 5 restarts, random_state 0. Scored on the whole dev split and its two
random halves (each fitted on its own texts), or with `--subset train` on the 500 training
questions the teacher-alone benchmark's `--subset train` labelled. No teacher call is made.
Writes benchmarks/results/prototype_calibration[_train].json and prints the table.
"""
from pathlib import Path
from typing import Any, Dict, List, Sequence

from .calibration_strength import calibrate, macro_f, rescore_cli, split_halves
from .prior_estimation import argmax_labels, rescore_default
from .report import RESULTS
from .run import RUNS

REG_COVAR, N_INIT, SEED = 1e-4, 5, 0


def prototype_labels(probs: Sequence[Sequence[float]], labels: Sequence[str]) -> List[str]:
    """Each text's label by prototypical calibration: a K-component Gaussian mixture over the
    probability vectors, components matched one-to-one to labels by their means."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment
    from sklearn.mixture import GaussianMixture

    x = np.asarray(probs, dtype=float)
    mixture = GaussianMixture(n_components=len(labels), covariance_type="full", reg_covar=REG_COVAR, n_init=N_INIT,
                              random_state=SEED).fit(x)
    components, assigned = linear_sum_assignment(-mixture.means_)  # component i -> label assigned[i]
    label_of = {int(c): labels[int(j)] for c, j in zip(components, assigned)}
    return [label_of[int(c)] for c in mixture.predict(x)]


def score_prototypes(probs: List[List[float]], gold: List[str], labels: List[str]) -> Dict[str, Any]:
    """Macro F of batch calibration and of prototypical calibration, on all texts and two random halves."""
    rows: Dict[str, Dict[str, float]] = {"batch calibration": {}, "prototypical calibration": {}}
    for part, index in split_halves(len(gold)).items():
        mine, golds = [probs[i] for i in index], [gold[i] for i in index]
        rows["batch calibration"][part] = macro_f(argmax_labels(calibrate(mine, 1.0), labels), golds, labels)
        rows["prototypical calibration"][part] = macro_f(prototype_labels(mine, labels), golds, labels)
    return {"n": len(gold), "macro_f": rows}


def main(names: List[str], data: Path, subset: str = "dev", runs: Path = RUNS, results: Path = RESULTS) -> Dict[str, Any]:
    """Score both on each dataset's cached answers; write and print the table."""
    return rescore_default("prototype_calibration", score_prototypes, names, data, subset, runs, results)


if __name__ == "__main__":
    args = rescore_cli(__doc__, ["sst2", "trec", "emotion"], subsets=("dev", "train"))
    main(args.datasets, args.data, args.subset)
