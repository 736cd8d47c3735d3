"""Read entity lists from a teacher's answer: a JSON array, or `entity | LABEL` lines."""
import json
import re
from typing import Any, Dict, List, Tuple

_LINE = re.compile(r"^\s*(?:[-*•]\s*|\d+[.)]\s*)?(.+?)\s*(?:\||\t|—|–|->|=>|\()\s*([A-Za-z_-]+)\)?\s*$")


def _from_json(value: Any) -> List[Dict[str, str]]:
    entities = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict):
            text = item.get("text", item.get("entity", item.get("span")))
            label = item.get("label", item.get("type"))
            if text is not None and label is not None:
                entities.append({"text": str(text), "label": str(label)})
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            entities.append({"text": str(item[0]), "label": str(item[1])})
    return entities


def parse_entities(response: str) -> Tuple[List[Dict[str, str]], str]:
    """(entities, error). An explicit empty list is a valid answer: no entities."""
    if not response or not response.strip():
        return [], "empty_response"
    start, end = response.find("["), response.rfind("]")
    if start != -1 and end > start:
        try:
            return _from_json(json.loads(response[start : end + 1])), ""
        except json.JSONDecodeError:
            pass
    entities = []
    for line in response.splitlines():
        match = _LINE.match(line)
        if match:
            entities.append({"text": match.group(1).strip().strip("\"'"), "label": match.group(2)})
    if entities:
        return entities, ""
    if re.search(r"\b(none|no entities)\b", response, re.I):
        return [], ""
    return [], "unparseable"
