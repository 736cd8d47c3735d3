"""Scripts written without spaces between words (Chinese, Japanese kana, Thai, Lao, Khmer, Myanmar),
and Korean, whose particles attach to words: a space does not say where their words end."""
import re
from typing import List

UNSPACED = ("\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff"
            "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002ffff")
SPACED_WORD_CHAR = f"[^\\W{UNSPACED}]"  # a letter or digit of a script that separates words by spaces
UNSPACED_CHAR = re.compile(f"[{UNSPACED}]")
# Chinese, Japanese and Thai, with CJK and full-width punctuation and half-width kana (not Korean,
# written with spaces between words, nor full-width Latin letters and digits)
_JOINED_CHAR = re.compile("[\u0e00-\u0e7f\u3000-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                          "\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff9f\U00020000-\U0002ffff]")
UNSPACED_LANGS = ("zh", "ja", "th")  # spaCy languages whose tokenizers split text written without spaces


def split_unspaced(text: str) -> str:
    """`text` with a space around every character of an unspaced script, so that splitting it at
    spaces gives its words and those characters one by one."""
    return UNSPACED_CHAR.sub(r" \g<0> ", text)


def token_separator(before: str, after: str, lang: str = "en") -> str:
    """What joins two tokens of a tokenised file into running text: in Chinese, Japanese or Thai
    (`lang`), nothing between two characters of those scripts or their punctuation (a sentence one
    character a line); else a space, which other languages' tokenizers need to split them."""
    joined = lang in UNSPACED_LANGS and before and after and _JOINED_CHAR.match(before[-1]) and _JOINED_CHAR.match(after[0])
    return "" if joined else " "


def join_tokens(tokens: List[str], lang: str = "en") -> str:
    """Tokens as running text, joined by `token_separator`."""
    text = ""
    for token in tokens:
        text = f"{text}{token_separator(text, token, lang)}{token}" if text else token
    return text


def count_unspaced(text: str) -> int:
    """How many characters of `text` belong to an unspaced script."""
    return len(UNSPACED_CHAR.findall(text))
