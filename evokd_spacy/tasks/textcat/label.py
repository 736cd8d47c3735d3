"""Labelling: a separate teacher call per text, over a closed label set.

With a model that scores choices (the local model), each label is scored by its
log-probability; otherwise the label is read from the answer text.
"""
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from spacy.tokens import Doc

from ...llm_io import ChoicePrompt, softmax
from ...registry import registry
from ..base import PromptTask, examples_for_prompt
from ..parsing import parse_label_answer
from ..request import set_result


class TextCatLabelTask(PromptTask):
    """Sets `doc.cats` and writes {"labels", "confidence", "scores", "error", "raw"} to the doc."""

    default_template = "label.jinja"
    template_dir = Path(__file__).parent

    def __init__(self, examples: Optional[List[Dict[str, Any]]] = None, multilabel_threshold: float = 0.35, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.examples = list(examples or [])
        self.multilabel_threshold = multilabel_threshold

    def prompt_for(self, doc: Doc) -> ChoicePrompt:
        text = self.render(text=doc.text, examples=examples_for_prompt(self.examples, 8))
        return ChoicePrompt(text, self.labels)

    def choose(self, probs: Dict[str, float]) -> Tuple[List[str], float, float]:
        """The labels chosen from label probabilities, the confidence and the margin. The confidence
        is the probability of the chosen labels together: the top one's when one is chosen, so
        that a text given two labels (0.5 and 0.45) is not dropped by `min_confidence` as unsure.
        The margin is the top probability's lead over the next."""
        ranked = sorted(probs, key=probs.get, reverse=True)
        chosen = [ranked[0]]
        if not self.exclusive:
            chosen += [lab for lab in ranked[1:] if probs[lab] >= self.multilabel_threshold]
        margin = probs[ranked[0]] - (probs[ranked[1]] if len(ranked) > 1 else 0.0)
        return chosen, min(1.0, sum(probs[lab] for lab in chosen)), margin

    def parse_one(self, doc: Doc, response: Any) -> None:
        raw = str(response or "")
        scores = getattr(response, "scores", None)
        result: Dict[str, Any] = {"raw": raw, "scores": None, "confidence": None, "error": ""}
        if scores:
            probs = softmax({k: v for k, v in scores.items() if k in self.labels})
            chosen, confidence, margin = self.choose(probs)
            result.update(scores=probs, confidence=confidence, margin=margin)
        else:
            chosen, result["error"] = parse_label_answer(raw, self.labels, self.exclusive, doc.text)
        result["labels"] = chosen
        doc.cats = {label: float(label in chosen) for label in self.labels}
        set_result(doc, result)


@registry.llm_tasks("evokd.TextCatLabel.v1")
def make_textcat_label_task(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: Optional[str] = None,
    exclusive: bool = True,
    examples: Optional[List[Dict[str, Any]]] = None,
    multilabel_threshold: float = 0.35,
) -> TextCatLabelTask:
    """Labelling task for text classification; usable on its own in spacy-llm's `llm` component."""
    return TextCatLabelTask(
        labels=labels,
        description=description,
        template=template,
        exclusive=exclusive,
        examples=examples,
        multilabel_threshold=multilabel_threshold,
    )
