"""Rationales for explanation-guided selection (ELAD, adapted to text classification).

`evokd.TextCatExplain.v1` asks the teacher for a short step-by-step rationale ending in a label;
`evokd.TextCatStepCheck.v1` scores the labels given the text and the first k steps of a
rationale. How much the label distribution moves from step to step, and whether sampled
rationales agree, tells how sure the reasoning about a text is (see pool/explanation.py).
"""
import re
from pathlib import Path
from typing import Any, Dict, List, Optional

from spacy.tokens import Doc

from ...llm_io import ChoicePrompt
from ...registry import registry
from ..base import PromptTask
from ..parsing import parse_label_answer
from ..request import request_of, set_result

_STEP = re.compile(r"^\s*(?:[-*•]\s*)?\**step\s*\d+\s*\**\s*[:.)\-–]\s*\**\s*(.+)$", re.I)
_LABEL = re.compile(r"^\s*\**(?:final\s+)?label\s*\**\s*[:\-–]\s*\**\s*(.+)$", re.I)


class TextCatExplainTask(PromptTask):
    """Result: {"steps": [str], "label": str or None, "error": str, "raw": str}."""

    default_template = "explain.jinja"
    template_dir = Path(__file__).parent

    def __init__(self, max_steps: int = 3, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_steps = max_steps

    def prompt_for(self, doc: Doc) -> str:
        return self.render(text=doc.text, max_steps=self.max_steps)

    def parse_one(self, doc: Doc, response: Any) -> None:
        raw = str(response or "")
        steps: List[str] = []
        label, error = None, ""
        for line in raw.splitlines():
            step, final = _STEP.match(line), _LABEL.match(line)
            if final:
                found, error = parse_label_answer(final.group(1), self.labels, True)
                label = found[0] if found else None
                break
            if step and len(steps) < self.max_steps:
                steps.append(" ".join(step.group(1).split()))
        else:
            error = "no_label_line"
        set_result(doc, {"steps": steps, "label": label, "error": error, "raw": raw})


class TextCatStepCheckTask(PromptTask):
    """Docs carry the request {"steps": [str]}: the labels are scored given the text and those steps."""

    default_template = "step_check.jinja"
    template_dir = Path(__file__).parent

    def prompt_for(self, doc: Doc) -> ChoicePrompt:
        return ChoicePrompt(self.render(text=doc.text, steps=request_of(doc).get("steps") or []), self.labels)

    def parse_one(self, doc: Doc, response: Any) -> None:
        scores = getattr(response, "scores", None)
        if scores:
            from ...llm_io import softmax

            probs = softmax({k: v for k, v in scores.items() if k in self.labels})
            error = ""
        else:  # a model that only answers in text: the labels it names share the mass
            found, error = parse_label_answer(str(response or ""), self.labels, self.exclusive)
            probs = {label: float(label in found) / len(found) for label in self.labels} if found else None
        set_result(doc, {"probs": probs, "error": error})


@registry.llm_tasks("evokd.TextCatExplain.v1")
def make_textcat_explain_task(
    labels: Optional[Dict[str, str]] = None, description: str = "", template: Optional[str] = None, max_steps: int = 3
) -> TextCatExplainTask:
    """Step-by-step rationale for a text's label, at most `max_steps` steps."""
    return TextCatExplainTask(labels=labels, description=description, template=template, max_steps=max_steps)


@registry.llm_tasks("evokd.TextCatStepCheck.v1")
def make_textcat_step_check_task(
    labels: Optional[Dict[str, str]] = None, description: str = "", template: Optional[str] = None, exclusive: bool = True
) -> TextCatStepCheckTask:
    """Label distribution given a text and the first steps of a rationale."""
    return TextCatStepCheckTask(labels=labels, description=description, template=template, exclusive=exclusive)
