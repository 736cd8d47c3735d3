"""The language of a run's texts: which spaCy language and tokenizer split them.

The student's tokens decide where an entity may start and end, so the texts the loop writes for
training, the teacher's entity strings and the gold spans are all split by the student's own
tokenizer. Chinese text split by the English tokenizer is one token a sentence: every entity
inside it would be lost.
"""
import json
from functools import lru_cache
from typing import Any, Dict, Optional, Tuple

from ..errors import ConfigError

LANGUAGES_URL = "https://spacy.io/usage/models#languages"


def run_language(task: Dict[str, Any], student: Dict[str, Any], student_config: Any, own_config: bool) -> Tuple[str, str, str]:
    """(language, tokenizer, the student config's own language) of a run. The language is `[task]
    lang` when given, else the student's: its `[student.overrides]` `nlp.lang`, else its training
    config's `[nlp] lang` ("en" for the built-in presets, which take any language). The tokenizer
    is the config's `[nlp.tokenizer]` as JSON ("" for the language's default). A user's own
    config (`own_config`) or an `nlp.lang` override of another language than `[task] lang` is a
    ConfigError: the student would be trained in a language its data was not split in."""
    override = (student.get("overrides") or {}).get("nlp.lang")
    own = str(override or student_config["nlp"].get("lang") or "en")
    given = str(task.get("lang") or "")
    if given and given != own and (own_config or override):
        where = "[student.overrides] nlp.lang" if override else f"[nlp] lang of your training config ([student] preset = {student.get('preset')!r})"
        change = "the override" if override else "the config"
        raise ConfigError(f"[task] lang = {given!r}, but the {where} is {own!r}: give --task.lang {own} (in the project: "
                          f"--vars.lang {own}), or change {change} to {given!r}.")
    lang = given or own
    block = student_config["nlp"].get("tokenizer") if lang == own else None
    tokenizer = json.dumps(dict(block), sort_keys=True) if block else ""
    check_lang(lang, tokenizer)
    return lang, tokenizer, own


def check_lang(lang: str, tokenizer: str = "") -> None:
    """A ConfigError naming the fix when spaCy has no language `lang`, or when its tokenizer needs a
    library that is not installed (Thai, Korean, Japanese, Vietnamese)."""
    try:
        blank_nlp(lang, tokenizer)
    except ImportError as error:
        if "E048" in str(error):
            raise ConfigError(f"[task] lang = {lang!r} is not a spaCy language code: use one from {LANGUAGES_URL}, "
                              "such as 'de', 'fr', 'zh', or 'xx' for text in several languages.") from None
        raise ConfigError(f"[task] lang = {lang!r}: spaCy's tokenizer for it needs a library that is not installed. "
                          f"{error}") from None


@lru_cache(maxsize=None)
def blank_nlp(lang: str = "en", tokenizer: str = "") -> Any:
    """A blank pipeline of `lang` with the tokenizer block `tokenizer` (JSON; "" for the language's
    default), made once per process."""
    import spacy

    config: Optional[Dict[str, Any]] = {"nlp": {"tokenizer": json.loads(tokenizer)}} if tokenizer else None
    return spacy.blank(lang, config=config or {})


def text_nlp(spec: Any) -> Any:
    """The blank pipeline that splits a run's texts as its student does (`TaskSpec` lang and tokenizer)."""
    return blank_nlp(spec.lang, spec.tokenizer)


def set_student_lang(config: Any, lang: str) -> None:
    """Make the student's training config `lang`: a config of another language (a built-in
    preset) gets `lang` and that language's default tokenizer."""
    if config["nlp"].get("lang") != lang:
        config["nlp"]["lang"] = lang
        config["nlp"].pop("tokenizer", None)
