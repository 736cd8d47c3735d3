"""Command line: `evokd <command>`, `python -m evokd_spacy <command>` and `python -m spacy evokd <command>`.

Commands that act on a run take its config file or its output folder (which keeps the config
the run was last started with), plus spaCy-style overrides such as `--loop.rounds 2`.
"""
from typing import List, Optional

from ._app import app
from . import info, review, run  # noqa: F401,E402  (register the commands)


def main(argv: Optional[List[str]] = None) -> None:
    """Entry point for `python -m evokd_spacy`."""
    app(args=argv)
