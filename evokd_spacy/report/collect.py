"""Read a run folder into plain data (lists and dicts) for the plots and the markdown."""
from collections import Counter
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from ..errors import DataError
from ..loop.model_best import best_line
from ..loop.state import RunFolder
from ..review.store import read_batch
from ..util.io import read_json, read_jsonl_lenient

if TYPE_CHECKING:
    from spacy.tokens import Doc

NO_LABEL = "(none)"


def read_rounds(folder: RunFolder) -> List[Dict[str, Any]]:
    """The metrics lines of the finished rounds, sorted by round; a DataError if there are none."""
    if not folder.output.exists():
        raise DataError(f"No run folder at {folder.output}: run `evokd run` first, or give the right output folder.")
    if not folder.metrics.exists():
        raise DataError(f"No metrics in {folder.output}: {folder.metrics.name} is missing, so no round has finished yet.")
    metrics = sorted(folder.counted_metrics(), key=lambda m: m["round"])
    if not metrics:
        raise DataError(f"No finished round in {folder.output}: {folder.metrics} is empty.")
    return metrics


def detect_kind(folder: RunFolder) -> str:
    """`textcat` or `ner`: from run.json's settings, else model-best's pipeline, else the corpus spans."""
    run_json = folder.output / "run.json"
    if run_json.exists():
        kind = read_json(run_json).get("settings", {}).get("task.kind")
        if kind in ("textcat", "ner"):
            return kind
    meta = folder.model_best / "meta.json"
    if meta.exists():
        pipeline = read_json(meta).get("pipeline", [])
        if "ner" in pipeline:
            return "ner"
        if any(name.startswith("textcat") for name in pipeline):
            return "textcat"
    rows = read_jsonl_lenient(folder.round_jsonl(0))
    return "ner" if any(row.get("spans") for row in rows) else "textcat"


def is_exclusive(folder: RunFolder) -> bool:
    """Whether the textcat labels are mutually exclusive (run.json's `task.exclusive`, default True)."""
    run_json = folder.output / "run.json"
    if run_json.exists():
        return bool(read_json(run_json).get("settings", {}).get("task.exclusive", True))
    return True


def kept_per_label(folder: RunFolder, rounds: List[int], kind: str) -> Dict[int, Dict[str, int]]:
    """Samples kept per label in each round: textcat counts labels, NER counts entity spans."""
    counts: Dict[int, Dict[str, int]] = {}
    for r in rounds:
        counter: Counter = Counter()
        for sample in read_batch(folder, r):  # with imported reviews applied, as the student trained on them
            if kind == "ner":
                counter.update(span[2] for span in sample.spans or [])
            else:
                counter.update(sample.labels or [])
        counts[r] = dict(counter)
    return counts


def label_order(metrics: List[Dict[str, Any]], kept: Dict[int, Dict[str, int]], kind: str = "textcat") -> List[str]:
    """Every label seen in the per-label scores or the kept samples: textcat in the label set's
    order (first appearance), NER sorted (the scorer's entity types come in no fixed order)."""
    labels: List[str] = []
    for m in metrics:
        labels += [label for label in m.get("per_label") or {} if label not in labels]
    for counts in kept.values():
        labels += sorted(label for label in counts if label not in labels)
    return sorted(labels) if kind == "ner" else labels


def token_totals(metrics: List[Dict[str, Any]]) -> Dict[str, List[int]]:
    """Teacher tokens per round and cumulated over the rounds (prompt + completion)."""
    per_round = [int(m["teacher"].get("prompt_tokens", 0)) + int(m["teacher"].get("completion_tokens", 0)) for m in metrics]
    return {"per_round": per_round, "cumulative": list(accumulate(per_round))}


def run_summary(folder: RunFolder, metrics: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Rounds, best round and score, teacher calls and tokens, wall time by part, teacher-alone score."""
    best = best_line(metrics)
    teacher = {key: sum(int(m["teacher"].get(key, 0) or 0) for m in metrics) for key in ("calls", "cached", "retries", "prompt_tokens", "completion_tokens")}
    seconds = {key: sum(float(m.get("seconds", {}).get(key, 0.0)) for m in metrics) for key in ("teacher", "training", "other")}
    meta_path = folder.model_best / "meta.json"
    evokd = read_json(meta_path).get("evokd", {}) if meta_path.exists() else {}
    teacher_eval = folder.output / "teacher_eval.json"
    return {
        "unfinished": unfinished_use(folder, metrics, teacher),
        "rounds": metrics[-1]["round"],
        "best_round": best["round"],
        "best_score": best["dev_score"],
        "teacher": teacher,
        "paid_calls": int((metrics[-1].get("ledger") or {}).get("calls", teacher["calls"])),
        "tokens": teacher["prompt_tokens"] + teacher["completion_tokens"],
        "seconds": seconds,
        "teacher_name": evokd.get("teacher"),
        "model_best_round": evokd.get("best_round"),
        "teacher_alone": read_json(teacher_eval).get("score") if teacher_eval.exists() else None,
    }


def unfinished_use(folder: RunFolder, metrics: List[Dict[str, Any]], teacher: Dict[str, int]) -> Dict[str, int]:
    """Calls and tokens paid in the round under way, after the last finished round (zeros when no
    round is under way). The ledger counts every call paid; a metrics line records the ledger as it
    stood when its round finished. Lines from before that record fall back to the rounds' sum,
    which counts calls a resume read back from the cache (as cached) as unfinished."""
    following = metrics[-1]["round"] + 1  # a round under way, not a finished one left out ([loop] rounds lowered)
    recorded = folder.recorded_rounds()
    in_progress = (folder.round_dir(following).exists() and (recorded is None or following <= recorded)
                   and following not in {m.get("round") for m in folder.read_metrics()})
    if not (in_progress and folder.ledger.exists()):
        return {"calls": 0, "tokens": 0}
    spent = read_json(folder.ledger)
    before = metrics[-1].get("ledger") or {"calls": teacher["calls"], "tokens": teacher["prompt_tokens"] + teacher["completion_tokens"]}
    return {key: max(0, int(spent.get(key, 0)) - int(before.get(key, 0))) for key in ("calls", "tokens")}


def _argmax(cats: Dict[str, float]) -> str:
    return max(cats, key=cats.get) if cats and max(cats.values()) > 0 else NO_LABEL


def confusion_matrix(gold: List["Doc"], predicted: List["Doc"], multilabel: bool = False) -> Dict[str, Any]:
    """Counts of (gold, predicted) label pairs over the docs; rows are gold, columns predicted.

    Exclusive: each doc's top label on both sides; accuracy is the share on the diagonal.
    Multi-label: the labels at the student's 0.5 threshold, each doc counted once for every pair
    of its gold and predicted labels; accuracy is exact match of the two sets. A side without
    any label counts as `(none)`."""
    from ..tasks.textcat.kind import predicted_labels

    labels = list(predicted[0].cats) if predicted else []
    labels += sorted({label for doc in gold for label in doc.cats} - set(labels))
    if multilabel:
        sets = [(predicted_labels(g.cats, False) or [NO_LABEL], predicted_labels(p.cats, False) or [NO_LABEL]) for g, p in zip(gold, predicted)]
    else:
        sets = [([_argmax(g.cats)], [_argmax(p.cats)]) for g, p in zip(gold, predicted)]
    if any(NO_LABEL in g + p for g, p in sets):
        labels.append(NO_LABEL)
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for golds, preds in sets:
        for g in golds:
            for p in preds:
                matrix[index[g]][index[p]] += 1
    correct = sum(set(g) == set(p) for g, p in sets)
    return {"labels": labels, "matrix": matrix, "n": len(sets), "accuracy": correct / len(sets) if sets else 0.0}


def ner_error_kinds(gold: List["Doc"], predicted: List["Doc"]) -> Dict[str, Any]:
    """Error kinds per label (missed, spurious, wrong_type, wrong_boundary) of the predicted entities."""
    from ..tasks.ner.analyse import ERROR_KINDS, count_error_kinds

    rows = [
        {
            "gold_spans": [[e.start_char, e.end_char, e.label_] for e in g.ents],
            "pred_spans": [[e.start_char, e.end_char, e.label_] for e in p.ents],
        }
        for g, p in zip(gold, predicted)
    ]
    found = {row["label"]: row for row in count_error_kinds(rows)}
    labels = sorted({s[2] for row in rows for s in row["gold_spans"] + row["pred_spans"]} | set(found))
    errors = [found.get(label, {"label": label, **dict.fromkeys(ERROR_KINDS, 0)}) for label in labels]
    exact = sum(len({tuple(s) for s in r["gold_spans"]} & {tuple(s) for s in r["pred_spans"]}) for r in rows)
    n_gold = sum(len(r["gold_spans"]) for r in rows)
    return {"labels": labels, "errors": errors, "n": len(rows), "n_gold": n_gold, "exact": exact}


def collect_run(output: Path, corpus: Path) -> Dict[str, Any]:
    """Everything the report shows, except the final model's analysis (see `final_analysis`)."""
    folder = RunFolder(output, corpus)
    metrics = read_rounds(folder)
    kind = detect_kind(folder)
    rounds = [m["round"] for m in metrics]
    kept = kept_per_label(folder, rounds, kind)
    labels = label_order(metrics, kept, kind)
    per_label_f = {label: [(m.get("per_label") or {}).get(label, {}).get("f") for m in metrics] for label in labels}
    return {
        "output": str(folder.output),
        "corpus": str(folder.corpus),
        "kind": kind,
        "metrics": metrics,
        "rounds": rounds,
        "dev_scores": [m["dev_score"] for m in metrics],
        "labels": labels,
        "per_label_f": per_label_f,
        "kept_per_label": kept,
        "tokens": token_totals(metrics),
        "summary": run_summary(folder, metrics),
    }


def final_analysis(output: Path, corpus: Path, kind: Optional[str] = None) -> Dict[str, Any]:
    """model-best on dev: a confusion matrix (textcat) or error kinds per label (NER).

    Returns {"available": False, "reason": ...} when model-best or the dev data is missing or unloadable.
    """
    folder = RunFolder(output, corpus)
    kind = kind or detect_kind(folder)
    if not (folder.model_best / "meta.json").exists():
        return {"available": False, "reason": f"no model-best in {folder.output}"}
    if not folder.dev_docbin.exists():
        return {"available": False, "reason": f"no dev data at {folder.dev_docbin}"}
    import spacy
    from spacy.tokens import DocBin

    try:
        nlp = spacy.load(folder.model_best)
    except Exception as err:  # a model that needs a package this machine lacks, a damaged copy...
        return {"available": False, "reason": f"model-best could not be loaded ({type(err).__name__}: {err})"}
    gold = list(DocBin().from_disk(folder.dev_docbin).get_docs(nlp.vocab))
    predicted = list(nlp.pipe(doc.text for doc in gold))
    if kind == "ner":
        return {"available": True, "kind": "ner", **ner_error_kinds(gold, predicted)}
    multilabel = "textcat_multilabel" in nlp.pipe_names or not is_exclusive(folder)
    return {"available": True, "kind": "textcat", "multilabel": multilabel, **confusion_matrix(gold, predicted, multilabel)}
