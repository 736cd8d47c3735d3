"""Labelling for small teachers (`evokd.TextCatLabel.v2`): calibration against content-free
inputs, and optional few-shot exemplars from the seeds (off by default: with 1-shot seeds they cut
Qwen2.5-Coder-0.5B's SST-2 dev macro F from 0.80 to 0.42: it answered the last example's label for
95 of 100 sentences; see BENCHMARKS.md).

Calibration (Zhao et al., 2021, "Calibrate before use"): a small model prefers some label names
whatever the text. The label probabilities for content-free inputs ("N/A", "", "[MASK]") estimate
that prior; each text's probabilities are divided by it and renormalised. It needs a model that
scores choices (the local model); for one that only answers in text it is skipped.
"""
from itertools import zip_longest
from typing import Any, Dict, List, Optional, Sequence

from spacy.tokens import Doc

from ...llm_io import ChoicePrompt, softmax
from ...registry import registry
from ..request import result_of, set_result
from .label import TextCatLabelTask

CONTENT_FREE = ("N/A", "", "[MASK]")


class CalibratedTextCatLabelTask(TextCatLabelTask):
    """TextCatLabel.v1 plus `few_shot` seed examples in the prompt and content-free calibration."""

    def __init__(self, few_shot: int = 0, calibrate: bool = True, content_free: Sequence[str] = CONTENT_FREE, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.few_shot, self.calibrate, self.content_free = few_shot, calibrate, list(content_free)
        self.prior: Optional[Dict[str, float]] = None

    def set_examples(self, examples: List[Dict[str, Any]]) -> None:
        """Show up to `few_shot` seed examples, alternating labels so no label dominates."""
        by_label: Dict[str, List[Dict[str, Any]]] = {}
        for ex in examples:
            by_label.setdefault(ex["label"], []).append(ex)
        rounds = zip_longest(*by_label.values())  # one of each label in turn, longer groups not cut
        mixed = [ex for group in rounds for ex in group if ex is not None]
        self.examples = mixed[: self.few_shot]

    def calibration_prompts(self) -> List[ChoicePrompt]:
        """The content-free prompts whose label scores estimate the model's prior (none if off)."""
        if not self.calibrate:
            return []
        from spacy.vocab import Vocab

        vocab = Vocab()
        return [self.prompt_for(Doc(vocab, words=[text] if text else [])) for text in self.content_free]

    def set_prior(self, responses: Sequence[Any]) -> None:
        """Average the label probabilities of the content-free answers (skipped without scores)."""
        scored = [softmax({k: v for k, v in r.scores.items() if k in self.labels}) for r in responses if getattr(r, "scores", None)]
        if not scored:
            self.prior = None
            return
        self.prior = {label: sum(s[label] for s in scored) / len(scored) for label in self.labels}

    def parse_one(self, doc: Doc, response: Any) -> None:
        super().parse_one(doc, response)
        result = result_of(doc)
        if not (self.prior and result.get("scores")):
            return
        raw = {label: p / max(self.prior[label], 1e-6) for label, p in result["scores"].items()}
        total = sum(raw.values())
        probs = {label: v / total for label, v in raw.items()}
        chosen, confidence, margin = self.choose(probs)
        doc.cats = {label: float(label in chosen) for label in self.labels}
        set_result(doc, {**result, "labels": chosen, "scores": probs, "uncalibrated": result["scores"],
                         "confidence": confidence, "margin": margin})


@registry.llm_tasks("evokd.TextCatLabel.v2")
def make_textcat_label_task_v2(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: Optional[str] = None,
    exclusive: bool = True,
    few_shot: int = 0,
    calibrate: bool = True,
    content_free: Sequence[str] = CONTENT_FREE,
    multilabel_threshold: float = 0.35,
) -> CalibratedTextCatLabelTask:
    """Labelling for small teachers: `few_shot` seed exemplars and content-free calibration."""
    return CalibratedTextCatLabelTask(
        labels=labels, description=description, template=template, exclusive=exclusive,
        few_shot=few_shot, calibrate=calibrate, content_free=content_free, multilabel_threshold=multilabel_threshold,
    )
