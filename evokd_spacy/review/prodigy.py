"""Samples as Prodigy tasks and back.

Text classification uses Prodigy's choice format (`options`, `accept`, `answer`), which holds
both exclusive and multi-label tasks; NER uses `tokens` and `spans` with character offsets and
token indices (`token_end` inclusive, as Prodigy writes it). `meta` says where a task came from.
"""
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from spacy.language import Language

from ..data.readers import overlapping_spans
from ..errors import DataError
from ..tasks.ner.kind import unsure_drops
from ..ty import Sample, TaskSpec

ANSWERS = ("accept", "reject", "ignore")


def to_prodigy(sample: Sample, spec: TaskSpec, nlp: Language, reason: str = "") -> Dict[str, Any]:
    """A Prodigy task for one sample (its teacher annotation pre-accepted)."""
    meta = {"round": sample.round, "tag": sample.tag, "target": sample.target, "confidence": sample.confidence}
    if reason:
        meta["needs_review"] = reason
    unsure = [{k: drop.get(k) for k in ("text", "label", "reason")} for drop in unsure_drops(sample)]
    if unsure:  # what the teacher named but could not be kept: add it or leave it out
        meta["unsure_entities"] = unsure
    task: Dict[str, Any] = {"text": sample.text, "answer": "accept", "meta": meta}
    if spec.kind == "ner":
        doc = nlp.make_doc(sample.text)
        task["tokens"] = [
            {"text": t.text, "start": t.idx, "end": t.idx + len(t.text), "id": t.i, "ws": bool(t.whitespace_)} for t in doc
        ]
        task["spans"] = []
        for start, end, label in sample.spans:
            span = doc.char_span(start, end, alignment_mode="expand")  # offsets and token indices of the same tokens
            where = {"start": span.start_char, "end": span.end_char, "token_start": span.start, "token_end": span.end - 1} if span is not None else {"start": start, "end": end}
            task["spans"].append({**where, "label": label})
    else:
        task["options"] = [{"id": label, "text": label} for label in spec.label_names]
        task["accept"] = list(sample.labels)
        task["config"] = {"choice_style": "single" if spec.exclusive else "multiple"}
    return task


@dataclass
class Review:
    """A reviewer's answer on one text: accept (with the annotation to keep), reject or ignore."""

    text: str
    answer: str
    labels: List[str] = field(default_factory=list)
    spans: List[List[Any]] = field(default_factory=list)
    round: Optional[int] = None

    def to_dict(self) -> Dict[str, Any]:
        return {"text": self.text, "answer": self.answer, "labels": self.labels, "spans": self.spans, "round": self.round}


def from_prodigy(record: Dict[str, Any], spec: TaskSpec, where: str) -> Review:
    """Read one reviewed Prodigy task; `where` (file and line) goes into error messages."""
    text = str(record.get("text", ""))
    answer = record.get("answer", "accept")
    if not text.strip() or answer not in ANSWERS:
        raise DataError(f"{where}: each reviewed task needs a \"text\" and an \"answer\" of {', '.join(ANSWERS)}.")
    meta = record.get("meta") or {}
    r = meta.get("round") if isinstance(meta, dict) else None
    if r is not None and not (str(r).strip().isdigit() or (isinstance(r, float) and r.is_integer() and r >= 0)):
        raise DataError(f"{where}: meta.round is {r!r}; give the round's number (0, 1, 2 ...), or leave it out and import with --round N.")
    review = Review(text=text, answer=answer, round=int(r) if r is not None else None)
    binary = record.get("label") and not isinstance(record.get("accept"), list) and "options" not in record
    if spec.kind != "ner" and not spec.exclusive and binary:
        raise DataError(f"{where}: a one-label (binary) answer cannot say which labels a multi-label text has; review it "
                        "as a choice task with \"options\" and \"accept\" (as `evokd export` writes them).")
    if answer != "accept":
        return review
    if spec.kind == "ner":
        for span in record.get("spans") or []:
            try:
                start, end, label = int(span["start"]), int(span["end"]), str(span["label"])
            except (KeyError, TypeError, ValueError):
                raise DataError(f"{where}: each span needs its character \"start\" and \"end\" and a \"label\" (as Prodigy "
                                f"writes them); got {span!r}.") from None
            if not 0 <= start < end <= len(text) or label not in spec.labels:
                raise DataError(f"{where}: span {start}-{end} {label!r} is outside the text or the label set.")
            review.spans.append([start, end, label])
        clash = overlapping_spans(review.spans)
        if clash:
            raise DataError(f"{where}: spans {clash} overlap; keep one entity per token.")
        review.spans.sort()
        review.labels = sorted({s[2] for s in review.spans})
    else:
        labels = record.get("accept")
        if isinstance(labels, str):
            raise DataError(f"{where}: \"accept\" is {labels!r}; give a list of the accepted labels, like [{labels!r}].")
        if not isinstance(labels, list):
            labels = [record["label"]] if record.get("label") else []
        unknown = [label for label in labels if label not in spec.labels]
        if unknown or not labels:
            raise DataError(f"{where}: accepted labels {labels} must be one or more of {', '.join(spec.label_names)}"
                            + ("; to say the text has none of them, answer \"reject\"." if not labels else "."))
        if spec.exclusive and len(labels) > 1:
            raise DataError(f"{where}: accepted labels {labels}: the task's labels are exclusive, so accept exactly one "
                            "(or run the task with --task.exclusive false).")
        review.labels = [str(label) for label in labels]
    return review
