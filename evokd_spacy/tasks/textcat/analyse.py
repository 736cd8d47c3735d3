"""Weakness analysis: the teacher reads the student's wrong and correct predictions."""
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional

from spacy.tokens import Doc

from ...registry import registry
from ..base import PromptTask, examples_for_prompt
from ..request import request_of, set_result

MAX_ANALYSIS_CHARS = 1500


class TextCatAnalyseTask(PromptTask):
    """Request: {"correct": [...], "wrong": [...]}, each {"text", "gold", "pred"}. Result: {"analysis"}."""

    default_template = "analyse.jinja"

    def __init__(self, max_examples: int = 8, **kwargs: Any) -> None:
        super().__init__(Path(__file__).parent, **kwargs)
        self.max_examples = max_examples

    def prompt_for(self, doc: Doc) -> str:
        request = request_of(doc)
        wrong, correct = request.get("wrong", []), request.get("correct", [])
        return self.render(
            wrong=examples_for_prompt(wrong, self.max_examples),
            correct=examples_for_prompt(correct, self.max_examples),
            n_total=len(wrong) + len(correct),
            n_wrong=len(wrong),
            n_correct=len(correct),
            confusions=count_confusions(wrong),
        )

    def parse_one(self, doc: Doc, response: Any) -> None:
        text = " ".join(str(response or "").split())
        result: Dict[str, Any] = {"analysis": text[:MAX_ANALYSIS_CHARS], "raw": str(response or "")}
        if not text:
            result["error"] = "empty_response"
        set_result(doc, result)


def count_confusions(wrong: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Counts of (gold, predicted) pairs among wrong predictions, most frequent first."""
    counts = Counter((str(ex["gold"]), str(ex["pred"])) for ex in wrong)
    return [{"gold": g, "pred": p, "count": n} for (g, p), n in counts.most_common()]


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
