"""Benchmark outputs: the results JSON, two plots, and the dataset's table in BENCHMARKS.md."""
import re
from itertools import accumulate
from pathlib import Path
from typing import Any, Callable, Dict, List

import srsly

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
ORDER = ("seed_only", "static", "paraphrase", "evokd", "evokd_no_easy", "evokd_no_correct", "evokd_no_review",
         "evokd_no_separation", "teacher_zero_shot")


def write_outputs(suite: str, result: Dict[str, Any], results: Path = RESULTS, update_md: bool = True) -> None:
    """Write `<suite>/<dataset>.json`, its PNG plots, and (`update_md`) its table into BENCHMARKS.md."""
    folder = Path(results) / suite
    folder.mkdir(parents=True, exist_ok=True)
    name = result["dataset"]
    srsly.write_json(folder / f"{name}.json", result)
    plot_rounds(result, folder / f"{name}_rounds.png")
    plot_tokens(result, folder / f"{name}_tokens.png")
    (folder / f"{name}.md").write_text(table(result, name) + "\n", encoding="utf8")
    if update_md:
        update_benchmarks_md(suite, name, table(result, f"benchmarks/results/{suite}/{name}"))


def save_comparison(results: Path, suite: str, prefix: str, result: Dict[str, Any], make_table: Callable[[Dict[str, Any]], str],
                    partial: bool, update_md: bool) -> Dict[str, Any]:
    """Write `<suite>/<prefix>_<dataset>.{json,md}` and (`update_md`) its block in BENCHMARKS.md.

    A `partial` re-run (some methods only) keeps the saved rows of the methods it did not run.
    """
    folder = Path(results) / suite
    folder.mkdir(parents=True, exist_ok=True)
    name = result["dataset"]
    path = folder / f"{prefix}_{name}.json"
    if partial and path.exists():
        result = {**result, "runs": {**srsly.read_json(path)["runs"], **result["runs"]}}
    srsly.write_json(path, result)
    text = make_table(result)
    (folder / f"{prefix}_{name}.md").write_text(text + "\n", encoding="utf8")
    if update_md:
        update_benchmarks_md(f"{prefix.replace('_', '-')}-{suite}", name, text)
    return result


def table(result: Dict[str, Any], png: str) -> str:
    """Markdown: score mean ± std per method and k, ratio to full-shot, tokens and time split."""
    full = result["full_shot"]
    lines = [
        f"#### {result['dataset']} ({result['suite']} suite, {result['n_test']} test docs, metric `{result['metric']}`, "
        f"student `{result['student']}`, teacher `{result['teacher']['teacher']}`)",
        "",
        "| method | k | score (mean ± std) | / full-shot | teacher tokens | time: teacher / training / other (s) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for method in ORDER:
        for k, s in result["scores"].get(method, {}).items():
            runs = result["runs"].get(method, {}).get(k, [])
            times = " / ".join(f"{sum(r['seconds'][p] for r in runs):.0f}" for p in ("teacher", "training", "other")) if runs else "-"
            ratio = f"{s['mean'] / full:.2f}" if full else "-"
            lines.append(f"| {method} | {k if method != 'teacher_zero_shot' else '0'} | {s['mean']:.3f} ± {s['std']:.3f} | {ratio} | {s['teacher_tokens']:.0f} | {times} |")
    detail = result["full_shot_detail"]
    lines.append(f"| full_shot ({detail['n_train']} train docs) | all | {full:.3f} | 1.00 | 0 | training {detail['training_seconds']:.0f} |")
    speed = result["speed_ratio"]
    lines += [
        "",
        f"Student {result['student_docs_per_s']:.1f} docs/s, teacher {result['teacher_docs_per_s']:.2f} docs/s on the same test texts: "
        f"the student is **{speed:.0f}x** faster. Time of the method runs together: {run_minutes(result):.0f} min "
        "(plus the teacher alone and the full-shot training).",
        "",
        f"![score per round]({png}_rounds.png) ![score against teacher tokens]({png}_tokens.png)",
    ]
    return "\n".join(lines)


def run_minutes(result: Dict[str, Any]) -> float:
    """Wall minutes of all method runs of a dataset (resumed runs count their first, full run)."""
    return sum(r["seconds"]["wall"] for by_k in result["runs"].values() for runs in by_k.values() for r in runs) / 60


def update_benchmarks_md(suite: str, dataset: str, text: str) -> None:
    """Replace (or append) the block of this suite and dataset in BENCHMARKS.md."""
    path = ROOT / "BENCHMARKS.md"
    body = path.read_text(encoding="utf8")
    start, end = f"<!-- bench:{suite}:{dataset} -->", f"<!-- /bench:{suite}:{dataset} -->"
    block = f"{start}\n{text}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    body = pattern.sub(lambda _: block, body) if pattern.search(body) else body.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(body, encoding="utf8")


def _series(result: Dict[str, Any], method: str) -> List[Dict[str, Any]]:
    return [r for runs in result["runs"].get(method, {}).values() for r in runs]


def plot_rounds(result: Dict[str, Any], path: Path) -> None:
    """Dev score per round: EvoKD against static generation (first k and seed of each)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5, 3.2), layout="constrained")
    ax = fig.subplots()
    for method in ("evokd", "static", "paraphrase"):
        runs = _series(result, method)
        if runs:
            ax.plot(range(len(runs[0]["dev_scores"])), runs[0]["dev_scores"], marker="o", label=method)
    ax.set_xlabel("round (0 = seeds only)")
    ax.set_ylabel("dev score")
    ax.set_title(f"{result['dataset']}: dev score per round")
    ax.legend()
    fig.savefig(path, dpi=110)


def plot_tokens(result: Dict[str, Any], path: Path) -> None:
    """Dev score against cumulative teacher tokens, per method (first k and seed of each)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.5, 3.4), layout="constrained")
    ax = fig.subplots()
    for method in ORDER:
        runs = _series(result, method)
        if runs and len(runs[0]["dev_scores"]) > 1:
            ax.plot(list(accumulate(runs[0]["tokens"])), runs[0]["dev_scores"], marker=".", label=method)
    ax.set_xlabel("cumulative teacher tokens")
    ax.set_ylabel("dev score")
    ax.set_title(f"{result['dataset']}: score against teacher tokens")
    ax.legend(fontsize=7)
    fig.savefig(path, dpi=110)
