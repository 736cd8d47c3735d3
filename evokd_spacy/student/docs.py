"""Conversion between samples and spaCy Docs / DocBins."""
from pathlib import Path
from typing import Any, Iterable, List, Sequence

from spacy.language import Language
from spacy.tokens import Doc, DocBin

from ..ty import Sample, TaskKind, TaskSpec
from ..util.io import atomic_write_bytes


def sample_to_doc(nlp: Language, sample: Sample, spec: TaskSpec, kind: TaskKind) -> Doc:
    """A Doc with the sample's gold annotation and its provenance in `user_data["evokd"]`."""
    doc = kind.to_doc(nlp, sample, spec)
    doc.user_data["evokd"] = {
        "tag": sample.tag,
        "round": sample.round,
        "target": sample.target,
        "confidence": sample.confidence,
        **sample.meta,
    }
    return doc


def write_docbin(path: Path, nlp: Language, samples: Iterable[Sample], spec: TaskSpec, kind: TaskKind) -> int:
    """Write samples as a DocBin (atomically); returns the number of docs."""
    docbin = DocBin(store_user_data=True)
    n = 0
    for sample in samples:
        docbin.add(sample_to_doc(nlp, sample, spec, kind))
        n += 1
    atomic_write_bytes(path, docbin.to_bytes())
    return n


def predict(nlp: Language, texts: Sequence[str], spec: TaskSpec, kind: TaskKind) -> List[Any]:
    """The student's prediction for each text."""
    return [kind.prediction(doc, spec) for doc in nlp.pipe(texts)]
