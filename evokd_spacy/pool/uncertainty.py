"""Uncertainty of a student's scores: entropy and margin (textcat labels, or NER beam analyses)."""
import math
from typing import Dict, Optional


def normalised(probs: Dict[str, float]) -> Dict[str, float]:
    """Scores rescaled to sum to 1 (multi-label textcat scores need not)."""
    total = sum(max(0.0, p) for p in probs.values())
    if total <= 0:
        return {label: 1.0 / len(probs) for label in probs}
    return {label: max(0.0, p) / total for label, p in probs.items()}


def entropy(probs: Optional[Dict[str, float]]) -> float:
    """Entropy of the label distribution, divided by its maximum (0: sure, 1: uniform)."""
    if not probs or len(probs) < 2:
        return 0.0
    p = normalised(probs)
    h = -sum(v * math.log(v) for v in p.values() if v > 0)
    return h / math.log(len(p))


def margin(probs: Optional[Dict[str, float]]) -> float:
    """One minus the gap between the two top labels (0: sure, 1: a tie)."""
    if not probs or len(probs) < 2:
        return 0.0
    top, second = sorted(normalised(probs).values(), reverse=True)[:2]
    return 1.0 - (top - second)
