"""Checks of labelled data against the task's label set, with errors that name the file and fix."""
from typing import List

from ..errors import DataError
from ..ty import Sample, TaskSpec


def check_labels(samples: List[Sample], spec: TaskSpec, path: str, key: str) -> None:
    """A DataError for a label outside the label set, or for a text with several labels when the
    task's labels are exclusive (text classification)."""
    unknown = sorted({lab for s in samples for lab in s.labels} - set(spec.labels))
    if unknown:
        close = {lab: known for lab in unknown for known in spec.label_names if lab.strip().lower() == known.lower()}
        hint = "".join(f" {lab!r} is written {known!r} in the label set." for lab, known in close.items())
        raise DataError(
            f"{path} ('{key}') uses label(s) {', '.join(map(repr, unknown))} that are not in the label set "
            f"({', '.join(spec.label_names)}).{hint} Fix the data or add them to 'paths.labels'."
        )
    if spec.kind == "textcat" and spec.exclusive:
        bare = next((s for s in samples if not s.labels), None)
        if bare is not None:
            raise DataError(f"{path} ('{key}'): {bare.text[:60]!r} has no label, but the task's labels are exclusive (one "
                            "a text). Give it its label, or leave it out (Prodigy: \"answer\": \"ignore\").")
    several = next((s for s in samples if len(s.labels) > 1), None) if spec.exclusive and spec.kind != "ner" else None
    if several is not None:
        raise DataError(f"{path} ('{key}'): {several.text[:60]!r} has the labels {', '.join(several.labels)}, but the task's "
                        "labels are exclusive (one a text). Fix the data, or run with --task.exclusive false (spacy project run: --vars.exclusive false).")
