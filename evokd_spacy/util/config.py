"""Small helpers for nested config sections."""
from typing import Any

from ..errors import ConfigError


def set_dotted(config: Any, dotted: str, value: Any, where: str) -> None:
    """Set `config["a"]["b"]["c"] = value` for `dotted = "a.b.c"`; missing sections are an error naming `where`."""
    node = config
    parts = dotted.split(".")
    for part in parts[:-1]:
        if part not in node:
            raise ConfigError(f"{where} {dotted}: no section '{part}' in the config")
        node = node[part]
    node[parts[-1]] = value
