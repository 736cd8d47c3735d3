"""Export each round's kept data for review: Prodigy JSONL, a DocBin, and the "needs review" subset.

A sample needs review when the student of the round before (the one its texts were written
against) disagrees with the teacher's annotation, when the teacher's label confidence is below
`min_confidence`, or (NER) when the teacher named an entity that could not be kept.
"""
from pathlib import Path
from typing import Any, Dict, List, Optional

from wasabi import msg

from ..student.docs import predict, write_docbin
from ..student.language import text_nlp
from ..tasks.ner.kind import unsure_ranges
from ..ty import Sample, TaskKind, TaskSpec
from ..util.io import atomic_write_json, atomic_write_text, jsonl_text, read_json
from ..loop.state import RunFolder
from .prodigy import to_prodigy


def review_reasons(
    samples: List[Sample], predictions: Optional[List[Any]], kind: TaskKind, min_confidence: float
) -> List[str]:
    """Per sample: why it needs review ('student_disagrees', 'low_confidence', 'unsure_entities'
    (NER: the teacher named an entity there that could not be kept, whose tokens training leaves
    unannotated, and which an accepted review would make "not an entity"), joined by '+', or '')."""
    reasons = []
    for i, sample in enumerate(samples):
        why = []
        if predictions is not None and not kind.is_correct(sample, predictions[i]):
            why.append("student_disagrees")
        if sample.confidence is not None and sample.confidence < min_confidence:
            why.append("low_confidence")
        if kind.name == "ner" and unsure_ranges(sample):
            why.append("unsure_entities")
        reasons.append("+".join(why))
    return reasons


EXPORTED = ".exported.json"  # beside the files: the sha256 of each as the last export wrote it


def write_keeping_edits(path: Path, tasks: List[Dict[str, Any]]) -> None:
    """Write tasks as JSONL; an existing file that was changed since the export wrote it (hand
    edits not imported yet) is first kept beside it as `<name>.<time>.bak`, with a warning. A file
    the export wrote and nobody changed is replaced silently, also when imported reviews changed
    what this export writes."""
    import hashlib
    import time

    new = jsonl_text(tasks)
    record = path.parent / EXPORTED
    written = read_json(record) if record.exists() else {}
    if path.exists():
        old = path.read_text(encoding="utf8")
        untouched = written.get(path.name) == hashlib.sha256(old.encode("utf8")).hexdigest()
        if old != new and not untouched:
            backup = path.with_name(f"{path.name}.{time.strftime('%Y%m%d-%H%M%S')}.bak")
            path.replace(backup)
            msg.warn(f"{path.name} was changed since it was exported (edited?): the old file is kept as {backup.name}.")
    atomic_write_text(path, new)
    atomic_write_json(record, {**written, path.name: hashlib.sha256(new.encode("utf8")).hexdigest()})


def export_round(
    folder: RunFolder, r: int, samples: List[Sample], spec: TaskSpec, kind: TaskKind, out_dir: Path, min_confidence: float
) -> Dict[str, int]:
    """Write round r's samples as `round_<r>.jsonl` (Prodigy), `round_<r>.spacy` and
    `round_<r>.needs_review.jsonl`; returns the counts."""
    import spacy

    nlp = text_nlp(spec)
    student = folder.round_model(r - 1) if r > 0 else None
    predictions = None
    if student is not None and student.exists() and samples:
        predictions = predict(spacy.load(student), [s.text for s in samples], spec, kind)
    elif r > 0:
        msg.warn(f"Round {r}: no student model of round {r - 1}, so disagreement is not checked.")
    reasons = review_reasons(samples, predictions, kind, min_confidence)
    tasks = [to_prodigy(s, spec, nlp, why) for s, why in zip(samples, reasons)]
    write_keeping_edits(out_dir / f"round_{r}.jsonl", tasks)
    write_keeping_edits(out_dir / f"round_{r}.needs_review.jsonl", [t for t, why in zip(tasks, reasons) if why])
    write_docbin(out_dir / f"round_{r}.spacy", nlp, samples, spec, kind)
    return {"samples": len(samples), "needs_review": sum(bool(why) for why in reasons)}


def export_run(settings: Any, out_dir: Path, min_confidence: float) -> Dict[int, Dict[str, int]]:
    """Export every finished generation round (reviewed answers applied); counts per round."""
    from ..loop.kinds import get_kind
    from .store import read_batch

    folder = RunFolder(settings.output, settings.corpus)
    kind = get_kind(settings.spec.kind, settings.spec.exclusive)
    counts = {}
    r = 1
    while folder.round_jsonl(r).exists() and folder.step_file(r, "filter").exists():
        counts[r] = export_round(folder, r, read_batch(folder, r), settings.spec, kind, Path(out_dir), min_confidence)
        r += 1
    return counts
