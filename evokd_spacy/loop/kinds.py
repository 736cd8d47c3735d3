"""The task kinds the loop can run, by the name used in `[task] kind`."""
from ..errors import ConfigError
from ..ty import TaskKind

KIND_NAMES = ("textcat", "ner")


def get_kind(name: str, exclusive: bool = True) -> TaskKind:
    """The task kind called `name`; `exclusive` (text classification) says which score is the main one."""
    if name == "textcat":
        from ..tasks.textcat.kind import TextCatKind

        return TextCatKind(exclusive)
    if name == "ner":
        from ..tasks.ner.kind import NERKind

        return NERKind()
    raise ConfigError(f"[task] kind = {name!r}: use one of {', '.join(KIND_NAMES)}.")
