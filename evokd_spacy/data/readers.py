"""Readers for labelled text: Prodigy-style JSONL, CSV `text,label`, and spaCy DocBin."""
import csv
import json
from pathlib import Path
from typing import Any, Dict, List, Optional

from ..errors import DataError
from ..ty import Sample


def read_samples(path: Optional[str], key: str, *, allow_empty: bool = False) -> List[Sample]:
    """Read labelled samples from `path`; errors name the config `key` that points there."""
    if path is None or str(path).strip() in ("", "null", "None"):
        raise DataError(f"No file given for '{key}': set it in the config or with --{key} PATH.")
    file = Path(path)
    if not file.exists():
        raise DataError(f"File not found for '{key}': {file}. Check the path, or set --{key}.")
    suffix = file.suffix.lower()
    if suffix in (".jsonl", ".json"):
        samples = _read_jsonl(file, key)
    elif suffix in (".csv", ".tsv"):
        samples = _read_csv(file, key, delimiter="\t" if suffix == ".tsv" else ",")
    elif suffix == ".spacy":
        samples = _read_docbin(file, key)
    else:
        raise DataError(
            f"Unknown format for '{key}': {file}. Use .jsonl (Prodigy), .csv (text,label) or .spacy (DocBin)."
        )
    if not samples and not allow_empty:
        raise DataError(f"No labelled examples in {file} ('{key}'). Add examples or point '{key}' elsewhere.")
    return samples


def labels_from_record(record: Dict[str, Any]) -> Optional[List[str]]:
    """Gold labels of one Prodigy-style record, or None when it holds no accepted label."""
    answer = record.get("answer", "accept")
    if answer in ("reject", "ignore"):
        return None
    if "accept" in record and isinstance(record["accept"], list):
        return [str(x) for x in record["accept"]]
    if isinstance(record.get("cats"), dict):
        return [k for k, v in record["cats"].items() if float(v) >= 0.5]
    if isinstance(record.get("labels"), list):
        return [str(x) for x in record["labels"]]
    if record.get("label") not in (None, ""):
        return [str(record["label"])]
    return None


def _read_jsonl(file: Path, key: str) -> List[Sample]:
    samples = []
    for i, line in enumerate(file.read_text(encoding="utf8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise DataError(f"{file}, line {i} ('{key}'): not valid JSON ({err.msg}).") from None
        if not isinstance(record, dict) or not str(record.get("text", "")).strip():
            raise DataError(f"{file}, line {i} ('{key}'): each line needs a non-empty \"text\".")
        labels = labels_from_record(record)
        if labels is None:
            continue
        samples.append(Sample(text=str(record["text"]).strip(), labels=labels))
    return samples


def _read_csv(file: Path, key: str, delimiter: str) -> List[Sample]:
    with file.open(encoding="utf8", newline="") as f:
        reader = csv.DictReader(f, delimiter=delimiter)
        if reader.fieldnames is None or not {"text", "label"} <= set(reader.fieldnames):
            raise DataError(f"{file} ('{key}'): the first row must be a header with columns text,label.")
        samples = []
        for i, row in enumerate(reader, start=2):
            text, label = (row.get("text") or "").strip(), (row.get("label") or "").strip()
            if not text or not label:
                raise DataError(f"{file}, row {i} ('{key}'): empty text or label.")
            samples.append(Sample(text=text, labels=[lab.strip() for lab in label.split("|")]))
    return samples


def _read_docbin(file: Path, key: str) -> List[Sample]:
    import spacy
    from spacy.tokens import DocBin

    try:
        docs = list(DocBin().from_disk(file).get_docs(spacy.blank("en").vocab))
    except Exception as err:  # DocBin raises several kinds on corrupt input
        raise DataError(f"{file} ('{key}') is not a readable DocBin: {err}") from None
    return [Sample(text=d.text, labels=[k for k, v in d.cats.items() if v >= 0.5]) for d in docs]
