"""CSV and TSV files with a header: rows with their line numbers, and labelled samples (`text,label`)."""
import csv
import io
import re
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

from wasabi import msg

from ..errors import DataError
from ..ty import Sample
from .files import read_text


def csv_rows(file: Path, key: str, delimiter: str, columns: Tuple[str, ...]) -> Iterator[Tuple[int, Dict[str, str]]]:
    """(line number, row) of a CSV file whose header names `columns`; a header without them, or a
    row with more fields than the header (an unquoted comma), is an error naming the line.

    A TSV file is read with CSV quoting (as csv.writer and pandas write it) when its quotes follow
    those rules; else (a text that starts with a quote, or a quote that never closes) it is read
    without quoting, as TSV is mostly written, with a warning naming the line."""
    text = read_text(file, key)
    try:
        rows = list(_rows(text, file, key, delimiter, columns, csv.QUOTE_MINIMAL, strict=delimiter == "\t"))
        if delimiter == "\t":  # a quoted text over lines that holds a tab: an unclosed quote closed by a later row's
            merged = next((first for first, last, row in rows if last > first and any("\t" in (v or "") for v in row.values())), None)
            if merged is not None:
                raise QuotingError(merged, "a quoted text runs over lines and holds a tab, like rows of their own")
        if delimiter != "\t":
            _warn_dropped_quotes(text, file, key, delimiter, columns)
    except QuotingError as err:
        if delimiter != "\t":
            raise DataError(f"{file}, line {err.line} ('{key}'): {err.reason}; check the quotes there.") from None
        reason = err.reason.replace("\t", "\\t")  # the csv module's message may hold a raw tab
        msg.warn(f"{file}, line {err.line} ('{key}'): a quote there does not follow CSV quoting ({reason}); reading the "
                 "file without quoting, as plain tab-separated lines.")
        rows = list(_rows(text, file, key, delimiter, columns, csv.QUOTE_NONE))
    warned = False
    for first, last, row in rows:
        values = [value for name, value in row.items() if name is not None] + list(row.get(None) or [])
        if not warned and last > first and any(delimiter in line for value in values for line in (value or "").split("\n")[1:]):
            warned = True
            msg.warn(f"{file}, lines {first}-{last} ('{key}'): one quoted text runs over {last - first + 1} lines that hold "
                     f"{delimiter!r} like rows of their own. If a text starts with a quote that does not close it, the rows "
                     'after it were read as its text: double the quote ("") or quote the whole text.')
        yield first, row


def _warn_dropped_quotes(text: str, file: Path, key: str, delimiter: str, columns: Tuple[str, ...]) -> None:
    """Warn about the first row that strict CSV quoting cannot read: read leniently, as a CSV file
    is, the quotes of a text that starts with a quoted word (`"Best" film ever,POS`) are dropped."""
    try:
        for _ in _rows(text, file, key, delimiter, columns, csv.QUOTE_MINIMAL, strict=True):
            pass
    except QuotingError as err:
        lines = text.split("\n")
        line = lines[err.line - 1] if 0 < err.line <= len(lines) else ""
        if not re.search(f'(^|{re.escape(delimiter)})\\s*"[^"]*"[ \\t]*[^\\s{re.escape(delimiter)}"]', line):
            return  # not a quoted word followed by more text (a space after a closing quote, a quote left open)
        msg.warn(f"{file}, line {err.line} ('{key}'): a quote there does not follow CSV quoting ({err.reason}), so the "
                 'text is read without those quotes (`"Best" film ever` as `Best film ever`). To keep them, quote the '
                 'whole text and double each quote in it: """Best"" film ever",POS.')
    except DataError:  # the lenient reading decides what is an error
        pass


class QuotingError(Exception):
    """A row the csv module cannot read under its quoting rules, with the line the row starts on."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line, self.reason = line, reason


def _rows(
    text: str, file: Path, key: str, delimiter: str, columns: Tuple[str, ...], quoting: int, strict: bool = False
) -> Iterator[Tuple[int, int, Dict[str, str]]]:
    """(first line, last line, row) of each row that is not empty, after the header check; a
    QuotingError for a row the quoting rules cannot read."""
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting, strict=strict)
    try:
        fields = reader.fieldnames
    except csv.Error as err:
        raise QuotingError(1, str(err)) from None
    if fields is None or not set(columns) <= set(fields):
        named = f"a `{columns[0]}` column" if len(columns) == 1 else f"columns {','.join(columns)}"
        raise DataError(f"{file} ('{key}'): the first row must be a header with {named} (lower case, separated by "
                        f"{delimiter!r}); it has {list(fields or [])}.")
    last = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise QuotingError(last + 1, str(err)) from None
        first, last = last + 1, reader.line_num  # a quoted field may span lines: the row's first line names it
        values = [value for name, value in row.items() if name is not None] + list(row.get(None) or [])
        if not any((value or "").strip() for value in values):
            continue  # a row of empty fields (",,", as spreadsheets write below the data)
        if None in row:
            fix = ('put a text that holds a comma in double quotes ("Good, but slow",NEGATIVE)' if delimiter == ","
                   else "put a text that holds a tab in double quotes")
            raise DataError(f"{file}, line {first} ('{key}'): more fields than the header's columns; {fix}.")
        yield first, last, row


LABEL_COLUMNS = ("label", "labels", "category", "intent", "class")  # the first the header has holds the labels


def read_csv(file: Path, key: str, delimiter: str) -> List[Sample]:
    """Samples of a `text,label` file (`A|B` for several labels; the label column may be named as in
    LABEL_COLUMNS, such as `category`); an empty text or label names its line."""
    samples, column = [], ""
    for line, row in csv_rows(file, key, delimiter, ("text",)):
        column = column or label_column(list(row), file, key)
        text, label = (row.get("text") or "").strip(), (row.get(column) or "").strip()
        labels = [lab.strip() for lab in label.split("|") if lab.strip()]
        if not text or not labels:
            raise DataError(f"{file}, line {line} ('{key}'): empty text or label.")
        samples.append(Sample(text=text, labels=labels))
    return samples


def label_column(header: List[str], file: Path, key: str) -> str:
    """The column of a CSV header that holds the labels (the first of LABEL_COLUMNS it has), with
    a note when it is not `label`; a DataError when it has none."""
    column = next((name for name in LABEL_COLUMNS if name in header), None)
    if column is None:
        raise DataError(f"{file} ('{key}'): the header has no label column: name it `label` (or one of "
                        f"{', '.join(LABEL_COLUMNS[1:])}); it has {[name for name in header if name is not None]}.")
    if column != "label":
        msg.info(f"{file} ('{key}'): labels read from the column `{column}`.")
    return column
