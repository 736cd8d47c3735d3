"""The typer app and what every command shares: override parsing and error reporting."""
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List

import typer
from wasabi import msg

from ..errors import BudgetExhausted, EvokdError

app = typer.Typer(name="evokd", add_completion=False, no_args_is_help=True, help="Evolving Knowledge Distillation into spaCy.")
EXTRA_ARGS = {"allow_extra_args": True, "ignore_unknown_options": True}
TARGET_HELP = "The run's config file (.cfg) or its output folder"


def parse_overrides(args: List[str]) -> Dict[str, Any]:
    """`--section.key value` pairs, as spaCy's CLI reads them; another option (a typo, or one the
    command lacks) is a ConfigError pointing to --help and the override form."""
    import click
    from spacy.cli._util import parse_config_overrides

    from ..errors import ConfigError

    try:
        return parse_config_overrides(args)
    except click.UsageError as err:
        raise ConfigError(f"{err.format_message()} The command's --help lists its options; config settings are given "
                          "as --section.key value, e.g. --loop.rounds 5.") from None


def load_settings(target: Path, args: List[str], training: bool = True) -> Any:
    """Checked run settings from a config file or run folder, with command-line overrides
    (`training` False: a command that trains no student, so a GPU setting is not checked)."""
    from ..loop.settings import settings_for

    return settings_for(target, parse_overrides(args), training)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Our errors become one clear message and exit code 1 (a spent budget: a warning, exit 0)."""
    try:
        yield
    except BudgetExhausted as err:
        msg.warn(str(err))
    except EvokdError as err:
        msg.fail(str(err))
        sys.exit(1)


def existing(path: Path) -> Path:
    """A typer callback: the path must exist."""
    if not path.exists():
        raise typer.BadParameter(f"{path} does not exist")
    return path
