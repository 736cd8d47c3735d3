"""Near-duplicate detection for generated texts: word-bigram Jaccard similarity against every
text seen so far. A small teacher often rewrites its last answer with one word changed; exact
matching (after `normalise`) misses those."""
from typing import Iterable, List, Optional, Set, Tuple

from ..util.scripts import split_unspaced


def shingles(key: str) -> Set[Tuple[str, ...]]:
    """Word bigrams of a normalised text (its single word for a one-word text); in Chinese, Japanese
    or Thai, written without spaces, each character counts as a word."""
    words = split_unspaced(key).split()
    return set(zip(words, words[1:])) if len(words) > 1 else {tuple(words)}


def jaccard(a: Set[Tuple[str, ...]], b: Set[Tuple[str, ...]]) -> float:
    """|a & b| / |a | b| (0.0 for two empty sets)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


class NearDuplicateIndex:
    """Texts seen so far; `match` finds one at or above `threshold` similarity."""

    def __init__(self, threshold: float, keys: Iterable[str] = ()) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"near-duplicate threshold must be in (0, 1], not {threshold}")
        self.threshold = threshold
        self.seen: List[Tuple[str, Set[Tuple[str, ...]]]] = []
        for key in keys:
            self.add(key)

    def add(self, key: str) -> None:
        """Remember a normalised text."""
        self.seen.append((key, shingles(key)))

    def match(self, key: str) -> Optional[str]:
        """The first remembered text at least `threshold` similar to `key`, or None."""
        mine = shingles(key)
        for other, theirs in self.seen:
            if jaccard(mine, theirs) >= self.threshold:
                return other
        return None
