"""Read an unlabelled pool: JSONL (a "text" per line; any labels are ignored), plain text
(one document a line), CSV with a `text` column, a DocBin, or CoNLL-style token lines (a sentence
a document; any tags are ignored)."""
from pathlib import Path
from typing import List, Set

from ..data.csv_files import csv_rows
from ..data.files import existing_file, read_text
from ..data.readers import jsonl_records, read_samples
from ..errors import DataError
from ..loop.filters import normalise
from ..util.scripts import join_tokens


def read_pool(path: str, key: str = "pool.path", exclude: Set[str] = frozenset(), lang: str = "en") -> List[str]:
    """The pool's texts in file order, without duplicates and without texts whose normalised
    form is in `exclude` (seeds, dev and test texts); `lang` joins a CoNLL file's tokens."""
    file = existing_file(path, key)
    suffix = file.suffix.lower()
    if suffix in (".jsonl", ".json"):
        texts = _jsonl_texts(file, key)
    elif suffix in (".csv", ".tsv"):
        texts = _csv_texts(file, key, "\t" if suffix == ".tsv" else ",")
    elif suffix == ".spacy":
        texts = [sample.text for sample in read_samples(str(file), key, allow_empty=True)]
    elif suffix in (".conll", ".bio", ".iob"):
        texts = _conll_texts(file, key, lang)
    elif suffix in PLAIN_TEXT:
        # lines end at "\n" only: str.splitlines() also splits a document at U+2028 and U+0085
        texts = [line.strip() for line in read_text(file, key).split("\n")]
    else:
        raise DataError(f"Unknown format for '{key}': {file}. Use .jsonl (a \"text\" per line), .txt (a document a "
                        "line), .csv (a text column), .spacy (DocBin) or .conll (token lines, a sentence a document).")
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


PLAIN_TEXT = ("", ".txt", ".text")


def _conll_texts(file: Path, key: str, lang: str = "en") -> List[str]:
    """One text a sentence of a CoNLL-style file: its first column's tokens, joined by spaces (not
    between two Chinese, Japanese or Thai characters)."""
    texts, tokens = [], []
    for line in read_text(file, key).split("\n") + [""]:
        parts = line.split("\t") if "\t" in line else line.split()
        token = parts[0].strip() if parts else ""
        if not token:
            texts.append(join_tokens(tokens, lang))
            tokens = []
        elif token != "-DOCSTART-":
            tokens.append(token)
    return texts
