"""Weakness analysis for NER: error kinds (missed, spurious, wrong type, wrong boundary) per label."""
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from ...registry import registry
from ..textcat.analyse import OptionalErrorCounts, TextCatAnalyseTask

ERROR_KINDS = ("missed", "spurious", "wrong_type", "wrong_boundary")


def _overlaps(a: Sequence[Any], b: Sequence[Any]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def count_error_kinds(rows: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Per gold (or predicted, for spurious) label: counts of each error kind over the rows."""
    counts: Dict[str, Dict[str, int]] = defaultdict(lambda: dict.fromkeys(ERROR_KINDS, 0))
    for row in rows:
        gold, pred = [tuple(s) for s in row.get("gold_spans", [])], [tuple(s) for s in row.get("pred_spans", [])]
        for g in gold:
            if g in pred:
                continue
            same_bounds = [p for p in pred if p[:2] == g[:2]]
            overlapping = [p for p in pred if _overlaps(p, g)]
            if same_bounds:
                counts[g[2]]["wrong_type"] += 1
            elif any(p[2] == g[2] for p in overlapping):
                counts[g[2]]["wrong_boundary"] += 1
            else:
                counts[g[2]]["missed"] += 1
        for p in pred:
            if p not in gold and not any(_overlaps(p, g) for g in gold):
                counts[p[2]]["spurious"] += 1
    return [{"label": label, **kinds} for label, kinds in sorted(counts.items())]


class NERAnalyseTask(TextCatAnalyseTask):
    """Request rows carry `gold_spans` and `pred_spans`; the prompt shows error kinds per label."""

    template_dir = Path(__file__).parent

    def error_counts(self, wrong: List[Dict[str, Any]]) -> Dict[str, Any]:
        return {"error_counts": count_error_kinds(wrong)}


@registry.llm_tasks("evokd.NERAnalyse.v1")
def make_ner_analyse_task(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: Optional[str] = None,
    max_examples: int = 8,
) -> NERAnalyseTask:
    """Weakness analysis task for named-entity recognition."""
    return NERAnalyseTask(labels=labels, description=description, template=template, max_examples=max_examples)


class UncountedNERAnalyseTask(OptionalErrorCounts, NERAnalyseTask):
    """NERAnalyse.v1 that can leave our per-type error counts out of the prompt."""


@registry.llm_tasks("evokd.NERAnalyse.v2")
def make_ner_analyse_task_v2(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: Optional[str] = None,
    max_examples: int = 8,
    error_counts: bool = False,
) -> UncountedNERAnalyseTask:
    """Weakness analysis from the sentences with and without errors alone, as TextCatAnalyse.v2
    (which beat v1 on TREC-6); `error_counts = true` adds v1's per-type counts (missed, spurious,
    wrong type, wrong boundary). Not the NER default: on WNUT-17 it has not been measured cleanly
    against v1 (BENCHMARKS.md)."""
    return UncountedNERAnalyseTask(labels=labels, description=description, template=template, max_examples=max_examples,
                                   error_counts=error_counts)
