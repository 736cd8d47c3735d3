"""Parsers for teacher answers. They never raise on bad output: they return what they could
read and the rejected lines with a reason, so that every drop is counted and kept."""
import re
from typing import Dict, List, Sequence, Tuple

_TAGGED = re.compile(r"^\s*(?:[-*•]\s*|\d+\s*[.)]\s*)?\**\s*(HARD|EASY|TEXT)\s*\**\s*(?:\d+\s*)?[:\-–]\s*(.*)$", re.I)
_PLACEHOLDER = re.compile(r"^<[^>]*>$")
_QUOTES = "\"'“”‘’`"
MAX_TEXT_CHARS = 1000


_TRAILING_LABEL = re.compile(r"\s*[\(\[](?:label\s*:\s*)?[A-Z_]{2,}[\)\]]\s*$")


def clean_text(text: str) -> str:
    """Strip whitespace, matching quotes and a trailing "(LABEL)" note from a generated text."""
    text = _TRAILING_LABEL.sub("", text.strip())
    while len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    return " ".join(text.split())


def parse_tagged_lines(
    response: str, n_hard: int, n_easy: int, n_text: int = 0
) -> Tuple[List[Dict[str, str]], List[Dict[str, str]]]:
    """Read `HARD: text` / `EASY: text` (and `TEXT: text`, for untagged generation) lines;
    returns (items, rejects with reasons)."""
    items: List[Dict[str, str]] = []
    rejects: List[Dict[str, str]] = []
    if not response or not response.strip():
        return items, [{"line": response or "", "reason": "empty_response"}]
    wanted = {"hard": n_hard, "easy": n_easy, "text": n_text}
    for line in response.splitlines():
        if not line.strip():
            continue
        match = _TAGGED.match(line)
        if match is None:
            rejects.append({"line": line, "reason": "unparseable"})
            continue
        tag, text = match.group(1).lower(), clean_text(match.group(2))
        if not text or _PLACEHOLDER.match(text):
            rejects.append({"line": line, "reason": "empty"})
        elif len(text) > MAX_TEXT_CHARS:
            rejects.append({"line": line[:200] + "…", "reason": "too_long"})
        elif wanted[tag] <= 0:
            rejects.append({"line": line, "reason": "surplus"})
        else:
            wanted[tag] -= 1
            items.append({"text": text, "tag": tag})
    return items, rejects


def parse_label_answer(response: str, labels: Sequence[str], exclusive: bool) -> Tuple[List[str], str]:
    """Find label names in a free-text answer. Returns (labels, error); error is '' when fine."""
    if not response or not response.strip():
        return [], "empty_response"
    first = response.strip().splitlines()[0]
    by_lower = {label.lower(): label for label in labels}
    found = []
    for label_lower, label in by_lower.items():
        if re.search(r"(?<![\w-])" + re.escape(label_lower) + r"(?![\w-])", first.lower()):
            found.append((first.lower().index(label_lower), label))
    found.sort()
    names = [label for _, label in found]
    if not names:
        return [], "off_label"
    if exclusive and len(names) > 1:
        return [], "ambiguous"
    return names, ""
