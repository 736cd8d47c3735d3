"""Labelling as a one-word answer (`evokd.TextCatLabel.v5`): the prompt gives the task and the
text but no list of labels, and the local model scores each label's verbalisers (v4's words, plus
their capitalised forms) as the first word of its answer.

Listing the labels made Qwen2.5-Coder-0.5B answer by their position and their upper-case names:
on TREC-6 dev it answered ENTY or DESC for most questions and NUM for 1 of 12 number questions.
Asked for one word without a list, it answers "date", "money" or "distance" for those.

Calibration: `"batch"` (the default; Zhou et al., 2024, "Batch calibration") divides each text's
label probabilities by their mean over the texts labelled in the same call, when there are at
least `min_batch` of them (fewer are left uncalibrated). This suits EvoKD, whose rounds ask for
about as many texts per label. `"content_free"` is v2's calibration; `"none"` turns it off.
"""
from typing import Any, Dict, Iterable, List, Optional, Sequence

from spacy.tokens import Doc
from wasabi import msg

from ...registry import registry
from .calibrated_label import CONTENT_FREE
from .verbalised_label import ListedVerbalisedTextCatLabelTask

CALIBRATIONS = ("batch", "content_free", "none")


class ClozeTextCatLabelTask(ListedVerbalisedTextCatLabelTask):
    """TextCatLabel.v4's verbalisers asked for as a one-word answer, with batch calibration."""

    default_template = "label_cloze.jinja"

    def __init__(self, calibration: str = "batch", min_batch: int = 8, **kwargs: Any) -> None:
        if calibration not in CALIBRATIONS:
            raise ValueError(f"calibration must be one of {', '.join(CALIBRATIONS)}, not {calibration!r}")
        super().__init__(calibrate=calibration == "content_free", **kwargs)
        self.calibration, self.min_batch = calibration, min_batch

    def words(self, label: str) -> List[str]:
        """v4's verbalisers plus the capitalised form of each answer word ("date" adds "Date")."""
        words = super().words(label)
        return list(dict.fromkeys(words + [w[:1].upper() + w[1:] for w in self.answer_words(label)]))

    def answer_words(self, label: str) -> List[str]:
        """The lower-case verbalisers other than the lower-cased name ("description" for DESC);
        the lower-cased name when there are none ("positive" for POSITIVE)."""
        others = [w for w in super().words(label) if w.islower() and w != label.lower()]
        return others or [label.lower()]

    def answer_word(self, label: str) -> str:
        """The word an example of this label is answered with: its first answer word."""
        return self.answer_words(label)[0]

    def render(self, **values: Any) -> str:
        examples = [{**ex, "word": self.example_answer(ex["label"])} for ex in values.pop("examples", [])]
        return super().render(**values, examples=examples)

    def warn_if_read_as_text(self, answers: Sequence[Any]) -> None:
        """Warn once when a teacher answers without label scores: this prompt asks for one word and
        lists no labels, which suits a small model whose answer words are scored, not a large
        model answering in its own words."""
        if answers and not any(getattr(a, "scores", None) for a in answers) and not getattr(self, "_text_warned", False):
            self._text_warned = True
            msg.warn("The teacher answered the labelling prompts as text, without label scores, so labels come from its "
                     "words and carry no confidence. This labeller lists no labels; for a large teacher that answers in "
                     "text, [teacher.label] @llm_tasks = \"evokd.TextCatLabel.v1\" names them in its prompt.")

    def example_answer(self, label: str) -> str:
        """An exemplar's answer: its label's answer word, or for a multi-label seed ("A, B") each
        of its labels' words, comma-separated, as the prompt asks multi-label answers to be."""
        parts = [part.strip() for part in label.split(",")]
        if len(parts) > 1 and all(part in self.labels for part in parts):
            return ", ".join(self.answer_word(part) for part in parts)
        return self.answer_word(label)

    def parse_responses(self, docs: Iterable[Doc], responses: Iterable[Any]) -> Iterable[Doc]:
        """With batch calibration, the prior is the mean label probability over this call's texts."""
        docs, responses = list(docs), list(responses)
        answers = [r[0] if isinstance(r, (list, tuple)) and r else r for r in responses]
        self.warn_if_read_as_text(answers)
        if self.calibration != "batch":
            yield from super().parse_responses(docs, responses)
            return
        scored = [a for a in answers if getattr(a, "scores", None)]
        self.prior = None
        if len(scored) >= self.min_batch:
            self.set_prior(scored)  # the mean of the label probabilities, as for content-free answers
        try:
            yield from super().parse_responses(docs, responses)
        finally:
            self.prior = None


@registry.llm_tasks("evokd.TextCatLabel.v5")
def make_textcat_label_task_v5(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: Optional[str] = None,
    exclusive: bool = True,
    verbalizers: Optional[Dict[str, List[str]]] = None,
    few_shot: int = 0,
    calibration: str = "batch",
    min_batch: int = 8,
    content_free: Sequence[str] = CONTENT_FREE,
    multilabel_threshold: float = 0.35,
) -> ClozeTextCatLabelTask:
    """Labelling for small teachers without a label list in the prompt: one-word answers scored
    through verbalisers, and batch calibration (or `"content_free"`, or `"none"`)."""
    return ClozeTextCatLabelTask(**locals())
