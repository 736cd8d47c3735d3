"""Atomic, crash-safe file I/O: every write goes to a temporary file that is then renamed."""
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterable, List, Union

import srsly

PathLike = Union[str, Path]
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def atomic_write_bytes(path: PathLike, data: bytes) -> None:
    """Write bytes to `path` so that readers see the old file or the whole new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes owner-only files; give the usual permissions
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path: PathLike, text: str) -> None:
    """Write text (UTF-8) atomically."""
    atomic_write_bytes(path, text.encode("utf8"))


def atomic_write_json(path: PathLike, data: Any) -> None:
    """Write one JSON document atomically."""
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def jsonl_text(lines: Iterable[Any]) -> str:
    """JSON lines as the text `atomic_write_jsonl` writes."""
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def atomic_write_jsonl(path: PathLike, lines: Iterable[Any]) -> None:
    """Write JSON lines atomically."""
    atomic_write_text(path, jsonl_text(lines))


def read_json(path: PathLike) -> Any:
    """Read one JSON document."""
    return srsly.read_json(path)


def read_jsonl_lenient(path: PathLike) -> List[Dict[str, Any]]:
    """Read JSON lines, skipping a half-written last line (the trace of a crash)."""
    path = Path(path)
    if not path.exists():
        return []
    rows = []
    lines = path.read_text(encoding="utf8").splitlines()
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            if i == len(lines) - 1:
                break
            raise ValueError(f"Corrupt JSON on line {i + 1} of {path}") from None
    return rows


def atomic_copytree(src: PathLike, dst: PathLike) -> None:
    """Replace directory `dst` by a copy of `src`, never leaving a half-copied `dst`."""
    src, dst = Path(src), Path(dst)
    tmp = dst.parent / f".{dst.name}.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    shutil.copytree(src, tmp)
    old = dst.parent / f".{dst.name}.old"
    if dst.exists():
        if old.exists():
            shutil.rmtree(old)
        os.replace(dst, old)
    os.replace(tmp, dst)
    if old.exists():
        shutil.rmtree(old)
