"""Read an unlabelled pool: JSONL (a "text" per line; any labels are ignored), plain text
(one document a line) or CSV with a `text` column."""
from pathlib import Path
from typing import List, Set

from ..data.readers import csv_rows, existing_file, jsonl_records, read_text
from ..errors import DataError
from ..loop.filters import normalise


def read_pool(path: str, key: str = "pool.path", exclude: Set[str] = frozenset()) -> List[str]:
    """The pool's texts in file order, without duplicates and without texts whose normalised
    form is in `exclude` (seeds, dev and test texts)."""
    file = existing_file(path, key)
    suffix = file.suffix.lower()
    if suffix in (".jsonl", ".json"):
        texts = _jsonl_texts(file, key)
    elif suffix in (".csv", ".tsv"):
        texts = _csv_texts(file, key, "\t" if suffix == ".tsv" else ",")
    else:
        # lines end at "\n" only: str.splitlines() also splits a document at U+2028 and U+0085
        texts = [line.strip() for line in read_text(file, key).split("\n")]
    seen, kept = set(exclude), []
    for text in texts:
        norm = normalise(text)
        if norm and norm not in seen:
            seen.add(norm)
            kept.append(text)
    if not kept:
        raise DataError(f"No usable text in {file} ('{key}'): it is empty, or every text is a seed, dev or test text.")
    return kept


def _jsonl_texts(file: Path, key: str) -> List[str]:
    return [str(record["text"]).strip() for _, record in jsonl_records(file, key)]


def _csv_texts(file: Path, key: str, delimiter: str) -> List[str]:
    return [(row.get("text") or "").strip() for _, row in csv_rows(file, key, delimiter, ("text",))]
