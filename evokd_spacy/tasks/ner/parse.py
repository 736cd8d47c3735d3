"""Read entity lists from a teacher's answer: a JSON array (or object of label -> strings), or
`entity | LABEL` lines. An answer that cannot be read in full is an error, never "no entities":
NER keeps sentences without entities, so a misread answer would teach the student that its
entities are not entities."""
import ast
import json
import re
from typing import Any, Dict, List, Optional, Tuple

_LINE = re.compile(r"^\s*(?:[-*•]\s*|\d+[.)]\s*)?(.+?)\s*(?:\||\t|—|–|->|=>|\()\s*([A-Za-z_-]+)\)?\s*$")
_NONE = re.compile(r"^\W*(?:none|no entities(?: found)?|there are no (?:named )?entities(?: in (?:the|this) text)?)\W*$", re.I)
_HEADER = re.compile(r"^\s*(?:```\w*|[^|\t]*:)\s*$")  # "Entities:", "Here are the entities:", a code fence
TEXT_KEYS = ("text", "span", "name", "word", "entity")
LABEL_KEYS = ("label", "type", "entity_type", "category", "entity_group", "entity")


def _item(item: Any) -> Optional[Dict[str, str]]:
    """One entity from a JSON item ({"text", "label"} and common variants, or [text, label]); None when unreadable."""
    if isinstance(item, dict):
        text_key = next((k for k in TEXT_KEYS if isinstance(item.get(k), str)), None)
        label_key = next((k for k in LABEL_KEYS if k != text_key and isinstance(item.get(k), str)), None)
        if text_key and label_key:
            return {"text": item[text_key], "label": item[label_key]}
    elif isinstance(item, (list, tuple)) and len(item) == 2 and all(isinstance(x, str) for x in item):
        return {"text": item[0], "label": item[1]}
    return None


def _from_json(value: Any) -> Optional[List[Dict[str, str]]]:
    """Entities of a decoded answer, or None when any part of it cannot be read as one."""
    if isinstance(value, dict):
        single = _item(value)
        if single is not None:  # one entity, not in a list
            return [single]
        groups = list(value.values())
        if all(isinstance(g, list) and all(isinstance(t, str) for t in g) for g in groups):  # {"LABEL": ["text", ...]}
            return [{"text": text, "label": str(label)} for label, texts in value.items() for text in texts]
        if len(groups) == 1 and isinstance(groups[0], list):  # {"entities": [...]}
            return _from_json(groups[0])
        return None
    if not isinstance(value, list):
        return None
    entities = [_item(item) for item in value]
    return None if any(e is None for e in entities) else entities  # type: ignore[misc]


_BRACKET = re.compile(r"[\[{]")
_OBJECT_START = re.compile(r"""[\[\s]*\{\s*["']""")  # '{"text": ...' or '[{"text": ...': an entity object begins


def _decoded(response: str) -> Tuple[bool, Optional[List[Any]]]:
    """(found, values): the JSON (or Python-literal) list or object the answer starts at its first
    "[" or "{", then every later one that reads as entities (JSON lines, "{...}, {...}"); (True,
    None) when the first does not decode (an answer cut short, a missing comma), or a later entity
    object is cut short, so that no answer is read in part; (False, None) when there is none. A
    later bracket that holds no entities ("labels are from ["ORG", "PER"]", "[1]") is a note."""
    match = _BRACKET.search(response)
    if match is None:
        return False, None
    decoder = json.JSONDecoder()
    try:
        first, pos = decoder.raw_decode(response, match.start())
    except json.JSONDecodeError:
        end = response.rfind("]" if match.group() == "[" else "}")
        try:  # single quotes: ['Apple', 'ORG']
            return True, [ast.literal_eval(response[match.start(): end + 1])] if end > match.start() else None
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return True, None
    values = [first]
    while True:
        later = _BRACKET.search(response, pos)
        if later is None:
            break
        try:
            value, pos = decoder.raw_decode(response, later.start())
        except json.JSONDecodeError:
            if _OBJECT_START.match(response, later.start()):
                return True, None
            pos = later.start() + 1
            continue
        if _from_json(value) is not None:
            values.append(value)
    return True, values


def parse_entities(response: str) -> Tuple[List[Dict[str, str]], str]:
    """(entities, error). An explicit empty list, or an answer that is only "none", means no entities."""
    if not response or not response.strip():
        return [], "empty_response"
    found, values = _decoded(response)
    if found:
        read = [_from_json(value) for value in values or [None]]
        if any(entities is None for entities in read):
            return [], "unparseable"
        return [entity for entities in read for entity in entities or []], ""
    entities, unread = [], []
    for line in response.splitlines():
        match = _LINE.match(line)
        if match:
            entities.append({"text": match.group(1).strip().strip("\"'"), "label": match.group(2)})
        elif line.strip() and not _HEADER.match(line):
            unread.append(line)
    if entities:  # every other line a heading ("Entities:") or a code fence, or the answer is not read in full
        return (entities, "") if not unread else ([], "unparseable")
    if _NONE.match(response.strip()):
        return [], ""
    return [], "unparseable"
