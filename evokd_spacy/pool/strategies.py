"""Selection strategies that need only the student: random, entropy and margin.

Each is registered in spaCy's `misc` registry, e.g. `[pool.strategy] @misc = "evokd.SelectEntropy.v1"`.
"""
from typing import Any, Callable, Dict, List, Optional

from ..errors import ConfigError
from ..registry import registry
from ..ty import PoolCandidate
from .uncertainty import entropy, margin


def top_scored(candidates: List[PoolCandidate], n: int, score: Callable[[PoolCandidate], float], name: str) -> List[Dict[str, Any]]:
    """The `n` candidates with the highest score (ties: pool order), as selection rows."""
    ranked = sorted(candidates, key=lambda c: (-score(c), c.index))
    return [{"index": c.index, "score": round(score(c), 6), "strategy": name} for c in ranked[:n]]


def require_probs(candidates: List[PoolCandidate], name: str) -> None:
    """Entropy and margin need the student's label scores (text classification)."""
    if candidates and candidates[0].probs is None:
        raise ConfigError(
            f"[pool.strategy] {name} needs the student's scores: text classification's label scores, or the "
            "analyses of a beam-capable NER component. This student has neither: use evokd.SelectRandom.v1."
        )


class RandomSelector:
    """Uniform random picks (seeded by run seed and round): the baseline."""

    name = "random"

    def select(self, candidates: List[PoolCandidate], n: int, context: Any) -> List[Dict[str, Any]]:
        picked = context.rng.sample(candidates, k=min(n, len(candidates)))
        return [{"index": c.index, "score": 0.0, "strategy": self.name} for c in picked]


def exclusive_scores(context: Any) -> bool:
    """Whether the student's scores are one distribution (exclusive textcat, NER beam analyses)
    rather than one yes/no per label (multi-label textcat)."""
    return bool(context.spec.exclusive) or context.kind.name != "textcat"


class EntropySelector:
    """The texts whose label distribution under the student has the highest (normalised) entropy."""

    name = "entropy"

    def select(self, candidates: List[PoolCandidate], n: int, context: Any) -> List[Dict[str, Any]]:
        require_probs(candidates, "evokd.SelectEntropy.v1")
        exclusive = exclusive_scores(context)
        return top_scored(candidates, n, lambda c: entropy(c.probs, exclusive), self.name)


class MarginSelector:
    """The texts whose top two labels under the student are closest."""

    name = "margin"

    def select(self, candidates: List[PoolCandidate], n: int, context: Any) -> List[Dict[str, Any]]:
        require_probs(candidates, "evokd.SelectMargin.v1")
        exclusive = exclusive_scores(context)
        return top_scored(candidates, n, lambda c: margin(c.probs, exclusive), self.name)


@registry.misc("evokd.SelectRandom.v1")
def make_select_random() -> RandomSelector:
    """Random selection from the pool (the baseline)."""
    return RandomSelector()


@registry.misc("evokd.SelectEntropy.v1")
def make_select_entropy() -> EntropySelector:
    """Uncertainty selection by the entropy of the student's label scores (textcat)."""
    return EntropySelector()


@registry.misc("evokd.SelectMargin.v1")
def make_select_margin() -> MarginSelector:
    """Uncertainty selection by the margin between the student's top two labels (textcat)."""
    return MarginSelector()


def resolve_strategy(block: Optional[Dict[str, Any]]) -> Any:
    """A strategy from its config block (default: entropy)."""
    block = dict(block or {"@misc": "evokd.SelectEntropy.v1"})
    try:
        return registry.resolve({"strategy": block}, validate=True)["strategy"]
    except Exception as err:
        raise ConfigError(f"Cannot build [pool.strategy]: {err}") from None
