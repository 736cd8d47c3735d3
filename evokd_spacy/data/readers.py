"""Readers for labelled text: Prodigy-style JSONL (labels or character `spans`), CSV
`text,label`, CoNLL-style BIO files (`token<TAB>tag`), and spaCy DocBin."""
import json
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

from ..errors import DataError
from ..ty import Sample, TaskSpec
from ..util.scripts import token_separator
from .csv_files import read_csv
from .files import existing_file, read_text



def read_samples(path: Optional[str], key: str, *, allow_empty: bool = False, spec: Optional[TaskSpec] = None) -> List[Sample]:
    """Read labelled samples from `path`; errors name the config `key` that points there.

    With the task's `spec`, Prodigy records are read as the task needs: for NER an accepted
    record without spans is a sentence without entities; for two exclusive labels a rejected
    answer of one label (binary annotation, `textcat.teach`) is a text of the other."""
    file = existing_file(path, key)
    suffix = file.suffix.lower()
    if suffix in (".jsonl", ".json"):
        samples = _read_jsonl(file, key, spec)
    elif suffix in (".csv", ".tsv"):
        samples = read_csv(file, key, delimiter="\t" if suffix == ".tsv" else ",")
    elif suffix == ".spacy":
        samples = _read_docbin(file, key)
    elif suffix in (".conll", ".bio", ".iob"):
        samples = read_conll(file, key, spec.lang if spec is not None else "en")
    elif suffix == ".conllu":
        raise DataError(
            f"{file} ('{key}'): CoNLL-U files are not read, as they have no standard column for entity tags (their "
            "first column is the token's number). Save one `token<TAB>tag` line per token, with BIO tags like B-PER, "
            f"as a .conll file; for tags in column N: grep -Ev '^(#|[0-9]+[-.])' {file} | cut -f2,N > {file.with_suffix('.conll')}"
        )
    else:
        raise DataError(
            f"Unknown format for '{key}': {file}. Use .jsonl (Prodigy), .csv (text,label), .conll (BIO) or .spacy (DocBin)."
        )
    if not samples and not allow_empty:
        raise DataError(f"No labelled examples in {file} ('{key}'). Add examples or point '{key}' elsewhere.")
    return samples


def labels_from_record(record: Dict[str, Any]) -> Optional[List[str]]:
    """Gold labels of one Prodigy-style record, or None when it holds no accepted label; a
    ValueError when its `cats` are not numbers."""
    answer = record.get("answer", "accept")
    if answer in ("reject", "ignore"):
        return None
    if "accept" in record and isinstance(record["accept"], list):
        return [str(x).strip() for x in record["accept"]]
    if isinstance(record.get("cats"), dict):
        try:
            return [str(k).strip() for k, v in record["cats"].items() if float(v) >= 0.5]
        except (TypeError, ValueError):
            raise ValueError('"cats" values must be numbers, like {"POSITIVE": 1.0, "NEGATIVE": 0.0}') from None
    if isinstance(record.get("labels"), list):
        return [str(x).strip() for x in record["labels"]]
    if isinstance(record.get("labels"), str) and record["labels"].strip():
        return [record["labels"].strip()]
    if isinstance(record.get("label"), list):
        return [str(x).strip() for x in record["label"]]
    if record.get("label") not in (None, ""):
        return [str(record["label"]).strip()]
    return None


def jsonl_records(file: Path, key: str) -> Iterator[Tuple[int, Dict[str, Any]]]:
    """(line number, record) of each non-blank line; bad JSON or a missing "text" names the line."""
    # lines end at "\n" only: str.splitlines() also breaks at U+2028 and U+0085, which JSON may hold raw
    for i, line in enumerate(read_text(file, key).split("\n"), start=1):
        line = line.lstrip("\ufeff")  # a byte-order mark mid-file, where files were concatenated
        if not line.strip():
            continue
        if line.lstrip().startswith("["):
            raise DataError(f"{file}, line {i} ('{key}'): a JSON array; give one JSON object a line (JSON Lines, "
                            'like {"text": "...", "label": "..."}).')
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise DataError(f"{file}, line {i} ('{key}'): not valid JSON ({err.msg}).") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not record["text"].strip():
            raise DataError(f"{file}, line {i} ('{key}'): each line needs a non-empty \"text\".")
        yield i, record


def _read_jsonl(file: Path, key: str, spec: Optional[TaskSpec] = None) -> List[Sample]:
    samples, unlabelled, rejected = [], [], []
    ner = spec is not None and spec.kind == "ner"
    other = _other_label(spec)
    for i, record in jsonl_records(file, key):
        # Prodigy writes "spans" into text-classification tasks too (textcat.teach with patterns):
        # a record with no spans but a label is a text-classification sample. For NER, a record
        # without spans (Prodigy's ner.manual leaves them out) is a sentence without entities.
        has_spans = isinstance(record.get("spans"), list)
        textcat = spec is not None and not ner
        entity_free = ner and not has_spans and record.get("answer") == "accept" and _no_label(record)
        if (has_spans and not textcat and (record["spans"] or _no_label(record))) or entity_free:
            sample = _spans_sample({**record, "spans": record.get("spans") or []}, file, i, key)
            if sample is not None:
                samples.append(sample)
            continue
        try:
            labels = labels_from_record(record)
        except ValueError as err:
            raise DataError(f"{file}, line {i} ('{key}'): {err}.") from None
        if labels is None and record.get("answer") == "reject" and isinstance(record.get("label"), str):
            label = record["label"].strip()
            if other and label in other:
                labels = [other[label]]  # "not POSITIVE" of two exclusive labels is NEGATIVE
            else:
                rejected.append(i)
        if labels is None:
            if record.get("answer", "accept") not in ("reject", "ignore"):
                unlabelled.append(i)
            continue
        samples.append(Sample(text=str(record["text"]).strip(), labels=labels))
    from wasabi import msg

    if unlabelled and samples:
        give = ('its "spans" (an empty list for a sentence without entities) or "answer": "accept"' if ner
                else 'a "label", "labels", "accept" or "cats"')
        msg.warn(f"{file} ('{key}'): skipped {len(unlabelled)} record(s) with no label (line {_lines(unlabelled)}); "
                 f'give each {give}, or mark it "answer": "ignore".')
    if rejected and spec is not None and spec.kind == "textcat":
        msg.warn(f"{file} ('{key}'): skipped {len(rejected)} rejected answer(s) (line {_lines(rejected)}). A reject says "
                 "which label a text does not have, so it names the text's label only in a task with two exclusive "
                 "labels (a rejected A is B); give those texts their label to use them.")
    return samples


def _lines(numbers: List[int]) -> str:
    return ", ".join(map(str, numbers[:5])) + (", …" if len(numbers) > 5 else "")


def _other_label(spec: Optional[TaskSpec]) -> Dict[str, str]:
    """For a text-classification task with two exclusive labels, each label's other one."""
    if spec is None or spec.kind != "textcat" or not spec.exclusive or len(spec.labels) != 2:
        return {}
    first, second = spec.label_names
    return {first: second, second: first}


def _no_label(record: Dict[str, Any]) -> bool:
    try:
        return labels_from_record(record) is None
    except ValueError:
        return False


def _spans_sample(record: Dict[str, Any], file: Path, line: int, key: str) -> Optional[Sample]:
    """An NER sample from a Prodigy record with character `spans` (text is kept as is)."""
    if record.get("answer", "accept") in ("reject", "ignore"):
        return None
    text = str(record["text"])
    spans = []
    for span in record["spans"]:
        try:
            start, end, label = int(span["start"]), int(span["end"]), str(span["label"])
        except (KeyError, TypeError, ValueError):
            raise DataError(f"{file}, line {line} ('{key}'): each span needs start, end and label.") from None
        if not 0 <= start < end <= len(text):
            raise DataError(f"{file}, line {line} ('{key}'): span {start}-{end} is outside the text.")
        if [start, end, label] not in spans:  # the same span twice (a merged export) is one entity
            spans.append([start, end, label])
    clash = overlapping_spans(spans)
    if clash:
        raise DataError(f"{file}, line {line} ('{key}'): spans {clash} overlap; an entity recognizer takes one entity "
                        "per token, so keep one of them.")
    return Sample(text=text, labels=sorted({s[2] for s in spans}), spans=sorted(spans))


def overlapping_spans(spans: List[List[Any]]) -> str:
    """The first two spans that share characters, as "a-b LABEL and c-d LABEL" ("" when none do)."""
    ordered = sorted(spans)
    for before, after in zip(ordered, ordered[1:]):
        if after[0] < before[1]:
            return f"{before[0]}-{before[1]} {before[2]} and {after[0]}-{after[1]} {after[2]}"
    return ""


def read_conll(file: Path, key: str, lang: str = "en") -> List[Sample]:
    """Sentences from a `token<TAB>tag` file, tags in IOB/BIO, BIOES or BILOU; blank lines (or a
    lone tab) separate sentences, and CoNLL-2003's `-DOCSTART-` lines are skipped. Tokens are joined
    by spaces, except in Chinese, Japanese or Thai (`lang`) between two characters of those scripts."""
    samples: List[Sample] = []
    tokens: List[Tuple[str, str]] = []
    text = read_text(file, key)
    # lines end at "\n" only: str.splitlines() also breaks at characters such as U+2028 inside tokens
    for i, line in enumerate(text.split("\n") + [""], start=1):
        line = line.rstrip("\r").replace("\ufeff", "")  # byte-order marks, also mid-file where files were concatenated
        if line.strip() == "":
            if tokens:
                samples.append(_bio_sample(tokens, lang))
                tokens = []
            continue
        parts = [part for part in (line.split("\t") if "\t" in line else line.split()) if part.strip()]
        if parts[0].strip() == "-DOCSTART-":
            continue
        if len(parts) < 2:
            raise DataError(f"{file}, line {i} ('{key}'): expected 'token<TAB>tag', got {line!r}.")
        tag = parts[-1].strip()
        prefix, _, label = tag.partition("-")
        if tag != "O" and (prefix not in TAG_PREFIXES or not label):
            raise DataError(f"{file}, line {i} ('{key}'): tag {tag!r} is not O or B-, I-, E-, S-, L-, U- and a label "
                            "(IOB, BIOES or BILOU tags, like B-PER).")
        tokens.append((parts[0].strip(), tag))
    return samples


TAG_PREFIXES = ("B", "I", "E", "S", "L", "U")  # begin, inside, end/last, single/unit


def _bio_sample(tokens: List[Tuple[str, str]], lang: str = "en") -> Sample:
    text, spans, offset = "", [], 0
    current: Optional[List[Any]] = None
    for word, tag in tokens:
        separator = token_separator(text, word, lang) if text else ""
        start = offset + len(separator)
        text = f"{text}{separator}{word}"
        offset = start + len(word)
        prefix, _, label = tag.partition("-")
        continues = prefix in ("I", "E", "L") and current is not None and current[2] == label
        if continues:
            current[1] = offset
        elif prefix in TAG_PREFIXES:  # B, S, U, or an I/E/L with no entity of its label open
            current = [start, offset, label]
            spans.append(current)
        else:
            current = None
        if prefix in ("E", "L", "S", "U"):
            current = None
    return Sample(text=text, labels=sorted({s[2] for s in spans}), spans=spans)


def _read_docbin(file: Path, key: str) -> List[Sample]:
    import spacy
    from spacy.tokens import DocBin

    try:
        docs = list(DocBin().from_disk(file).get_docs(spacy.blank("en").vocab))
    except Exception as err:  # DocBin raises several kinds on corrupt input
        raise DataError(f"{file} ('{key}') is not a readable DocBin: {err}") from None
    samples = []
    for doc in docs:
        spans = [[e.start_char, e.end_char, e.label_] for e in doc.ents]
        labels = [k for k, v in doc.cats.items() if v >= 0.5] or sorted({s[2] for s in spans})
        samples.append(Sample(text=doc.text, labels=labels, spans=spans))
    return samples
