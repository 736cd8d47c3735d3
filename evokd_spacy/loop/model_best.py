"""Keep `model-best` pointing at the round with the best dev score, with distillation meta."""
from typing import Any, Dict, List

from ..util.io import atomic_copytree, atomic_write_json, read_json
from .state import RunFolder


def best_line(metrics: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Metrics line of the round with the highest dev score (the earliest on a tie)."""
    return max(metrics, key=lambda m: (m["dev_score"], -m["round"]))


def best_round(metrics: List[Dict[str, Any]]) -> int:
    """Round with the highest dev score (the earliest on a tie)."""
    return best_line(metrics)["round"]


DESCRIPTION_START = "A spaCy "


def describe_student(evokd: Dict[str, Any]) -> str:
    """The packaged student's one-line description: its task, its teacher and its dev score; a
    student of round 0 says that it learnt from the seeds alone."""
    task = f" for: {evokd['task_description']}" if evokd.get("task_description") else ""
    score = f"dev score {float(evokd.get('dev_score', 0.0)):.3f}, round {evokd.get('best_round')}"
    if evokd.get("best_round") == 0:
        later = (f": the EvoKD rounds with {evokd.get('teacher', 'an LLM')} as teacher did not beat it on dev"
                 if evokd.get("rounds") else "")
        return f"{DESCRIPTION_START}{evokd.get('task', 'textcat')} student trained on its seed examples alone{task} ({score}){later}."
    return (f"{DESCRIPTION_START}{evokd.get('task', 'textcat')} student distilled with EvoKD from {evokd.get('teacher', 'an LLM')}"
            f"{task} ({score}).")


def publish_best(folder: RunFolder, metrics: List[Dict[str, Any]], info: Dict[str, Any]) -> int:
    """Copy the best round's model to `model-best` (when it changed) and record how it was distilled."""
    best = best_round(metrics)
    marker = folder.model_best / "meta.json"
    current = read_json(marker).get("evokd", {}).get("best_round") if marker.exists() else None
    if current != best:
        atomic_copytree(folder.round_model(best), folder.model_best)
    meta = read_json(marker)
    meta["evokd"] = {
        **info,
        "best_round": best,
        "rounds": len(metrics) - 1,  # the run's, as are its teacher calls
        "dev_score": best_line(metrics)["dev_score"],
        # what this round's student learnt from: the seeds and the texts kept up to its round (with
        # replay below 1, it trained on `trained_on` docs of them)
        "samples": {"seeds": metrics[0]["n_train"], "generated_kept": sum(m["kept"] for m in metrics if 0 < m["round"] <= best),
                    "trained_on": best_line(metrics)["n_train"]},
        "teacher_calls": sum(m["teacher"]["calls"] for m in metrics),
    }
    if not meta.get("description") or str(meta["description"]).startswith(DESCRIPTION_START):
        meta["description"] = describe_student(meta["evokd"])
    ledger = folder.ledger  # every call paid, also those a resume read back from the cache
    if ledger.exists():
        meta["evokd"]["teacher_calls_paid"] = int(read_json(ledger).get("calls", 0))
    atomic_write_json(marker, meta)
    return best

