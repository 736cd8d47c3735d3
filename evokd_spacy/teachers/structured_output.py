"""Entity-list answers constrained by a served teacher to a JSON schema over the label set
(`evokd.OpenAICompatible.v2` and later), in each server's dialect of `response_format`."""
from typing import Any, Dict, Optional, Sequence

# How servers take a JSON schema: OpenAI, vLLM, llama.cpp's own server, LM Studio ("json_schema");
# llama-cpp-python's server ("json_object" with a schema); or not at all ("none").
STRUCTURED_OUTPUT = ("json_schema", "json_object", "none")


def entity_list_schema(labels: Sequence[str]) -> Dict[str, Any]:
    """The JSON schema of an entity-list answer: {"entities": [{"text", "label"}]} (an object at
    the root, which every structured-output server accepts; the entity parser reads the list)."""
    entity = {
        "type": "object",
        "properties": {"text": {"type": "string"}, "label": {"type": "string", "enum": list(labels)}},
        "required": ["text", "label"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {"entities": {"type": "array", "items": entity}},
        "required": ["entities"],
        "additionalProperties": False,
    }


def response_format(dialect: str, labels: Sequence[str]) -> Optional[Dict[str, Any]]:
    """The request's `response_format` for an entity list in the server's dialect (None: none)."""
    schema = entity_list_schema(labels)
    if dialect == "json_schema":
        # strict: OpenAI enforces the schema only when asked; other servers ignore the flag
        return {"type": "json_schema", "json_schema": {"name": "entities", "schema": schema, "strict": True}}
    if dialect == "json_object":
        return {"type": "json_object", "schema": schema}
    return None
