"""k-shot sampling of seed examples."""
import random
from typing import Dict, List, Sequence

from ..errors import DataError
from ..ty import Sample


def sample_k_shot(samples: Sequence[Sample], labels: Sequence[str], k: int, seed: int, key: str = "paths.seeds") -> List[Sample]:
    """Pick k samples per label (deterministic for a seed); k <= 0 keeps everything."""
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
        return list(samples)
    rng = random.Random(seed)
    chosen: List[Sample] = []
    seen = set()
    for label in labels:
        pool = [s for s in by_label[label] if id(s) not in seen]
        rng.shuffle(pool)
        for sample in pool[:k]:
            seen.add(id(sample))
            chosen.append(sample)
    return chosen
