"""Align entity strings from a teacher to spaCy tokens by character offsets.

Every occurrence of an entity string is labelled; one written otherwise than the text (case,
accents, curly quotes, dashes, spaces) is found in it as written there. An entity that is not in the text, does not
fall on token boundaries, overlaps a longer entity (or an equally long one named before it), or
has an unknown label is dropped with a reason; the doc keeps the rest. A string named with two
labels ("Washington" as PERSON and as LOC) labels its occurrences in the answer's order when it
occurs as often as it is named, else none of them. An unknown-label, two-label, misaligned or
inside-word ("dumpling" in "dumplings") drop keeps its character ranges: the teacher saw an entity
there, so training leaves those tokens unannotated rather than teaching "not an entity"
(`NERKind.to_doc`), and no shorter entity is placed inside them.
"""
import re
import unicodedata
from typing import Any, Dict, List, Sequence, Tuple

from spacy.tokens import Doc

from ...util.scripts import SPACED_WORD_CHAR, UNSPACED_CHAR

Span = List[Any]  # [start_char, end_char, label]


def _occurrences(text: str, needle: str) -> List[Tuple[int, int]]:
    """Character ranges of `needle` in `text`: exact matches, else case-insensitive ones, else
    matches of the two folded (`folded`: "Sao Paulo" finds "São Paulo", "McDonald's" finds
    "McDonald’s", "New York" finds "New  York"); whole words only."""
    for flags in (0, re.IGNORECASE):
        found = [(m.start(), m.end()) for m in whole_word_pattern(needle, flags).finditer(text)]
        if found:
            return found
    folded_text, where = folded(text)
    folded_needle = folded(needle)[0].strip()
    if not folded_needle:
        return []
    return [(where[m.start()], _past_marks(text, where[m.end() - 1] + 1)) for m in whole_word_pattern(folded_needle, 0).finditer(folded_text)]


def _past_marks(text: str, end: int) -> int:
    """`end` moved past the combining marks that follow it (decomposed text: "Jose" + U+0301)."""
    while end < len(text) and unicodedata.combining(text[end]):
        end += 1
    return end


def _inside_words(text: str, needle: str) -> List[Tuple[int, int]]:
    """Character ranges of `needle` (case ignored) where it starts or ends inside a word: "dumpling" in
    "dumplings". The teacher saw an entity there, but not one on token boundaries."""
    return [(m.start(), m.end()) for m in re.finditer(re.escape(needle), text, re.IGNORECASE)] if len(needle.strip()) >= 3 else []


def whole_word_pattern(needle: str, flags: int = 0) -> "re.Pattern[str]":
    """`needle` where it does not continue a word of a spaced script: not preceded or followed by a
    letter or digit of such a script ("pho" is not in "phone", ".NET" not in "ASP.NET"), except at
    an edge that is a Chinese, Japanese, Thai or Korean character ("手机" in "5G手机")."""
    before = "" if UNSPACED_CHAR.match(needle[:1]) else f"(?<!{SPACED_WORD_CHAR})"
    after = "" if UNSPACED_CHAR.match(needle[-1:]) else f"(?!{SPACED_WORD_CHAR})"
    return re.compile(before + re.escape(needle) + after, flags)



_SAME = {"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"', "\u2010": "-",
         "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"}


def _is_accent(char: str) -> bool:
    """A combining accent of Latin, Greek or Cyrillic letters ("é" is "e" and one), or a Hebrew or
    Arabic vowel point (often left out in writing): dropped when folding. Other scripts' marks
    (Japanese voicing marks, Thai tone marks, Devanagari vowel signs) tell words apart and are kept."""
    return bool(unicodedata.combining(char)) and any(low <= ord(char) <= high for low, high in _ACCENTS)


_ACCENTS = ((0x0300, 0x036F), (0x0483, 0x0489), (0x0591, 0x05C7), (0x0610, 0x061A), (0x064B, 0x065F), (0x0670, 0x0670),
            (0x06D6, 0x06ED), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F))


def folded(text: str) -> Tuple[str, List[int]]:
    """`text` lower-cased, without accents, with straight quotes and hyphens and single spaces, and
    for each of its characters the index of the character of `text` it comes from."""
    out: List[str] = []
    where: List[int] = []
    for i, char in enumerate(text):
        char = " " if char.isspace() else _SAME.get(char, char)
        if char == " " and out and out[-1] == " ":
            continue
        for part in unicodedata.normalize("NFKD", char).casefold():
            if not _is_accent(part):
                out.append(part)
                where.append(i)
    return "".join(out), where


_QUOTES = "\"'`\u201c\u201d\u2018\u2019\u300c\u300d\u300e\u300f\u300a\u300b\u3010\u3011"  # “” ‘’ 「」 『』 《》 【】
_TRAILING = ".,;:!?\u3002\uff01\uff1f\uff0c\u3001\uff1b\uff1a\u2026"  # 。！？，、；：…


def _surface_ranges(doc: Doc, raw: str) -> Tuple[str, List[Tuple[int, int]]]:
    """The entity string to look for and its occurrences: without trailing punctuation ("hot-dog."
    is "hot-dog"), unless only the string as given falls on token boundaries ("Apple Inc.", "U.S.")."""
    given = raw.strip().strip(_QUOTES).strip()
    stripped = given.rstrip(_TRAILING).strip()
    found = []
    for surface in dict.fromkeys([stripped, given]):
        ranges = _occurrences(doc.text, surface) if surface else []
        if any(doc.char_span(start, end, alignment_mode="strict") is not None for start, end in ranges):
            return surface, ranges
        found.append((surface, ranges))
    return next(((surface, ranges) for surface, ranges in found if ranges), (stripped, []))


def align_entities(doc: Doc, entities: Sequence[Dict[str, str]], labels: Sequence[str]) -> Tuple[List[Span], List[Dict[str, Any]]]:
    """Token-aligned spans for (text, label) entities, and the dropped ones with reasons (in the
    answer's order). Longer entities are placed first, so that "George Washington" keeps its label
    where "Washington" alone would overlap it."""
    spans: List[Span] = []
    drops: List[Tuple[int, Dict[str, Any]]] = []
    taken = [False] * len(doc.text)
    unsure: List[Tuple[int, int]] = []  # ranges of entities dropped but left unsure
    seen = set()
    by_lower = {label.lower(): label for label in labels}
    placed = [(_surface_ranges(doc, str(entity.get("text", ""))), i, entity) for i, entity in enumerate(entities)]
    namings = _namings_with_two_labels(placed, by_lower)
    for (surface, ranges), i, entity in sorted(placed, key=lambda item: -len(item[0][0])):
        label = by_lower.get(str(entity.get("label", "")).strip().lower())
        if label is not None and surface.casefold() in namings:  # "Washington" named as PERSON and as LOC
            order = namings[surface.casefold()]
            if len(order) != len(ranges):  # which occurrence is which is unknown: training leaves them unannotated
                drops.append((i, {**entity, "reason": "two_labels", "ranges": [[start, end] for start, end in ranges]}))
                unsure += ranges
                continue
            ranges = [ranges[order.index(i)]]  # the k-th naming labels the k-th occurrence
        elif (surface, label) in seen:
            continue
        seen.add((surface, label))
        if not surface:
            drops.append((i, {**entity, "reason": "empty_entity"}))
            continue
        if label is None:  # its ranges let training leave those tokens unannotated, not "not an entity"
            drops.append((i, {**entity, "reason": "unknown_label", "ranges": [[start, end] for start, end in ranges]}))
            unsure += ranges
            continue
        if not ranges:
            inside = _inside_words(doc.text, surface)
            if inside:  # "dumpling" in "dumplings": training leaves the word unannotated, not "not an entity"
                drops.append((i, {**entity, "reason": "inside_word", "ranges": [[start, end] for start, end in inside]}))
                unsure += inside
            else:
                drops.append((i, {**entity, "reason": "not_in_text"}))
            continue
        for start, end in ranges:
            span = doc.char_span(start, end, label=label, alignment_mode="strict")
            if span is None:
                drops.append((i, {**entity, "start": start, "end": end, "reason": "misaligned"}))
                unsure.append((start, end))
            elif any(taken[start:end]) or _inside_longer(unsure, start, end):
                drops.append((i, {**entity, "start": start, "reason": "overlap"}))
            else:
                taken[start:end] = [True] * (end - start)
                spans.append([start, end, label])
    return sorted(spans), [drop for _, drop in sorted(drops, key=lambda d: d[0])]


def _inside_longer(unsure: Sequence[Tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) lies inside a longer entity that was dropped but left unsure (a shorter
    "Washington" in a "George Washington" named PERSON); one as long (the same string with a known
    label) is placed."""
    return any(s <= start and end <= e and e - s > end - start for s, e in unsure)


def _namings_with_two_labels(placed: Sequence[Tuple[Tuple[str, List[Tuple[int, int]]], int, Dict[str, Any]]],
                             by_lower: Dict[str, str]) -> Dict[str, List[int]]:
    """For each entity string the answer names with two or more known labels, the answer's entity
    indices that name it, in order: when the text holds it as often as it is named, the k-th naming
    labels the k-th occurrence."""
    named: Dict[str, List[Tuple[int, str]]] = {}
    for (surface, _), i, entity in placed:
        label = by_lower.get(str(entity.get("label", "")).strip().lower())
        if surface and label is not None:  # "Washington" and "washington" name the same string
            named.setdefault(surface.casefold(), []).append((i, label))
    return {surface: [i for i, _ in pairs] for surface, pairs in named.items() if len({label for _, label in pairs}) > 1}
