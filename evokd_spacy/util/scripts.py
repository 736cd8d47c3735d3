"""Scripts written without spaces between words (Chinese, Japanese kana, Thai, Lao, Khmer, Myanmar),
and Korean, whose particles attach to words: a space does not say where their words end."""
import re

UNSPACED = ("\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff"
            "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002ffff")
SPACED_WORD_CHAR = f"[^\\W{UNSPACED}]"  # a letter or digit of a script that separates words by spaces
_UNSPACED_CHAR = re.compile(f"([{UNSPACED}])")


def split_unspaced(text: str) -> str:
    """`text` with a space around every character of an unspaced script, so that splitting it at
    spaces gives its words and those characters one by one."""
    return _UNSPACED_CHAR.sub(r" \1 ", text)
