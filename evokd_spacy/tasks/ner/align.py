"""Align entity strings from a teacher to spaCy tokens by character offsets.

Every occurrence of an entity string is labelled. An entity that is not in the text, does not
fall on token boundaries, overlaps an entity kept before it, or has an unknown label is dropped
with a reason; the doc keeps the rest.
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


def align_entities(doc: Doc, entities: Sequence[Dict[str, str]], labels: Sequence[str]) -> Tuple[List[Span], List[Dict[str, Any]]]:
    """Token-aligned spans for (text, label) entities, and the dropped ones with reasons."""
    spans: List[Span] = []
    drops: List[Dict[str, Any]] = []
    taken = [False] * len(doc.text)
    seen = set()
    by_lower = {label.lower(): label for label in labels}
    for entity in entities:
        surface = str(entity.get("text", "")).strip().strip("\"'`").rstrip(".,;:!?").strip()
        label = by_lower.get(str(entity.get("label", "")).strip().lower())
        if (surface, label) in seen:
            continue
        seen.add((surface, label))
        if not surface:
            drops.append({**entity, "reason": "empty_entity"})
            continue
        if label is None:
            drops.append({**entity, "reason": "unknown_label"})
            continue
        ranges = _occurrences(doc.text, surface)
        if not ranges:
            drops.append({**entity, "reason": "not_in_text"})
            continue
        for start, end in ranges:
            span = doc.char_span(start, end, label=label, alignment_mode="strict")
            if span is None:
                drops.append({**entity, "start": start, "reason": "misaligned"})
            elif any(taken[start:end]):
                drops.append({**entity, "start": start, "reason": "overlap"})
            else:
                taken[start:end] = [True] * (end - start)
                spans.append([start, end, label])
    return sorted(spans), drops
