"""Choose the labelling confidence threshold (`[loop] min_confidence`) on dev, from the teacher's
own answers: the lowest threshold whose kept answers are right often enough."""
from typing import Any, Dict, List, Optional, Sequence

THRESHOLDS = (0.0, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


def confidence_table(confidences: Sequence[Optional[float]], correct: Sequence[bool]) -> List[Dict[str, Any]]:
    """For each threshold: the share of answers kept (confidence >= t) and how many of them are right."""
    rows = []
    pairs = [(c, ok) for c, ok in zip(confidences, correct) if c is not None]
    for t in THRESHOLDS:
        kept = [ok for c, ok in pairs if c >= t]
        rows.append({"threshold": t, "kept": len(kept) / len(pairs) if pairs else 0.0,
                     "accuracy": sum(kept) / len(kept) if kept else None, "n": len(kept)})
    return rows


def choose_threshold(table: List[Dict[str, Any]], target: float = 0.9, min_kept: float = 0.2) -> Optional[float]:
    """The lowest threshold whose kept answers reach `target` accuracy while keeping at least
    `min_kept` of them; else the one with the best accuracy among those that keep `min_kept`."""
    usable = [row for row in table if row["accuracy"] is not None and row["kept"] >= min_kept]
    if not usable:
        return None
    reaching = [row for row in usable if row["accuracy"] >= target]
    return (reaching[0] if reaching else max(usable, key=lambda row: (row["accuracy"], -row["threshold"])))["threshold"]
