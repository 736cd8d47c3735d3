"""Align entity strings from a teacher to spaCy tokens by character offsets.

Every occurrence of an entity string is labelled. An entity that is not in the text, does not
fall on token boundaries, overlaps a longer entity (or an equally long one named before it), or
has an unknown label is dropped with a reason; the doc keeps the rest. An unknown-label or
misaligned drop keeps its character ranges: the teacher saw an entity there, so training leaves
those tokens unannotated rather than teaching "not an entity" (`NERKind.to_doc`).
"""
import re
from typing import Any, Dict, List, Sequence, Tuple

from spacy.tokens import Doc

Span = List[Any]  # [start_char, end_char, label]


def _occurrences(text: str, needle: str) -> List[Tuple[int, int]]:
    """Character ranges of `needle` in `text`: exact matches, else case-insensitive ones; whole words only."""
    for flags in (0, re.IGNORECASE):
        pattern = re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", flags)
        found = [(m.start(), m.end()) for m in pattern.finditer(text)]
        if found:
            return found
    return []


def _surface_ranges(doc: Doc, raw: str) -> Tuple[str, List[Tuple[int, int]]]:
    """The entity string to look for and its occurrences: without trailing punctuation ("hot-dog."
    is "hot-dog"), unless only the string as given falls on token boundaries ("Apple Inc.", "U.S.")."""
    given = raw.strip().strip("\"'`").strip()
    stripped = given.rstrip(".,;:!?").strip()
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
    seen = set()
    by_lower = {label.lower(): label for label in labels}
    placed = [(_surface_ranges(doc, str(entity.get("text", ""))), i, entity) for i, entity in enumerate(entities)]
    for (surface, ranges), i, entity in sorted(placed, key=lambda item: -len(item[0][0])):
        label = by_lower.get(str(entity.get("label", "")).strip().lower())
        if (surface, label) in seen:
            continue
        seen.add((surface, label))
        if not surface:
            drops.append((i, {**entity, "reason": "empty_entity"}))
            continue
        if label is None:  # its ranges let training leave those tokens unannotated, not "not an entity"
            drops.append((i, {**entity, "reason": "unknown_label", "ranges": [[start, end] for start, end in ranges]}))
            continue
        if not ranges:
            drops.append((i, {**entity, "reason": "not_in_text"}))
            continue
        for start, end in ranges:
            span = doc.char_span(start, end, label=label, alignment_mode="strict")
            if span is None:
                drops.append((i, {**entity, "start": start, "end": end, "reason": "misaligned"}))
            elif any(taken[start:end]):
                drops.append((i, {**entity, "start": start, "reason": "overlap"}))
            else:
                taken[start:end] = [True] * (end - start)
                spans.append([start, end, label])
    return sorted(spans), [drop for _, drop in sorted(drops, key=lambda d: d[0])]
