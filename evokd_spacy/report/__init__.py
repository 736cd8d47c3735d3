"""A run report: `report.md` with a summary, a per-round table and PNG plots, from a run folder."""
from pathlib import Path
from typing import Any, Callable, Dict, Optional

from ..util.io import atomic_write_text
from . import plots
from .collect import collect_run, final_analysis
from .markdown import render_markdown

__all__ = ["write_report"]


def write_report(output: Path, corpus: Path, report_dir: Optional[Path] = None) -> Path:
    """Write `<report_dir or output>/report.md` and its PNGs in `report/` next to it; returns the md path.

    `output` is the run's output folder, `corpus` its corpus folder. Raises DataError when the run
    has no finished round. The final-model section is skipped (with a note) when model-best is missing.
    """
    data = collect_run(Path(output), Path(corpus))
    final = final_analysis(Path(output), Path(corpus), data["kind"])
    target = Path(report_dir) if report_dir is not None else Path(output)
    figures = target / "report"
    images: Dict[str, str] = {}

    def draw(key: str, plot: Callable[[Dict[str, Any], Path], Path], source: Dict[str, Any]) -> None:
        import matplotlib

        with matplotlib.rc_context({"text.parse_math": False}):  # a label like "price $5-$10" is text, not a formula
            plot(source, figures / f"{key}.png")
        images[key] = f"report/{key}.png"

    draw("dev_score", plots.plot_dev_scores, data)
    if data["labels"]:
        draw("per_label", plots.plot_per_label, data)
        draw("kept", plots.plot_kept, data)
    draw("tokens", plots.plot_tokens, data)
    if final.get("available"):
        if final["kind"] == "ner":
            if final["errors"]:
                draw("error_kinds", plots.plot_error_kinds, final)
        elif final["labels"]:
            draw("confusion", plots.plot_confusion, final)
    path = target / "report.md"
    atomic_write_text(path, render_markdown(data, final, images))
    return path
