"""The language of a run's texts: which spaCy language (and so which tokenizer) splits them.

The student's tokens decide where an entity may start and end, so the texts the loop writes for
training, the teacher's entity strings and the gold spans are all split by the same language's
tokenizer as the student's. Chinese text split by the English tokenizer is one token a sentence:
every entity inside it would be lost.
"""
from functools import lru_cache
from typing import Any, Dict

from ..errors import ConfigError

LANGUAGES_URL = "https://spacy.io/usage/models#languages"


def run_lang(task: Dict[str, Any], student: Dict[str, Any], student_config: Any) -> str:
    """`[task] lang` when given, else the student's: its `[student.overrides]` `nlp.lang`, else its
    training config's `[nlp] lang` ("en" for the built-in presets)."""
    lang = str(task.get("lang") or (student.get("overrides") or {}).get("nlp.lang") or student_config["nlp"].get("lang") or "en")
    check_lang(lang)
    return lang


def check_lang(lang: str) -> None:
    """A ConfigError naming the fix when spaCy has no language `lang`, or when its tokenizer needs a
    library that is not installed (Thai, Korean, Japanese, Vietnamese)."""
    try:
        blank_nlp(lang)
    except ImportError as error:
        if "E048" in str(error):
            raise ConfigError(f"[task] lang = {lang!r} is not a spaCy language code: use one from {LANGUAGES_URL}, "
                              "such as 'de', 'fr', 'zh', or 'xx' for text in several languages.") from None
        raise ConfigError(f"[task] lang = {lang!r}: spaCy's tokenizer for it needs a library that is not installed. "
                          f"{error}") from None


@lru_cache(maxsize=None)
def blank_nlp(lang: str = "en") -> Any:
    """A blank pipeline of `lang` (its default tokenizer), made once per process."""
    import spacy

    return spacy.blank(lang)


def set_student_lang(config: Any, lang: str) -> None:
    """Make the student's training config `lang`: a config of another language gets `lang` and
    that language's default tokenizer (its own `[nlp.tokenizer]` is dropped)."""
    if config["nlp"].get("lang") != lang:
        config["nlp"]["lang"] = lang
        config["nlp"].pop("tokenizer", None)
