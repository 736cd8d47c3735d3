"""Parsers for teacher answers. They never raise on bad output: they return what they could
read and the rejected lines with a reason, so that every drop is counted and kept."""
import re
from functools import lru_cache
from typing import Callable, Dict, List, Optional, Sequence, Tuple

# "HARD: text", "2. EASY - text", "**HARD 1:** text", "**HARD 1**: text", "### HARD 1: text",
# "HARD-1: text"; a dash is a separator only with a space after it, so "Hard-to-classify examples:"
# and "Easy-going ..." are not texts. Bold or italic markers around the tag are matched in pairs
# (group 1), so emphasis around the text itself ("HARD: **text**") is left to `clean_text`.
_TAGGED = re.compile(
    r"^\s*#*\s*(?:•\s*|[-*]\s+|\d+\s*[.)]\s*)?(\*{0,2})\s*(HARD|EASY|TEXT)\s*(?:\1)?\s*(?:[-–#]?\s*\d+\s*)?(?:\1)?"
    r"\s*(?::|[-–—](?=\s))\s*(?:\1)?\s*(.*)$",
    re.I,
)
# A section heading ("Hard examples:", "**EASY texts**", "### Hard") whose list items take its tag.
# (A bold heading is bold as a pair and holds no sentence: "**Hard to believe it won.**" is a text.)
_HEADING = re.compile(r"^\s*(#*)\s*(\*\*)?\s*(HARD|EASY|TEXT)(?![a-z])[^:.!?*]{0,60}?(:?)\s*(\*\*)?\s*:?\s*$", re.I)
_LIST_ITEM = re.compile(r"^\s*(?:•|[-*]|\d+\s*[.)])\s+(.+)$")
_PLACEHOLDER = re.compile(r"^<[^>]*>$")
_QUOTE_PAIRS = {'"': '"', "“": "”", "'": "'", "‘": "’", "`": "`"}
MAX_TEXT_CHARS = 1000

_NOTE_LABELS = r"(?:labels?\s*:\s*)?([\w-]+(?:\s*[,/&]\s*[\w-]+)*)"
_TRAILING_NOTE = re.compile(r"\s*[\(\[]\s*" + _NOTE_LABELS + r"\s*[\)\]]\s*$", re.I)
_ARROW_NOTE = re.compile(r"\s+(?:->|→|=>|—|–|-)\s*" + _NOTE_LABELS + r"\s*$")
_QUOTED_WITH_REMARK = re.compile(r'^(["“])([^"“”]+)(["”])\s*\([^()]*\)\s*$')


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


def _strip_emphasis(text: str) -> str:
    """Remove markdown bold or italics around the whole text ("**text**", "*text*", "__text__"),
    not emphasis inside it ("*sigh* another sequel"), and a closing marker whose opening one went
    with the tag ("**HARD**: **text**")."""
    for marker in ("**", "__", "*"):
        inner = text[len(marker): -len(marker)]
        if len(text) > 2 * len(marker) and text.startswith(marker) and text.endswith(marker) and marker[0] not in inner:
            return inner.strip()
    for marker in ("**", "*"):
        if text.endswith(marker) and text.count("*") == len(marker):
            return text[: -len(marker)].strip()
    return text


def _names_labels(note: str, labels: Optional[Sequence[str]], case_sensitive: bool = False) -> bool:
    """Whether every part of a note ("SPORTS, POLITICS") is a label (without `labels`: upper-case)."""
    parts = [part for part in re.split(r"\s*[,/&]\s*", note.strip()) if part]
    if labels is None:
        return bool(parts) and all(re.fullmatch(r"[A-Z_]{2,}", part) for part in parts)
    known = set(labels) if case_sensitive else {label.lower() for label in labels}
    return bool(parts) and all((part if case_sensitive else part.lower()) in known for part in parts)


def clean_text(text: str, labels: Optional[Sequence[str]] = None) -> str:
    """Strip whitespace, quotes and markdown emphasis around the text and a trailing label note
    ("(LABEL)", "[SPORTS/POLITICS]", "(labels: SPORTS)", "-> SPORTS") from a generated text; a
    quoted text followed by a remark in brackets keeps the quoted part. With `labels`, only a note
    naming them is removed ("... Organization (WHO)" keeps its acronym); without, any upper-case note."""
    text = text.strip()
    for _ in range(2):  # a note inside emphasis or quotes, or emphasis inside quotes
        text = _strip_quotes(_strip_emphasis(text.strip()))
        note = _TRAILING_NOTE.search(text)
        if note and _names_labels(note.group(1), labels):
            text = text[: note.start()]
        arrow = _ARROW_NOTE.search(text) if labels is not None else None
        if arrow and _names_labels(arrow.group(1), labels, case_sensitive=True):
            text = text[: arrow.start()]
        quoted = _QUOTED_WITH_REMARK.match(text.strip())
        if quoted:
            text = quoted.group(2)
    return " ".join(_strip_quotes(_strip_emphasis(text.strip())).split())


def _heading_tag(line: str) -> Optional[str]:
    """The tag of a section heading line ("Hard examples:", "### EASY", "**Hard texts**"), else None.
    A heading ends with a colon, starts with "#" or is bold as a whole, so a text is never one."""
    match = _HEADING.match(line)
    if match is None:
        return None
    bold = bool(match.group(2)) and bool(match.group(5))
    marked = bool(match.group(1)) or bold or bool(match.group(4)) or line.rstrip().endswith(":")
    return match.group(3).lower() if marked else None


def parse_tagged_lines(
    response: str,
    n_hard: int,
    n_easy: int,
    n_text: int = 0,
    labels: Optional[Sequence[str]] = None,
    check: Optional[Callable[[str], str]] = None,
) -> Tuple[List[Dict[str, str]], List[Dict[str, str]]]:
    """Read `HARD: text` / `EASY: text` (and `TEXT: text`, for untagged generation) lines, and the
    list items under a heading ("Hard examples:" then "1. text"); a tag alone on its line takes the
    next line as its text. Returns (items, rejects with reasons). `labels` tells `clean_text` which
    notes to remove; `check(text)` returns a reason to reject a text ('' to keep it), before it
    takes one of the places asked for."""
    items: List[Dict[str, str]] = []
    rejects: List[Dict[str, str]] = []
    if not response or not response.strip():
        return items, [{"line": response or "", "reason": "empty_response"}]
    wanted = {"hard": n_hard, "easy": n_easy, "text": n_text}
    section: Optional[str] = "text" if n_text and not (n_hard or n_easy) else None
    pending: Optional[Tuple[str, str]] = None  # (tag, line) of a tag whose text is on the next line

    def take(tag: str, line: str, raw_text: str) -> None:
        text = clean_text(raw_text, labels)
        reason = "" if text and not _PLACEHOLDER.match(text) else "empty"
        if not reason and len(text) > MAX_TEXT_CHARS:
            line, reason = line[:200] + "…", "too_long"
        reason = reason or (check(text) if check else "") or ("surplus" if wanted[tag] <= 0 else "")
        if reason:
            rejects.append({"line": line if reason != "echo" else text, "reason": reason})
        else:
            wanted[tag] -= 1
            items.append({"text": text, "tag": tag})

    for line in response.splitlines():
        if not line.strip():
            continue
        match = _TAGGED.match(line)
        text = match.group(3).strip() if match else ""
        heading = _heading_tag(line) or (match.group(2).lower() if match and text.endswith(":") and len(text) <= 60 else None)
        if pending is not None and (match is not None or heading):  # the tag before had no text
            rejects.append({"line": pending[1], "reason": "empty"})
            pending = None
        if match is not None and text and not heading:
            take(match.group(2).lower(), line, text)
        elif match is not None and not text:  # "HARD:", "**HARD 1:**": its text is on the next line
            section = match.group(2).lower()
            pending = (section, line)
        elif heading:  # "Hard examples:", "### Easy", "HARD - likely to be misclassified:"
            section = heading
        elif pending is not None or (section is not None and _LIST_ITEM.match(line)):
            item = _LIST_ITEM.match(line)
            take(pending[0] if pending else str(section), line, item.group(1) if item else line)
            pending = None
        else:
            rejects.append({"line": line, "reason": "unparseable"})
            if line.rstrip().endswith(":"):  # "Why these are hard:": the list after it holds no texts
                section = None
    if pending is not None:
        rejects.append({"line": pending[1], "reason": "empty"})
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


_ANSWER_PREFIX = re.compile(r"^\W*(?:final\s+)?(?:answer|labels?|category|categories|class|classification|sentiment|prediction)\s*[:=]", re.I)
_ECHO_PREFIX = re.compile(r"^\W*(?:text|input|sentence|review|question|tweet)\s*:", re.I)
_LABEL_ONLY = re.compile(r"^\s*(?:[-*•]|\d+\s*[.)])?\s*[*_`\"']*(.+?)[*_`\"'.,;]*\s*$")


def answer_lines(response: str, words: Dict[str, Sequence[str]], exclusive: bool = True, text: str = "") -> List[str]:
    """The line(s) of an answer that name its label(s): a line that starts "Label:" or "Answer:"
    and names one, else the first line that names one (skipping a preamble like "The answer is:",
    code fences, and lines that repeat the input, "Text: ..."), else the first line. The input
    `text`, when the answer quotes it, is taken out first, so its words are not read as labels.
    Not exclusive: the lines right after it that hold one label each ("- SPORTS", "POLITICS") too."""
    squashed = " ".join(text.split())
    lines = []
    for line in response.strip().splitlines():
        if not line.strip() or _FENCE.match(line) or _ECHO_PREFIX.match(line):
            continue
        if len(squashed.split()) >= 3:
            line = " ".join(line.split()).replace(squashed, " ")
        lines.append(line)
    naming = [i for i, line in enumerate(lines) if _names_a_label(line, words)]
    if not naming:
        return (lines or [""])[:1]
    first = next((i for i in naming if _ANSWER_PREFIX.match(lines[i])), naming[0])
    chosen = [lines[first]]
    for line in [] if exclusive else lines[first + 1:]:
        only = _LABEL_ONLY.match(line)
        if not (only and any(_word_pattern(w).fullmatch(only.group(1)) for ws in words.values() for w in ws)):
            break
        chosen.append(line)
    return chosen


def _names_a_label(line: str, words: Dict[str, Sequence[str]]) -> bool:
    return any(_word_pattern(w).search(line) for ws in words.values() for w in ws)


def read_label_mentions(response: str, words: Dict[str, Sequence[str]], exclusive: bool, text: str = "") -> Tuple[List[str], str]:
    """The labels an answer names through their `words` (see `answer_lines`), in order, and an
    error: '' when fine, else empty_response, negated, off_label, or ambiguous (two labels named
    where one is asked for)."""
    if not response or not response.strip():
        return [], "empty_response"
    names: List[str] = []
    negated = False
    for line in answer_lines(response, words, exclusive, text):
        found, line_negated = label_mentions(line, words)
        negated = negated or line_negated
        names += [label for _, label in found if label not in names]
    if not names:
        return [], "negated" if negated else "off_label"
    if exclusive and len(names) > 1:
        return [], "ambiguous"
    return names, ""


def parse_label_answer(response: str, labels: Sequence[str], exclusive: bool, text: str = "") -> Tuple[List[str], str]:
    """Find label names in a free-text answer. Returns (labels, error); error is '' when fine."""
    return read_label_mentions(response, {label: [label] for label in labels}, exclusive, text)
