"""The per-round table printed during and after a run."""
from typing import Any, Dict, List

from wasabi import msg

HEADER = ("round", "train docs", "generated", "kept", "dropped", "teacher calls", "tokens", "dev score", "teacher s", "train s")
WIDTHS = (5, 10, 9, 5, 26, 13, 8, 9, 9, 8)


def format_dropped(dropped: Dict[str, int]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(dropped.items())) or "-"


def round_row(line: Dict[str, Any]) -> tuple:
    teacher = line["teacher"]
    return (
        line["round"],
        line["n_train"],
        line["generated"],
        line["kept"],
        format_dropped(line["dropped"]),
        f"{teacher['calls']} (+{teacher['cached']} cached)",
        teacher["prompt_tokens"] + teacher["completion_tokens"],
        f"{line['dev_score']:.3f}",
        f"{line['seconds']['teacher']:.0f}",
        f"{line['seconds']['training']:.0f}",
    )


def print_rounds(lines: List[Dict[str, Any]], header: bool = True) -> None:
    """Print metrics lines as table rows (with the header when asked)."""
    rows = [round_row(line) for line in lines]
    msg.table(rows, header=HEADER if header else None, divider=header, widths=WIDTHS, aligns=("r",) * 4 + ("l",) + ("r",) * 5)
