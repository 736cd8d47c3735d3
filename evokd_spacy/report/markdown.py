"""The report's markdown: run summary, per-round table, the figures with captions, the final analysis."""
from typing import Any, Dict, List, Optional, Sequence

from ..loop.table import format_dropped
from .plots import score_name

CAPTIONS = {
    "dev_score": "Dev score of the student trained in each round; the star marks the best round (model-best).",
    "per_label": "Dev F of each label in each round (a dash: the label had no gold or predicted example).",
    "kept": "Samples kept per label in each round (round 0: the seeds; a text with several labels counts under each).",
    "kept_ner": "Entity spans kept per label in each round (round 0: the seeds).",
    "tokens": "Cumulative teacher tokens per round (left), and the dev score against the tokens spent so far (right).",
    "confusion": "Confusion matrix of model-best on the dev set (rows: gold, columns: predicted).",
    "error_kinds": "Entity errors of model-best on the dev set per label, by kind.",
}


def duration(seconds: float) -> str:
    """`42s`, `3m 05s` or `1h 02m`."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"


def _table(header: Sequence[str], rows: List[Sequence[Any]], align: str = "") -> List[str]:
    align = align or "-" * len(header)
    marks = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |", "| " + " | ".join(marks) + " |"]
    return lines + ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]


def _cell(value: Any) -> str:
    """A table cell's text, its `|` escaped (a label like "good|great" would split the cell)."""
    return str(value).replace("|", "\\|")


def summary_lines(data: Dict[str, Any]) -> List[str]:
    """The run summary as a markdown bullet list."""
    s, teacher = data["summary"], data["summary"]["teacher"]
    seconds = s["seconds"]
    lines = [
        f"- **Task:** {data['kind']} ({len(data['labels'])} labels: {', '.join(data['labels'])})",
        f"- **Run:** `{data['output']}` (corpus `{data['corpus']}`)" + (f", teacher `{s['teacher_name']}`" if s["teacher_name"] else ""),
        f"- **Rounds finished:** {s['rounds']} EvoKD round(s) after round 0 (seeds only)",
        f"- **Best round:** {s['best_round']}, dev score **{s['best_score']:.3f}** ({score_name(data['kind'])})",
    ]
    if s["model_best_round"] is not None and s["model_best_round"] != s["best_round"]:
        lines.append(f"- **Note:** model-best holds round {s['model_best_round']}, not the best finished round.")
    if s["teacher_alone"] is not None:
        lines.append(f"- **Teacher alone on dev:** {s['teacher_alone']:.3f}")
    retries = f", {teacher['retries']} retries" if teacher["retries"] else ""
    paid = s.get("paid_calls", teacher["calls"])
    before_stops = f"; {paid:,} paid in all, with the calls a stop cut short that a resume read back" if paid > teacher["calls"] else ""
    lines += [
        f"- **Teacher calls:** {teacher['calls']:,} ({teacher['cached']:,} answered from the cache{retries}{before_stops})",
        f"- **Teacher tokens:** {s['tokens']:,} ({teacher['prompt_tokens']:,} prompt + {teacher['completion_tokens']:,} completion)",
        f"- **Wall time:** {duration(sum(seconds.values()))} in all: teacher {duration(seconds['teacher'])}, "
        f"training {duration(seconds['training'])}, other {duration(seconds['other'])}",
    ]
    if s["unfinished"]["calls"]:
        lines.append(f"- **Teacher use after the last finished round:** {s['unfinished']['calls']:,} calls, {s['unfinished']['tokens']:,} tokens "
                     "(a round stopped by the budget or interrupted; its answers are cached for `evokd resume`)")
    return lines


def round_rows(data: Dict[str, Any]) -> List[List[Any]]:
    """One table row per finished round; the best round's score is in bold."""
    rows = []
    for m, tokens in zip(data["metrics"], data["tokens"]["per_round"]):
        t = m["teacher"]
        calls = f"{t['calls']}" + (f" (+{t['cached']} cached)" if t.get("cached") else "")
        score = f"{m['dev_score']:.3f}"
        if m["round"] == data["summary"]["best_round"]:
            score = f"**{score}**"
        rows.append([m["round"], m["n_train"], m["generated"], format_kept(m), format_dropped(m.get("dropped") or {}), calls, f"{tokens:,}", score])
    return rows


def format_kept(line: Dict[str, Any]) -> str:
    """A round's kept count, split into generated and pool texts when it took pool texts."""
    sources = line.get("sources")
    if not sources:
        return str(line["kept"])
    return f"{line['kept']} ({sources['generated']['kept']} generated, {sources['pool']['kept']} pool)"


def source_lines(data: Dict[str, Any]) -> List[str]:
    """For runs with a pool: per round and source, texts offered and kept and how often the
    round-before student's answer differed from the teacher's (for pool texts: was corrected)."""
    rows = []
    for m in data["metrics"]:
        for source, counts in sorted((m.get("sources") or {}).items()):
            rate = counts.get("student_error_rate")
            rows.append([m["round"], source, counts["candidates"], counts["kept"], "–" if rate is None else f"{rate:.0%}"])
    if not rows:
        return []
    lines = ["### Generated and pool texts", "", "The student's error rate is how often the round-before student's answer "
             "differed from the teacher's final one on the kept texts (for pool texts: how often the teacher corrected it).", ""]
    return lines + _table(("round", "source", "offered", "kept", "student error rate"), rows, "rlrrr") + [""]


def _image(images: Dict[str, str], key: str, caption: str) -> List[str]:
    return [f"![{caption}]({images[key]})", "", f"*{caption}*", ""] if key in images else []


def final_lines(final: Dict[str, Any], images: Dict[str, str]) -> List[str]:
    """The final model's analysis on dev, or why it was skipped."""
    lines = ["## Final model on dev", ""]
    if not final.get("available"):
        return lines + [f"_Skipped: {final.get('reason', 'no analysis')}._", ""]
    if final["kind"] == "ner":
        lines += _image(images, "error_kinds", CAPTIONS["error_kinds"])
        lines.append(f"{final['exact']} of {final['n_gold']} gold entities in {final['n']} dev docs are found exactly.")
        lines.append("")
        kinds = ("missed", "spurious", "wrong_type", "wrong_boundary")
        rows = [[row["label"]] + [row[k] for k in kinds] for row in final["errors"]]
        return lines + _table(("label",) + kinds, rows, "l" + "r" * len(kinds)) + [""]
    lines += _image(images, "confusion", CAPTIONS["confusion"])
    if final.get("multilabel"):
        lines += ["_Multi-label task: the labels at the student's 0.5 threshold; each doc counts once for every pair of its "
                  "gold and predicted labels ((none): no label), and accuracy is an exact match of the two sets._", ""]
    lines += [f"Accuracy {final['accuracy']:.3f} on {final['n']} dev docs.", ""]
    header = ["gold \\ predicted"] + final["labels"]
    rows = [[label] + counts for label, counts in zip(final["labels"], final["matrix"])]
    return lines + _table(header, rows, "l" + "r" * len(final["labels"])) + [""]


def render_markdown(data: Dict[str, Any], final: Dict[str, Any], images: Dict[str, str], title: Optional[str] = None) -> str:
    """The whole report; `images` maps figure keys to paths relative to the markdown file."""
    lines = [f"# {title or 'EvoKD run report'}", "", "## Summary", ""] + summary_lines(data) + [""]
    lines += ["## Rounds", ""]
    header = ("round", "train docs", "generated", "kept", "dropped", "teacher calls", "tokens", "dev score")
    lines += _table(header, round_rows(data), "rrrrlrrr") + [""]
    lines += source_lines(data)
    lines += ["## Plots", ""]
    lines += _image(images, "dev_score", CAPTIONS["dev_score"])
    lines += _image(images, "per_label", CAPTIONS["per_label"])
    lines += _image(images, "kept", CAPTIONS["kept_ner" if data["kind"] == "ner" else "kept"])
    lines += _image(images, "tokens", CAPTIONS["tokens"])
    lines += final_lines(final, images)
    return "\n".join(lines).rstrip() + "\n"
