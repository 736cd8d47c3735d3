"""k-shot sampling of seed examples."""
import random
from typing import Dict, List, Sequence, Set

from wasabi import msg

from ..errors import DataError
from ..loop.filters import normalise
from ..ty import Sample


def _first_of_each_text(samples: Sequence[Sample], key: str) -> List[Sample]:
    """Every sample whose text comes first in the file (after `normalise`), with a warning naming
    how many repeats were left out: a repeated text would be trained twice as often."""
    kept: Dict[str, Sample] = {}
    for sample in samples:
        kept.setdefault(normalise(sample.text), sample)
    repeats = len(samples) - len(kept)
    if repeats:
        msg.warn(f"{repeats} seed example(s) in '{key}' repeat an earlier text; the first of each is kept.")
    return list(kept.values())


def sample_k_shot(samples: Sequence[Sample], labels: Sequence[str], k: int, seed: int, key: str = "paths.seeds") -> List[Sample]:
    """Pick k samples per label (deterministic for a seed); k <= 0 keeps every different text."""
    by_label: Dict[str, List[Sample]] = {label: [] for label in labels}
    for sample in samples:
        for label in sample.labels:
            if label in by_label:
                by_label[label].append(sample)
    missing = [label for label, found in by_label.items() if not found]
    if missing:
        raise DataError(
            f"No seed example for label(s) {', '.join(missing)} in '{key}'. "
            "Add at least one example per label, or remove the label from the label file."
        )
    if k <= 0:
        kept = _first_of_each_text(samples, key)
        lost = [label for label in labels if not any(label in s.labels for s in kept)]
        if lost:
            msg.warn(f"Every seed example of label(s) {', '.join(lost)} in '{key}' repeats a text of another label, so "
                     "those labels start with none: give them texts of their own.")
        return kept
    rng = random.Random(seed)
    chosen: List[Sample] = []
    seen: Set[int] = set()
    texts: Set[str] = set()
    for label in labels:
        pool = [s for s in by_label[label] if id(s) not in seen]
        rng.shuffle(pool)
        # a text the seed file holds twice is taken once: the shuffle is the same as without this
        # check, so the sample only changes where it would have taken a text twice
        taken = 0
        for sample in pool:
            if taken == k:
                break
            if normalise(sample.text) in texts:
                continue
            seen.add(id(sample))
            texts.add(normalise(sample.text))
            chosen.append(sample)
            taken += 1
    have = {label: sum(label in s.labels for s in chosen) for label in labels}  # a sample taken for another label may hold it too
    short = [f"{label} ({n})" for label, n in have.items() if n < k]
    if short:
        msg.warn(f"Fewer than k_shot = {k} different seed examples for label(s) {', '.join(short)} in '{key}': those labels "
                 "start with all they have.")
    return chosen
