"""Conversion between samples and spaCy Docs / DocBins."""
from pathlib import Path
from typing import Iterable, List, Sequence

from spacy.language import Language
from spacy.tokens import Doc, DocBin

from ..ty import Sample, TaskSpec
from ..util.io import atomic_write_bytes


def sample_to_doc(nlp: Language, sample: Sample, spec: TaskSpec) -> Doc:
    """A Doc with gold `cats` for every label and the sample's provenance in `user_data`."""
    doc = nlp.make_doc(sample.text)
    doc.cats = {label: float(label in sample.labels) for label in spec.label_names}
    doc.user_data["evokd"] = {
        "tag": sample.tag,
        "round": sample.round,
        "target": sample.target,
        "confidence": sample.confidence,
        **sample.meta,
    }
    return doc


def write_docbin(path: Path, nlp: Language, samples: Iterable[Sample], spec: TaskSpec) -> int:
    """Write samples as a DocBin (atomically); returns the number of docs."""
    docbin = DocBin(store_user_data=True)
    n = 0
    for sample in samples:
        docbin.add(sample_to_doc(nlp, sample, spec))
        n += 1
    atomic_write_bytes(path, docbin.to_bytes())
    return n


def read_docbin_samples(path: Path, nlp: Language) -> List[Sample]:
    """Samples back from a DocBin written by `write_docbin`."""
    samples = []
    for doc in DocBin().from_disk(path).get_docs(nlp.vocab):
        info = dict(doc.user_data.get("evokd", {}))
        samples.append(
            Sample(
                text=doc.text,
                labels=[k for k, v in doc.cats.items() if v >= 0.5],
                tag=info.pop("tag", "seed"),
                round=int(info.pop("round", 0)),
                target=info.pop("target", None),
                confidence=info.pop("confidence", None),
                meta=info,
            )
        )
    return samples


def predicted_labels(cats: dict, exclusive: bool, threshold: float = 0.5) -> List[str]:
    """Labels from a textcat's scores: the top one, or all above `threshold` for multi-label."""
    if not cats:
        return []
    if exclusive:
        return [max(cats, key=cats.get)]
    return sorted(label for label, score in cats.items() if score >= threshold)


def predict(nlp: Language, texts: Sequence[str], exclusive: bool) -> List[List[str]]:
    """Predicted labels for each text."""
    return [predicted_labels(doc.cats, exclusive) for doc in nlp.pipe(texts)]
