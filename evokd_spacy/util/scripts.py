"""Scripts written without spaces between words (Chinese, Japanese kana, Thai, Lao, Khmer, Myanmar),
and Korean, whose particles attach to words: a space does not say where their words end."""
import re
from typing import List

UNSPACED = ("\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff"
            "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002ffff")
SPACED_WORD_CHAR = f"[^\\W{UNSPACED}]"  # a letter or digit of a script that separates words by spaces
_UNSPACED_CHAR = re.compile(f"([{UNSPACED}])")
_JOINED_CHAR = re.compile(f"[{UNSPACED}\u3000-\u303f\uff00-\uffef]")  # and CJK punctuation, full-width forms


def split_unspaced(text: str) -> str:
    """`text` with a space around every character of an unspaced script, so that splitting it at
    spaces gives its words and those characters one by one."""
    return _UNSPACED_CHAR.sub(r" \1 ", text)


def token_separator(before: str, after: str) -> str:
    """What joins two tokens of a tokenised file into running text: nothing between two characters
    of an unspaced script or its punctuation (a Chinese sentence one character a line), else a space."""
    return "" if before and after and _JOINED_CHAR.match(before[-1]) and _JOINED_CHAR.match(after[0]) else " "


def join_tokens(tokens: List[str]) -> str:
    """Tokens as running text, joined by `token_separator`."""
    text = ""
    for token in tokens:
        text = f"{text}{token_separator(text, token)}{token}" if text else token
    return text


def count_unspaced(text: str) -> int:
    """How many characters of `text` belong to an unspaced script."""
    return len(_UNSPACED_CHAR.findall(text))
