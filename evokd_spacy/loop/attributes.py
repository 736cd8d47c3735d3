"""Attribute prompts for diverse generation: each generation request names one value of every
attribute (`[loop] attributes`, e.g. length, topic, tone), picked afresh for each round, label and
repeat, so a small teacher does not write the same kind of text every time."""
import random
from typing import Dict, Optional, Sequence


def pick_attributes(attributes: Dict[str, Sequence[str]], r: int, label: str, repeat: int) -> Dict[str, str]:
    """One value per attribute; the same round, label and repeat always get the same values."""
    rng = random.Random(f"{r}|{label}|{repeat}")
    return {name: rng.choice(list(values)) for name, values in attributes.items() if values}


def request_style(
    styles: Sequence[str], attributes: Dict[str, Sequence[str]], r: int, label: str, repeat: int
) -> Optional[str]:
    """The style line of one generation request: the repeat's style (`[loop] styles`, or
    "variant N" for a second or later repeat without styles), then the picked attribute values."""
    parts = []
    if styles:
        parts.append(styles[repeat % len(styles)])
    elif repeat:
        parts.append(f"variant {repeat + 1}")
    parts += [f"{name}: {value}" for name, value in pick_attributes(attributes, r, label, repeat).items()]
    return "; ".join(parts) or None


def check_attributes(attributes: Dict[str, object]) -> Optional[str]:
    """An error message when `[loop] attributes` is not {name: [values]}, else None."""
    for name, values in attributes.items():
        if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) and v.strip() for v in values):
            return (f"[loop] attributes: {name!r} should be a list of non-empty strings, like "
                    '{"length": ["one short sentence", "two or three sentences"], "tone": ["formal", "casual"]}.')
    return None
