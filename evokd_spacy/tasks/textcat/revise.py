"""Revision (ELAD): the teacher sees the student's answer for a pool text and keeps or corrects it.

The prompt is the labelling prompt plus the student's answer, so a model that scores choices
answers in one forward pass; the result says whether the teacher `accepted` the student's labels
or `corrected` them. `reason_prompt` asks, for a correction only, for a one-sentence reason.
"""
from pathlib import Path
from typing import Any, Dict, List, Optional

from spacy.tokens import Doc

from ...llm_io import ChoicePrompt
from ...registry import registry
from ..request import request_of
from ..revision import RevisionMixin
from .label import TextCatLabelTask


class TextCatReviseTask(RevisionMixin, TextCatLabelTask):
    """Docs carry the request {"student": [labels]}; the result adds "revision" and "student"."""

    default_template = "revise.jinja"
    template_dir = Path(__file__).parent

    def __init__(self, reason_template: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.load_reason_template(reason_template)

    def prompt_for(self, doc: Doc) -> ChoicePrompt:
        student = request_of(doc).get("student") or []
        text = self.render(text=doc.text, student=", ".join(student) or "(no label)")
        return ChoicePrompt(text, self.labels)

    def parse_one(self, doc: Doc, response: Any) -> None:
        super().parse_one(doc, response)
        self.add_verdict(doc, "labels")

    def reason_prompt(self, text: str, student: List[str], labels: List[str]) -> str:
        """A plain prompt asking why `labels` is right where the student said `student`."""
        return self.render_reason(text, ", ".join(student) or "(no label)", ", ".join(labels))


@registry.llm_tasks("evokd.TextCatRevise.v1")
def make_textcat_revise_task(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: Optional[str] = None,
    reason_template: Optional[str] = None,
    exclusive: bool = True,
    multilabel_threshold: float = 0.35,
) -> TextCatReviseTask:
    """Revision task for text classification: keep or correct the student's labels (ELAD)."""
    return TextCatReviseTask(
        labels=labels, description=description, template=template, reason_template=reason_template,
        exclusive=exclusive, multilabel_threshold=multilabel_threshold,
    )
