"""Revision (ELAD): the teacher sees the student's answer for a pool text and keeps or corrects it.

The prompt is the labelling prompt plus the student's answer, so a model that scores choices
answers in one forward pass; the result says whether the teacher `accepted` the student's labels
or `corrected` them. `reason_prompt` asks, for a correction only, for a one-sentence reason.

Calibration (on by default): a small teacher shown a student's answer leans to one label whatever
the text (Qwen2.5-Coder-0.5B answered NEGATIVE for 19 of 20 SST-2 pool texts, whatever the student
said). As in `evokd.TextCatLabel.v2`, content-free texts estimate that prior, here once for each
answer the student may show, and each text's label probabilities are divided by the prior of the
answer shown with it.
"""
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from spacy.tokens import Doc

from ...llm_io import ChoicePrompt
from ...registry import registry
from ..request import request_of
from ..revision import RevisionMixin
from .calibrated_label import CONTENT_FREE, CalibratedTextCatLabelTask


class TextCatReviseTask(RevisionMixin, CalibratedTextCatLabelTask):
    """Docs carry the request {"student": [labels]}; the result adds "revision" and "student"."""

    default_template = "revise.jinja"
    template_dir = Path(__file__).parent

    def __init__(self, reason_template: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.load_reason_template(reason_template)
        self.priors: Dict[str, Optional[Dict[str, float]]] = {}

    def prompt_for(self, doc: Doc) -> ChoicePrompt:
        text = self.render(text=doc.text, student=_shown(request_of(doc).get("student")))
        return ChoicePrompt(text, self.labels)

    def calibration_prompts(self) -> List[ChoicePrompt]:
        """Content-free prompts for every answer the student may show (one label each)."""
        if not self.calibrate:
            return []
        return [self.prompt_for(_content_free(text, [label])) for label in self.labels for text in self.content_free]

    def set_prior(self, responses: Sequence[Any]) -> None:
        """One prior per answer shown, from its content-free responses."""
        n = len(self.content_free)
        for i, label in enumerate(self.labels):
            super().set_prior(responses[i * n : (i + 1) * n])
            self.priors[label] = self.prior
        self.prior = None

    def parse_one(self, doc: Doc, response: Any) -> None:
        student = request_of(doc).get("student") or []
        self.prior = self.priors.get(student[0]) if len(student) == 1 else None
        try:
            super().parse_one(doc, response)
        finally:
            self.prior = None
        self.add_verdict(doc, "labels")

    def reason_prompt(self, text: str, student: List[str], labels: List[str]) -> str:
        """A plain prompt asking why `labels` is right where the student said `student`."""
        return self.render_reason(text, _shown(student), ", ".join(labels))


def _shown(student: Optional[List[str]]) -> str:
    return ", ".join(student or []) or "(no label)"


def _content_free(text: str, student: List[str]) -> Doc:
    from spacy.vocab import Vocab

    from ..request import REQUEST_KEY

    doc = Doc(Vocab(), words=[text] if text else [])
    doc.user_data[REQUEST_KEY] = {"student": student}
    return doc


@registry.llm_tasks("evokd.TextCatRevise.v1")
def make_textcat_revise_task(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: Optional[str] = None,
    reason_template: Optional[str] = None,
    exclusive: bool = True,
    calibrate: bool = True,
    content_free: Sequence[str] = CONTENT_FREE,
    multilabel_threshold: float = 0.35,
) -> TextCatReviseTask:
    """Revision task for text classification: keep or correct the student's labels (ELAD), with
    the teacher's prior for each shown answer calibrated away (`calibrate`)."""
    return TextCatReviseTask(
        labels=labels, description=description, template=template, reason_template=reason_template,
        exclusive=exclusive, calibrate=calibrate, content_free=content_free, multilabel_threshold=multilabel_threshold,
    )
