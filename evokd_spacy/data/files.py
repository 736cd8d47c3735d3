"""Data files as the readers open them: a path that must exist, and UTF-8 text with errors that name the fix."""
from pathlib import Path
from typing import Optional

from ..errors import DataError


def existing_file(path: Optional[str], key: str) -> Path:
    """`path` as a Path; a missing setting or file is an error that names the config `key`."""
    if path is None or str(path).strip() in ("", "null", "None"):
        raise DataError(f"No file given for '{key}': set it in the config or with --{key} PATH.")
    file = Path(path)
    if not file.exists():
        raise DataError(f"File not found for '{key}': {file}. Check the path, or set --{key}.")
    return file


def read_text(file: Path, key: str, encoding: str = "utf-8-sig") -> str:
    """The text of a data file; a file that is not UTF-8 is an error naming where, and the fix."""
    try:
        return file.read_text(encoding=encoding)
    except UnicodeDecodeError as err:
        line = file.read_bytes()[: err.start].count(b"\n") + 1
        raise DataError(f"{file}, line {line} ('{key}'): not UTF-8 (byte {err.object[err.start:err.start + 1]!r}); "
                        "save the file as UTF-8 (e.g. from Excel: CSV UTF-8).") from None
