"""`python -m spacy evokd ...`: spaCy loads its `spacy_cli` entry points when its CLI starts,
and importing this module adds our commands to spaCy's app as the `evokd` group."""
from spacy.cli._util import app as spacy_app

from . import app

if not any(group.name == "evokd" for group in spacy_app.registered_groups):
    spacy_app.add_typer(app, name="evokd", help="Evolving Knowledge Distillation: run, resume, status, report, export, import, evaluate-teacher, prepare-teacher.")


def evokd_commands() -> None:
    """The entry point's object (the import above is what registers the commands)."""
