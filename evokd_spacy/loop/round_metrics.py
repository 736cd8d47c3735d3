"""A finished round's metrics line: the student's dev score, the data kept, teacher use and time."""
from typing import Any, Dict, Optional

from ..teachers.budget import TeacherUsage
from ..ty import TaskKind
from ..util.io import read_json
from .state import RunFolder

STEPS = ("predict", "analyse", "generate", "check", "label", "select", "revise", "filter", "train")


def round_metrics(folder: RunFolder, r: int, train: Dict[str, Any], n_seeds: int, kind: TaskKind) -> Dict[str, Any]:
    """Round r's metrics line, from its saved steps and its training result `train`."""
    done = [folder.load_step(r, name) for name in STEPS if folder.is_done(r, name)]
    usage = {k: sum(step["step_teacher"].get(k, 0) for step in done) for k in TeacherUsage().to_dict()}
    filtered = folder.load_step(r, "filter") if r > 0 else {"generated": 0, "kept": n_seeds, "dropped": {}}
    perf = train["performance"]
    teacher_s, training_s = usage["seconds"], train["training_seconds"]
    return {
        "round": r,
        "dev_score": float(perf.get(kind.main_score) or 0.0),
        "metric": kind.main_score,
        "per_label": perf.get(kind.per_label_score) or {},
        "n_train": train["n_train"],
        "generated": filtered["generated"],
        "kept": filtered["kept"],
        "dropped": filtered["dropped"],
        **({"sources": filtered["sources"]} if "sources" in filtered else {}),
        "teacher": usage,
        **({"ledger": paid_so_far(folder)} if folder.ledger.exists() else {}),
        "seconds": {
            "teacher": round(teacher_s, 2),
            "training": round(training_s, 2),
            "other": round(max(0.0, sum(s["step_seconds"] for s in done) - teacher_s - training_s), 2),
        },
    }


def paid_so_far(folder: RunFolder) -> Dict[str, int]:
    """The calls and tokens the budget ledger holds now: every call paid in this run folder, also
    those of a step that a stop cut short and a resume later read back from the cache."""
    spent = read_json(folder.ledger)
    return {"calls": int(spent.get("calls", 0)), "tokens": int(spent.get("tokens", 0))}


def rescored(line: Dict[str, Any], train: Dict[str, Any], kind: TaskKind) -> Optional[Dict[str, Any]]:
    """A saved metrics line scored by the kind's main score now, when it was scored by another
    (a multi-label round finished before its dev score became macro F was scored by macro AUC);
    None when it needs no change. Lines from before the metric was recorded used cats_score."""
    recorded = line.get("metric") or ("cats_score" if kind.name == "textcat" else kind.main_score)
    if recorded == kind.main_score:
        return None
    return {**line, "metric": kind.main_score, "dev_score": float(train["performance"].get(kind.main_score) or 0.0)}
