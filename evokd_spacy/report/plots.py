"""The report's PNG figures. matplotlib is imported only when a plot is drawn, and never through
pyplot, so the caller's backend (a notebook's, say) is left alone."""
import io
import math
from pathlib import Path
from typing import Any, Dict, List, Sequence

from ..util.io import atomic_write_bytes

DPI = 110


def _figure(width: float, height: float, ncols: int = 1) -> Any:
    """A (figure, axes) pair drawn off-screen; no pyplot state is kept between plots."""
    from matplotlib.figure import Figure  # a bare Figure saves through Agg without pyplot or a backend switch

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.subplots(1, ncols)


def _save(fig: Any, path: Path) -> Path:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    atomic_write_bytes(path, buf.getvalue())
    return path


def _round_axis(ax: Any, rounds: Sequence[int]) -> None:
    from matplotlib.ticker import MaxNLocator

    if len(rounds) <= 20:
        ax.set_xticks(list(rounds))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("round (0 = seeds only)")


def _thousands(axis: Any) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))


def score_name(kind: str) -> str:
    """What the run's dev score is, for axis labels."""
    return "micro entity F" if kind == "ner" else "macro F"


def plot_dev_scores(data: Dict[str, Any], path: Path) -> Path:
    """Line plot of the dev score per round, the best round marked (and the teacher alone, if scored)."""
    rounds, scores, summary = data["rounds"], data["dev_scores"], data["summary"]
    fig, ax = _figure(max(5.5, 0.45 * len(rounds) + 3), 3.6)
    ax.plot(rounds, scores, marker="o", color="tab:blue", label="student (dev)")
    ax.plot([summary["best_round"]], [summary["best_score"]], marker="*", markersize=16, color="tab:orange",
            linestyle="none", label=f"best: round {summary['best_round']} ({summary['best_score']:.3f})")
    if summary.get("teacher_alone") is not None:
        ax.axhline(summary["teacher_alone"], linestyle="--", color="grey", label=f"teacher alone ({summary['teacher_alone']:.3f})")
    top = max(scores + [summary.get("teacher_alone") or 0.0])
    ax.set_ylim(0, 1.0 if top <= 0.95 else 1.05)
    ax.set_ylabel(f"dev score ({score_name(data['kind'])})")
    ax.set_title("Dev score per round")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    _round_axis(ax, rounds)
    return _save(fig, path)


def plot_per_label(data: Dict[str, Any], path: Path) -> Path:
    """Heat map of each label's dev F per round (labels x rounds), with the values written in."""
    labels, rounds = data["labels"], data["rounds"]
    values = [[math.nan if v is None else v for v in data["per_label_f"][label]] for label in labels]
    fig, ax = _figure(max(5.0, 0.7 * len(rounds) + 2.5), max(2.4, 0.45 * len(labels) + 1.4))
    from matplotlib import colormaps

    cmap = colormaps["viridis"].with_extremes(bad="lightgrey")  # no score: grey, with a dash
    image = ax.imshow(values, vmin=0.0, vmax=1.0, cmap=cmap, aspect="auto")
    ax.set_xticks(range(len(rounds)), [str(r) for r in rounds])
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("round (0 = seeds only)")
    if len(rounds) * len(labels) <= 400:
        size = 9 if len(rounds) <= 12 else 7
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                text = "–" if math.isnan(v) else f"{v:.2f}"
                color = "black" if math.isnan(v) or v >= 0.6 else "white"
                ax.text(j, i, text, ha="center", va="center", fontsize=size, color=color)
    fig.colorbar(image, ax=ax, label="dev F")
    ax.set_title("Dev F per label and round")
    return _save(fig, path)


def _colors(n: int) -> List[Any]:
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


MAX_STACKED_LABELS = 20  # distinct colours (tab20) and a legend that fits beside the bars


def plot_kept(data: Dict[str, Any], path: Path) -> Path:
    """Stacked bars: samples (textcat) or entity spans (NER) kept per label in each round; with
    more labels than colours, a heat map of the counts (labels x rounds) instead."""
    labels, rounds, kept = data["labels"], data["rounds"], data["kept_per_label"]
    if len(labels) > MAX_STACKED_LABELS:
        return _plot_kept_counts(data, path)
    fig, ax = _figure(max(5.5, 0.5 * len(rounds) + 3.5), 3.8)
    bottom = [0] * len(rounds)
    for label, color in zip(labels, _colors(len(labels))):
        heights = [kept[r].get(label, 0) for r in rounds]
        ax.bar(rounds, heights, bottom=bottom, color=color, label=label, edgecolor="white", linewidth=0.5)
        bottom = [b + h for b, h in zip(bottom, heights)]
    for r, total in zip(rounds, bottom):
        ax.annotate(str(total), (r, total), ha="center", va="bottom", fontsize=8, xytext=(0, 2), textcoords="offset points")
    ax.set_ylim(0, max(bottom + [1]) * 1.15)
    ax.set_ylabel("entity spans kept" if data["kind"] == "ner" else "samples kept")
    ax.set_title("Kept per label and round" + (" (entity spans)" if data["kind"] == "ner" else ""))
    handles, names = ax.get_legend_handles_labels()  # top of the legend = top of the stack
    ax.legend(handles[::-1], names[::-1], title="label", fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(axis="y", alpha=0.3)
    _round_axis(ax, rounds)
    return _save(fig, path)


def _plot_kept_counts(data: Dict[str, Any], path: Path) -> Path:
    """Heat map of the samples (or entity spans) kept per label (rows) and round (columns)."""
    labels, rounds, kept = data["labels"], data["rounds"], data["kept_per_label"]
    counts = [[kept[r].get(label, 0) for r in rounds] for label in labels]
    fig, ax = _figure(max(5.0, 0.7 * len(rounds) + 3.0), max(2.4, 0.3 * len(labels) + 1.4))
    image = ax.imshow(counts, cmap="Blues", vmin=0, aspect="auto")
    ax.set_xticks(range(len(rounds)), [str(r) for r in rounds])
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("round (0 = seeds only)")
    high = max((max(row) for row in counts), default=0)
    if len(rounds) * len(labels) <= 600:
        for i, row in enumerate(counts):
            for j, count in enumerate(row):
                ax.text(j, i, str(count), ha="center", va="center", fontsize=7, color="white" if count > high / 2 else "black")
    noun = "entity spans" if data["kind"] == "ner" else "samples"
    fig.colorbar(image, ax=ax, label=f"{noun} kept")
    totals = ", ".join(f"{r}: {sum(kept[r].values())}" for r in rounds) if len(rounds) <= 10 else ""
    ax.set_title(f"Kept per label and round ({noun})" + (f"\ntotal per round: {totals}" if totals else ""), fontsize=10)
    return _save(fig, path)


def plot_tokens(data: Dict[str, Any], path: Path) -> Path:
    """Cumulative teacher tokens per round, and the dev score against the cumulative tokens."""
    rounds, tokens, scores = data["rounds"], data["tokens"], data["dev_scores"]
    fig, (left, right) = _figure(11.0, 3.8, ncols=2)
    left.bar(rounds, tokens["cumulative"], color="tab:purple", alpha=0.8, label="cumulative")
    left.plot(rounds, tokens["per_round"], marker="o", color="black", label="this round")
    left.set_ylabel("teacher tokens (prompt + completion)")
    left.set_title("Teacher tokens")
    left.legend(fontsize=8, loc="upper left")
    left.grid(axis="y", alpha=0.3)
    _thousands(left.yaxis)
    _round_axis(left, rounds)
    right.plot(tokens["cumulative"], scores, marker="o", color="tab:blue")
    for r, x, y in zip(rounds, tokens["cumulative"], scores):
        right.annotate(f"r{r}", (x, y), fontsize=8, xytext=(4, 4), textcoords="offset points")
    right.set_xlabel("cumulative teacher tokens")
    right.set_ylabel(f"dev score ({score_name(data['kind'])})")
    right.set_title("Dev score against teacher tokens spent")
    right.grid(alpha=0.3)
    right.margins(x=0.08, y=0.15)
    _thousands(right.xaxis)
    return _save(fig, path)


def plot_confusion(final: Dict[str, Any], path: Path) -> Path:
    """Heat map of the confusion matrix (gold rows, predicted columns) of model-best on dev."""
    labels, matrix = final["labels"], final["matrix"]
    n = len(labels)
    fig, ax = _figure(max(4.5, 0.6 * n + 2.5), max(3.8, 0.55 * n + 1.8))
    image = ax.imshow(matrix, cmap="Blues", vmin=0)
    ax.set_xticks(range(n), labels, rotation=45 if n > 4 else 0, ha="right" if n > 4 else "center")
    ax.set_yticks(range(n), labels)
    ax.set_xlabel("predicted (score ≥ 0.5)" if final.get("multilabel") else "predicted")
    ax.set_ylabel("gold labels" if final.get("multilabel") else "gold")
    high = max((max(row) for row in matrix), default=0)
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            ax.text(j, i, str(count), ha="center", va="center", fontsize=9, color="white" if count > high / 2 else "black")
    fig.colorbar(image, ax=ax, label="dev docs", shrink=0.8)
    ax.set_title(f"model-best on dev: confusion matrix\nn={final['n']} docs, accuracy {final['accuracy']:.3f}", fontsize=10)
    return _save(fig, path)


def plot_error_kinds(final: Dict[str, Any], path: Path) -> Path:
    """Grouped bars per label: missed, spurious, wrong-type and wrong-boundary entities of model-best on dev."""
    from ..tasks.ner.analyse import ERROR_KINDS

    rows = final["errors"]
    fig, ax = _figure(max(5.5, 1.1 * len(rows) + 3), 3.8)
    width = 0.8 / len(ERROR_KINDS)
    for k, (kind, color) in enumerate(zip(ERROR_KINDS, _colors(len(ERROR_KINDS)))):
        xs = [i + (k - (len(ERROR_KINDS) - 1) / 2) * width for i in range(len(rows))]
        ax.bar(xs, [row[kind] for row in rows], width=width, color=color, label=kind.replace("_", " "))
    ax.set_xticks(range(len(rows)), [row["label"] for row in rows], rotation=45 if len(rows) > 6 else 0)
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("entities")
    ax.set_xlabel("label")
    ax.set_title(f"model-best on dev: entity errors per label\n{final['exact']} of {final['n_gold']} gold entities found exactly", fontsize=10)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)
