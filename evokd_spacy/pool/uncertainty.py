"""Uncertainty of a student's scores: entropy and margin (textcat labels, or NER beam analyses)."""
import math
from typing import Dict, Optional


def normalised(probs: Dict[str, float]) -> Dict[str, float]:
    """Scores rescaled to sum to 1 (multi-label textcat scores need not)."""
    total = sum(max(0.0, p) for p in probs.values())
    if total <= 0:
        return {label: 1.0 / len(probs) for label in probs}
    return {label: max(0.0, p) / total for label, p in probs.items()}


def entropy(probs: Optional[Dict[str, float]], exclusive: bool = True) -> float:
    """Entropy of the label distribution, divided by its maximum (0: sure, 1: uniform). For
    multi-label scores (`exclusive=False`, each label a yes/no of its own): the mean over labels of
    the binary entropy, so a text sure to have no label is certain, not uniform."""
    if not probs:
        return 0.0
    if not exclusive:
        clipped = [min(1.0, max(0.0, p)) for p in probs.values()]
        return sum(-sum(v * math.log2(v) for v in (p, 1.0 - p) if v > 0) for p in clipped) / len(clipped)
    if len(probs) < 2:
        return 0.0
    p = normalised(probs)
    h = -sum(v * math.log(v) for v in p.values() if v > 0)
    return h / math.log(len(p))


def margin(probs: Optional[Dict[str, float]], exclusive: bool = True) -> float:
    """One minus the gap between the two top labels (0: sure, 1: a tie). For multi-label scores:
    how close the label nearest to its 0.5 threshold is to it (1: exactly on it)."""
    if not probs:
        return 0.0
    if not exclusive:
        return 1.0 - 2.0 * min(abs(min(1.0, max(0.0, p)) - 0.5) for p in probs.values())
    if len(probs) < 2:
        return 0.0
    top, second = sorted(normalised(probs).values(), reverse=True)[:2]
    return 1.0 - (top - second)
