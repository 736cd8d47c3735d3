"""How strong should batch calibration be? Re-score the teacher's cached dev answers (issue #9).

    python -m benchmarks.teacher_techniques --variants cloze_batch --subset all   # fills the caches
    python -m benchmarks.calibration_strength [--datasets sst2 trec emotion]

`evokd.TextCatLabel.v5` divides each text's label probabilities by their mean over the call's
texts (batch calibration), which assumes that the labels of a call are about equally frequent.
Dev splits are not (TREC-6 has 10 abbreviation questions in 545). This divides by the mean to
the power alpha instead (0: no calibration, 1: v5's) and scores every alpha on the whole dev
split, and on its two random halves (calibrated within each half), from the answers the
teacher-alone benchmark cached: no teacher call is made. Writes
benchmarks/results/calibration_strength.json and prints the table.
"""
import argparse
import json
import random
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence, Tuple

from wasabi import msg

from . import datasets
from .report import RESULTS
from .run import RUNS

ALPHAS = (0.0, 0.5, 0.75, 1.0, 1.25, 1.5)


def cached_scores(cache: Path) -> Dict[str, Dict[str, float]]:
    """Prompt -> verbaliser log-probabilities, for every scored answer in a teacher cache. Variants
    that score other words after the same prompt (v5 with other verbalisers) have their own cache
    entries; a word's log-probability after a prompt is the same in each, so they are merged."""
    out: Dict[str, Dict[str, float]] = {}
    for path in Path(cache).glob("*/*.json"):
        entry = json.loads(path.read_text(encoding="utf8"))
        if entry.get("scores"):
            out.setdefault(entry["prompt"], {}).update(entry["scores"])
    return out


def label_probabilities(ds: datasets.Dataset, scores: Dict[str, Dict[str, float]]) -> Tuple[List[List[float]], List[str]]:
    """Uncalibrated v5 label probabilities of each dev text whose prompt is cached, and its gold label."""
    import spacy

    from evokd_spacy.registry import registry

    task = registry.llm_tasks.get("evokd.TextCatLabel.v5")(labels=ds.labels, description=ds.description)
    nlp, labels = spacy.blank("en"), list(ds.labels)
    probs, gold = [], []
    for sample in ds.dev:
        found = scores.get(str(task.prompt_for(nlp.make_doc(sample.text))))
        if found is None:
            continue
        probs.append(label_distribution(task, found, labels))
        gold.append(sample.labels[0])
    return probs, gold


def label_distribution(task: Any, scores: Dict[str, float], labels: Sequence[str]) -> List[float]:
    """A verbalising task's uncalibrated label probabilities for one cached answer, in `labels` order."""
    from evokd_spacy.llm_io import softmax

    probs = softmax(task.label_scores(scores))
    return [probs[label] for label in labels]


def calibrate(probs: Sequence[Sequence[float]], alpha: float) -> List[List[float]]:
    """Divide each row by the column means to the power alpha and renormalise (alpha 1: batch calibration)."""
    means = [sum(row[j] for row in probs) / len(probs) for j in range(len(probs[0]))]
    out = []
    for row in probs:
        raw = [p / max(m, 1e-9) ** alpha for p, m in zip(row, means)]
        out.append([r / sum(raw) for r in raw])
    return out


def macro_f(predicted: Sequence[str], gold: Sequence[str], labels: Sequence[str]) -> float:
    """Mean over labels of F1 (a label never predicted nor present scores 0, as in spaCy's textcat scorer)."""
    scores = []
    for label in labels:
        tp = sum(p == label == g for p, g in zip(predicted, gold))
        fp = sum(p == label != g for p, g in zip(predicted, gold))
        fn = sum(g == label != p for p, g in zip(predicted, gold))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def split_halves(n: int) -> Dict[str, List[int]]:
    """Indices of n texts: all of them, and two fixed random halves."""
    order = list(range(n))
    random.Random(0).shuffle(order)
    return {"all": order, "half_1": order[: n // 2], "half_2": order[n // 2:]}


def score_alphas(probs: List[List[float]], gold: List[str], labels: List[str], alphas: Sequence[float] = ALPHAS) -> Dict[str, Any]:
    """Macro F per alpha on all texts and on two random halves, each calibrated on its own texts."""
    parts = split_halves(len(probs))
    rows = {}
    for alpha in alphas:
        rows[str(alpha)] = {}
        for part, index in parts.items():
            calibrated = calibrate([probs[i] for i in index], alpha)
            predicted = [labels[max(range(len(labels)), key=row.__getitem__)] for row in calibrated]
            rows[str(alpha)][part] = macro_f(predicted, [gold[i] for i in index], labels)
    return {"n": len(probs), "macro_f": rows}


def teacher_cache(runs: Path, name: str) -> Path:
    """The teacher cache of the teacher-alone benchmark's runs on one dataset (1 shot, seed 0)."""
    return Path(runs) / "quick" / name / "k1_s0" / "teacher_cache"


def save_rescored(out: Dict[str, Any], path: Path, what: str) -> None:
    """Write re-scored macro F (per dataset, per `what`: all texts and two halves) as JSON and print it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2) + "\n")
    rows = [(name, key, r["n"], *(f"{by[p]:.3f}" for p in ("all", "half_1", "half_2"))) for name, r in out.items() for key, by in r["macro_f"].items()]
    msg.table(rows, header=("dataset", what, "n", "macro F", "half 1", "half 2"), divider=True)


def rescore_cached(names: List[str], data: Path, runs: Path, out_file: Path, what: str,
                   read: Callable[[datasets.Dataset, Dict[str, Dict[str, float]]], Dict[str, Any]],
                   score: Callable[[datasets.Dataset, Dict[str, Any]], Dict[str, Any]],
                   prepare: Callable[[datasets.Dataset], datasets.Dataset] = lambda ds: ds) -> Dict[str, Any]:
    """The re-scoring benchmarks' loop: per dataset, `read` the cached dev answers (a dict with
    "gold"), `score` them, then write and print the table (`what` heads its second column).
    `prepare` may swap the texts scored in for dev (they stand in `ds.dev`)."""
    out = {}
    for name in names:
        ds = prepare(datasets.load(name, data))
        found = read(ds, cached_scores(teacher_cache(runs, name)))
        if len(found["gold"]) < len(ds.dev):
            msg.warn(f"{name}: {len(found['gold'])} of {len(ds.dev)} dev texts have every answer cached; run the "
                     "teacher_techniques command in this benchmark's docstring first")
        if found["gold"]:
            out[name] = score(ds, found)
    save_rescored(out, out_file, what)
    return out


def rescore_cli(doc: str, default_datasets: List[str], subsets: Sequence[str] = (), n: int = 0) -> argparse.Namespace:
    """Command-line arguments of a re-scoring benchmark: --datasets and --data (and --subset, if
    it names `subsets`, the first the default; and --n, if `n` gives its default)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="*", default=default_datasets)
    parser.add_argument("--data", type=Path, default=datasets.ROOT.parent / "shared" / "data")
    if subsets:
        parser.add_argument("--subset", choices=list(subsets), default=subsets[0])
    if n:
        parser.add_argument("--n", type=int, default=n)
    return parser.parse_args()


def main(names: List[str], data: Path, runs: Path = RUNS, results: Path = RESULTS) -> Dict[str, Any]:
    """Score every alpha on each dataset's cached dev answers; write and print the table."""
    def read(ds: datasets.Dataset, scores: Dict[str, Dict[str, float]]) -> Dict[str, Any]:
        probs, gold = label_probabilities(ds, scores)
        return {"probs": probs, "gold": gold}

    return rescore_cached(names, data, runs, Path(results) / "calibration_strength.json", "alpha", read,
                          lambda ds, found: score_alphas(found["probs"], found["gold"], list(ds.labels)))


if __name__ == "__main__":
    args = rescore_cli(__doc__, ["sst2", "trec", "emotion"])
    main(args.datasets, args.data)
