"""The compared methods as config overrides of one EvoKD run.

Every method uses the same teacher, student, seeds and dev set; only these overrides differ.
`budget` methods get EvoKD's teacher tokens as their budget (equal-token comparison).
"""
from dataclasses import dataclass, field
from typing import Any, Dict, Tuple


@dataclass
class Method:
    """Overrides (dotted config keys) and whether the method spends EvoKD's token budget."""

    overrides: Dict[str, Any] = field(default_factory=dict)
    budget: bool = False
    kinds: Tuple[str, ...] = ("textcat", "ner")
    min_labels: int = 2  # skipped on datasets with fewer labels


def methods(n_hard: int, n_easy: int) -> Dict[str, Method]:
    """The methods of the benchmark; generation sizes follow the suite's EvoKD settings."""
    baseline = {"loop.feedback": False, "loop.separate_labelling": False}
    return {
        "seed_only": Method({"loop.rounds": 0}),
        "evokd": Method(),
        "evokd_no_easy": Method({"teacher.generate.n_hard": n_hard + n_easy, "teacher.generate.n_easy": 0}),
        "evokd_no_correct": Method({"loop.analysis_shows_correct": False}),
        "evokd_no_review": Method({"loop.replay": 0.0}),
        "evokd_no_separation": Method({"loop.separate_labelling": False}, kinds=("textcat",)),
        "static": Method(
            {**baseline, "teacher.generate": {"@llm_tasks": "evokd.TextCatStaticGenerate.v2", "n": n_hard + n_easy}},
            budget=True,
            kinds=("textcat",),
        ),
        "paraphrase": Method(
            {**baseline, "teacher.generate": {"@llm_tasks": "evokd.TextCatParaphrase.v1", "n": n_hard + n_easy}},
            budget=True,
            kinds=("textcat",),
        ),
    }
