"""Start-up check of a run folder's data files, so a resumed run never trains on a damaged file.

Every file is written atomically, so damage comes from outside (a full disk, a copy cut short,
a hand edit). A finished step whose data file is damaged is set aside and runs again; its inputs
are kept (and its teacher calls cached), so it writes the same data again without new calls.
"""
import json
from pathlib import Path
from typing import List, Optional

from wasabi import msg

from ..util.io import atomic_write_jsonl
from .state import RunFolder


def batch_problem(folder: RunFolder, r: int, expected: Optional[int]) -> str:
    """What is wrong with round r's batch files (JSONL and DocBin), or '' when they are whole."""
    jsonl, docbin = folder.round_jsonl(r), folder.round_docbin(r)
    if not jsonl.exists() or not docbin.exists():
        return f"{jsonl.name} or {docbin.name} is missing"
    try:
        n_lines = len([json.loads(line) for line in jsonl.read_text(encoding="utf8").splitlines() if line.strip()])
    except (ValueError, UnicodeDecodeError):
        return f"{jsonl} is not valid JSON lines"
    n_docs = docbin_size(docbin)
    if n_docs is None:
        return f"{docbin} is not a readable DocBin (truncated?)"
    if n_docs != n_lines or (expected is not None and n_lines != expected):
        return f"{jsonl.name} has {n_lines} samples and {docbin.name} {n_docs}, expected {expected if expected is not None else n_lines}"
    return ""


def docbin_size(path: Path) -> Optional[int]:
    """Number of docs in a DocBin file, or None when it cannot be read."""
    from spacy.tokens import DocBin

    try:
        return len(DocBin().from_bytes(path.read_bytes()))
    except Exception:  # zlib, msgpack and key errors all mean the same here
        return None


def check_run_files(folder: RunFolder, rounds: int) -> List[str]:
    """Check the files of every finished step; set aside those with damaged data. Returns the problems."""
    problems = []
    for r in range(rounds + 1):
        batch_written = folder.round_jsonl(r).exists() or folder.round_docbin(r).exists()
        if r == 0 and batch_written:
            problem = batch_problem(folder, 0, None)
            if problem:  # the seeds' batch is rewritten by `prepare`
                folder.round_jsonl(0).unlink(missing_ok=True)
                folder.round_docbin(0).unlink(missing_ok=True)
        elif r > 0 and folder.is_done(r, "filter"):
            problem = batch_problem(folder, r, int(folder.load_step(r, "filter")["kept"]))
            if problem:
                folder.set_aside(r, "filter", f"is finished but {problem}")
        else:
            problem = ""
        model = folder.round_model(r)
        if folder.is_done(r, "train") and not all((model / name).exists() for name in ("config.cfg", "meta.json")):
            problem = problem or f"the model of round {r} is incomplete ({model})"
            folder.set_aside(r, "train", "is finished but its model is incomplete")
            folder.set_aside(r, "metrics", "depends on the retrained model")
            folder.forget_best_copy(r)
        if problem:
            msg.warn(f"Round {r}: {problem}. Rebuilding it from the last good step.")
            problems.append(f"round {r}: {problem}")
    problem = repair_metrics(folder)
    return problems + ([problem] if problem else [])


STEP_KEYS = ("step_seconds", "step_teacher")  # what a saved metrics step holds besides its metrics line


def repair_metrics(folder: RunFolder) -> str:
    """Rewrite `metrics.jsonl` when a line is damaged or a finished round's line is missing (a copy
    cut short): each round's line is also saved as its metrics step. Returns the problem ('' if none)."""
    saved = {}
    for step in sorted(folder.output.glob("rounds/round_*/metrics.json")):
        r = int(step.parent.name.split("_")[-1])
        if folder.is_done(r, "metrics"):
            saved[r] = {k: v for k, v in folder.load_step(r, "metrics").items() if k not in STEP_KEYS}
    try:
        lines = {m.get("round"): m for m in folder.read_metrics()}
        problem = f"{folder.metrics.name} lacks the line of round(s) {', '.join(map(str, sorted(set(saved) - set(lines))))}"
    except ValueError as err:
        lines, problem = {}, str(err)
    if set(saved) <= set(lines):
        return ""
    msg.warn(f"{problem}. Rebuilding it from the rounds' saved metrics.")
    merged = {**saved, **lines}  # a whole line on file stands
    atomic_write_jsonl(folder.metrics, [merged[r] for r in sorted(merged)])
    return problem
