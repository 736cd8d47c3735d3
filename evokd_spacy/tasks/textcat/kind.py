"""Text classification as seen by the loop: gold cats on docs, predictions, correctness."""
from typing import Any, Dict, List

from spacy.language import Language
from spacy.scorer import Scorer
from spacy.tokens import Doc
from spacy.training import Example

from ...ty import Sample, TaskSpec


def predicted_labels(cats: Dict[str, float], exclusive: bool, threshold: float = 0.5) -> List[str]:
    """Labels from a textcat's scores: the top one, or all above `threshold` for multi-label."""
    if not cats:
        return []
    if exclusive:
        return [max(cats, key=cats.get)]
    return sorted(label for label, score in cats.items() if score >= threshold)


class TextCatKind:
    """The `textcat` task kind."""

    name = "textcat"
    per_label_score = "cats_f_per_type"
    allows_no_label = False

    def __init__(self, exclusive: bool = True) -> None:
        # spaCy's cats_score is macro F for exclusive labels but macro AUC for multi-label ones,
        # which says nothing of the labels the student gives at its 0.5 threshold
        self.main_score = "cats_score" if exclusive else "cats_macro_f"

    def to_doc(self, nlp: Language, sample: Sample, spec: TaskSpec) -> Doc:
        doc = nlp.make_doc(sample.text)
        doc.cats = {label: float(label in sample.labels) for label in spec.label_names}
        return doc

    def from_doc(self, doc: Doc) -> Sample:
        return Sample(text=doc.text, labels=[k for k, v in doc.cats.items() if v >= 0.5])

    def prediction(self, doc: Doc, spec: TaskSpec) -> List[str]:
        return predicted_labels(doc.cats, spec.exclusive)

    def is_correct(self, sample: Sample, prediction: List[str]) -> bool:
        return sorted(prediction) == sorted(sample.labels)

    def describe(self, sample: Sample, prediction: List[str]) -> Dict[str, Any]:
        return {"text": sample.text, "gold": ", ".join(sample.labels), "pred": ", ".join(prediction) or "(none)"}

    def example(self, sample: Sample) -> Dict[str, Any]:
        return {"text": sample.text, "label": ", ".join(sample.labels)}

    def score(self, examples: List[Example], spec: TaskSpec) -> Dict[str, Any]:
        """spaCy's textcat scores plus accuracy (exact match of the label set)."""
        scores = Scorer.score_cats(examples, "cats", labels=spec.label_names, multi_label=not spec.exclusive)
        exact = [
            predicted_labels(eg.predicted.cats, spec.exclusive) == predicted_labels(eg.reference.cats, spec.exclusive)
            for eg in examples
        ]
        return {**scores, "accuracy": sum(exact) / len(exact) if exact else 0.0}

    def labelled_fields(self, result: Dict[str, Any]) -> Dict[str, Any]:
        return {
            "labels": result.get("labels", []),
            "confidence": result.get("confidence"),
            "scores": result.get("scores"),
            "label_error": result.get("error", ""),
        }
