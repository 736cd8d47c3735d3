"""Jinja templates for prompts, rendered in Jinja's sandbox.

Teacher output is data: it may be passed *into* a template as a value, but is never itself
rendered as a template, so template syntax in a teacher's reply stays inert text.
"""
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from jinja2.sandbox import SandboxedEnvironment

_ENV = SandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False, autoescape=False)


def load_template(package_dir: Path, default_name: str, template: Optional[str]) -> str:
    """Return template text: `template` may be a path to a .jinja file, inline text, or None for the default."""
    if template is None:
        return (package_dir / "templates" / default_name).read_text(encoding="utf8")
    candidate = Path(template)
    if candidate.suffix in (".jinja", ".jinja2", ".txt") and candidate.exists():
        return candidate.read_text(encoding="utf8")
    return template


@lru_cache(maxsize=64)
def _compile(source: str) -> Any:
    return _ENV.from_string(source)


def render(source: str, **values: Any) -> str:
    """Render template `source` with `values` in the sandbox."""
    return _compile(source).render(**values).strip() + "\n"
