"""Weakness analysis: the teacher reads the student's wrong and correct predictions."""
import re
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional

from spacy.tokens import Doc

from ...registry import registry
from ..base import PromptTask, examples_for_prompt
from ..request import request_of, set_result

MAX_ANALYSIS_CHARS = 1500
# A refusal opens with it ("I'm sorry", "Please provide the texts"); "please provide more examples"
# at the end of an analysis is advice, not a refusal.
_REFUSAL = re.compile(r"^\s*(?:i['’]?m sorry|sorry,|i cannot|i can['’]t|as an ai|please provide)|don['’]?t have access", re.I)


class TextCatAnalyseTask(PromptTask):
    """Request: {"correct": [...], "wrong": [...]}, each {"text", "gold", "pred"}. Result: {"analysis"}."""

    default_template = "analyse.jinja"
    template_dir = Path(__file__).parent

    def __init__(self, max_examples: int = 8, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_examples = max_examples

    def prompt_for(self, doc: Doc) -> str:
        request = request_of(doc)
        wrong, correct = request.get("wrong", []), request.get("correct", [])
        n_correct = correct_count(request)
        return self.render(
            wrong=examples_for_prompt(wrong, self.max_examples),
            correct=examples_for_prompt(correct, self.max_examples),
            n_total=len(wrong) + n_correct,
            n_wrong=len(wrong),
            n_correct=n_correct,
            **self.error_counts(wrong),
        )

    def error_counts(self, wrong: List[Dict[str, Any]]) -> Dict[str, Any]:
        """Error statistics computed by us for the prompt (small teachers cannot count)."""
        return {"confusions": count_confusions(wrong)}

    def parse_one(self, doc: Doc, response: Any) -> None:
        """Keep the analysis; an empty answer or a refusal is replaced by our own error summary."""
        text = " ".join(str(response or "").split())
        result: Dict[str, Any] = {"analysis": text[:MAX_ANALYSIS_CHARS], "raw": str(response or ""), "error": ""}
        if not text:
            result["error"] = "empty_response"
        elif _REFUSAL.search(text):
            result["error"] = "refusal"
        if result["error"]:
            result["analysis"] = summarise_errors(request_of(doc))
        set_result(doc, result)


def correct_count(request: Dict[str, Any]) -> int:
    """How many texts the student got right: `n_correct` when the right ones are not shown
    (the `analysis_shows_correct = false` ablation), else the right ones' count."""
    return int(request.get("n_correct", len(request.get("correct", []))))


def summarise_errors(request: Dict[str, Any]) -> str:
    """A plain error summary, used when the teacher gives no usable analysis (small models often don't)."""
    wrong = request.get("wrong", [])
    parts = [f"The classifier got {len(wrong)} of {len(wrong) + correct_count(request)} texts wrong."]
    for c in count_confusions(wrong):
        parts.append(f"It predicted {c['pred']} for {c['count']} {c['gold']} text(s).")
    if not wrong:
        parts.append("It needs harder, more varied texts: mixed opinions, negation, sarcasm, few clear cue words.")
    return " ".join(parts)


def count_confusions(wrong: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Counts of (gold, predicted) pairs among wrong predictions, most frequent first."""
    counts = Counter((str(ex["gold"]), str(ex["pred"])) for ex in wrong)
    return [{"gold": g, "pred": p, "count": n} for (g, p), n in counts.most_common()]


class OptionalErrorCounts:
    """Mixin for an analysis task: the error counts we compute go into the prompt only when
    `error_counts` is on (each count list is left empty otherwise, so the template skips it)."""

    def __init__(self, error_counts: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # type: ignore[call-arg]
        self.show_counts = error_counts

    def error_counts(self, wrong: List[Dict[str, Any]]) -> Dict[str, Any]:
        """The task's counts when `error_counts` is on; empty lists otherwise."""
        counts: Dict[str, Any] = super().error_counts(wrong)  # type: ignore[misc]
        return counts if self.show_counts else {key: [] for key in counts}


class UncountedTextCatAnalyseTask(OptionalErrorCounts, TextCatAnalyseTask):
    """TextCatAnalyse.v1 that can leave our error counts out of the prompt."""


@registry.llm_tasks("evokd.TextCatAnalyse.v1")
def make_textcat_analyse_task(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: Optional[str] = None,
    exclusive: bool = True,
    max_examples: int = 8,
) -> TextCatAnalyseTask:
    """Weakness analysis task for text classification."""
    return TextCatAnalyseTask(
        labels=labels, description=description, template=template, exclusive=exclusive, max_examples=max_examples
    )


@registry.llm_tasks("evokd.TextCatAnalyse.v2")
def make_textcat_analyse_task_v2(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: Optional[str] = None,
    exclusive: bool = True,
    max_examples: int = 8,
    error_counts: bool = False,
) -> UncountedTextCatAnalyseTask:
    """Weakness analysis from the wrong and right examples alone; `error_counts = true` adds v1's
    per-confusion counts. Without them the student scored 6.7 points higher on TREC-6 over 3 seeds
    (BENCHMARKS.md), so they are off by default."""
    return UncountedTextCatAnalyseTask(
        labels=labels, description=description, template=template, exclusive=exclusive, max_examples=max_examples,
        error_counts=error_counts,
    )
