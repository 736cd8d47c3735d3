"""Parsers for teacher answers. They never raise on bad output: they return what they could
read and the rejected lines with a reason, so that every drop is counted and kept."""
import re
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple

# "HARD: text", "2. EASY - text", "**HARD 1:** text", "HARD-1: text"; a dash is a separator only
# with a space after it, so "Hard-to-classify examples:" and "Easy-going ..." are not texts
_TAGGED = re.compile(
    r"^\s*(?:[-*•]\s*|\d+\s*[.)]\s*)?\**\s*(HARD|EASY|TEXT)\s*\**\s*(?:[-–#]?\s*\d+\s*)?(?::|[-–—](?=\s))\s*\**\s*(.*)$", re.I
)
_PLACEHOLDER = re.compile(r"^<[^>]*>$")
_QUOTE_PAIRS = {'"': '"', "“": "”", "'": "'", "‘": "’", "`": "`"}
MAX_TEXT_CHARS = 1000


_TRAILING_NOTE = re.compile(r"\s*[\(\[]\s*(?:label\s*:\s*)?([\w-]+)\s*[\)\]]\s*$", re.I)


def _strip_quotes(text: str) -> str:
    """Remove quotes around the whole text, not those of a quotation inside it ('"Go," he said,
    "now"' keeps its quotes; an apostrophe inside a word does not count as a quote)."""
    while len(text) >= 2 and _QUOTE_PAIRS.get(text[0]) == text[-1]:
        inner = text[1:-1]
        quotes = {text[0], text[-1]}
        if any(ch in quotes and not (0 < i < len(inner) - 1 and inner[i - 1].isalnum() and inner[i + 1].isalnum())
               for i, ch in enumerate(inner)):
            break
        text = inner.strip()
    return text


def clean_text(text: str, labels: Optional[Sequence[str]] = None) -> str:
    """Strip whitespace, quotes around the text and a trailing "(LABEL)" note from a generated text.
    With `labels`, only a note naming one of them is removed ("... Organization (WHO)" keeps its
    acronym); without, any upper-case note."""
    text = text.strip()
    note = _TRAILING_NOTE.search(text)
    if note:
        named = note.group(1)
        if labels is not None and named.lower() in {label.lower() for label in labels}:
            text = text[: note.start()]
        elif labels is None and re.fullmatch(r"[A-Z_]{2,}", named):
            text = text[: note.start()]
    return " ".join(_strip_quotes(text.strip()).split())


def parse_tagged_lines(
    response: str, n_hard: int, n_easy: int, n_text: int = 0, labels: Optional[Sequence[str]] = None
) -> Tuple[List[Dict[str, str]], List[Dict[str, str]]]:
    """Read `HARD: text` / `EASY: text` (and `TEXT: text`, for untagged generation) lines;
    returns (items, rejects with reasons). `labels` tells `clean_text` which notes to remove."""
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
        tag, text = match.group(1).lower(), clean_text(match.group(2), labels)
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


_NEGATION = re.compile(r"(?:\bnot|\bno|n't|\bnever|\bneither|\bnor)\s+(?:(?:a|an|the|very|really|so|at all)\s+)?$", re.I)
_FENCE = re.compile(r"^\s*```\w*\s*$")


@lru_cache(maxsize=4096)
def _word_pattern(word: str) -> "re.Pattern[str]":
    """A whole-word pattern for a label or verbaliser; "_", "-" and spaces in it match one another.
    One-letter words (labels "A", "B") match in their own case only, never the article "a"."""
    body = r"[\s_-]+".join(re.escape(part) for part in re.split(r"[\s_-]+", word.strip()))
    return re.compile(r"(?<![\w-])" + body + r"(?![\w-])", 0 if len(word.strip()) == 1 else re.I)


def label_mentions(line: str, words: Dict[str, Sequence[str]]) -> Tuple[List[Tuple[int, str]], bool]:
    """(start, label) of each label named in `line` through one of its `words`, in order, and
    whether a label was named only negated ("not positive"). A mention inside a longer one of
    another label ("sarcastic" in "not sarcastic" for NOT_SARCASTIC) is not counted."""
    spans = [(m.start(), m.end(), label) for label, ws in words.items() for w in ws for m in _word_pattern(w).finditer(line)]
    inside = {(a, b, lab) for a, b, lab in spans for c, d, other in spans if other != lab and c <= a and b <= d and (d - c) > (b - a)}
    kept, negated = [], False
    for start, end, label in sorted(set(spans) - inside):
        if _NEGATION.search(line[:start]):
            negated = True
        elif label not in [lab for _, lab in kept]:
            kept.append((start, label))
    return kept, negated and not kept


def answer_line(response: str, words: Dict[str, Sequence[str]]) -> str:
    """The line of an answer that names a label: the first one that does (skipping a preamble
    like "The answer is:" and code fences), else the first line."""
    lines = [line for line in response.strip().splitlines() if line.strip() and not _FENCE.match(line)]
    return next((line for line in lines if any(_word_pattern(w).search(line) for ws in words.values() for w in ws)), (lines or [""])[0])


def parse_label_answer(response: str, labels: Sequence[str], exclusive: bool) -> Tuple[List[str], str]:
    """Find label names in a free-text answer. Returns (labels, error); error is '' when fine."""
    if not response or not response.strip():
        return [], "empty_response"
    words = {label: [label] for label in labels}
    found, negated = label_mentions(answer_line(response, words), words)
    names = [label for _, label in found]
    if not names:
        return [], "negated" if negated else "off_label"
    if exclusive and len(names) > 1:
        return [], "ambiguous"
    return names, ""
