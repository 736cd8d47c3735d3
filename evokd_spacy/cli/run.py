"""`evokd run` and `evokd resume`."""
from pathlib import Path
from typing import Optional

import typer
from wasabi import msg

from ._app import EXTRA_ARGS, TARGET_HELP, app, existing, load_settings, reported_errors


@app.command("run", context_settings=EXTRA_ARGS)
def run_command(
    ctx: typer.Context,
    target: Path = typer.Argument(..., help=TARGET_HELP, callback=existing),
    gpu_id: Optional[int] = typer.Option(None, "--gpu-id", "-g", help="GPU for student training (-1: CPU; default: the config's)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only print the teacher calls and tokens the run will use"),
) -> None:
    """Run EvoKD rounds, resuming a run that stopped. Override keys like spaCy: --loop.rounds 2."""
    args = list(ctx.args) + (["--student.gpu_id", str(gpu_id)] if gpu_id is not None else [])
    with reported_errors():
        settings = load_settings(target, args)
        if dry_run:
            print_estimate(settings)
            return
        from ..loop.runner import EvoKDRunner

        EvoKDRunner(settings).run()


@app.command("resume", context_settings=EXTRA_ARGS)
def resume_command(
    ctx: typer.Context,
    output: Path = typer.Argument(Path("training/evokd"), help="The run's output folder"),
    gpu_id: Optional[int] = typer.Option(None, "--gpu-id", "-g", help="GPU for student training (-1: CPU; default: the config's)"),
) -> None:
    """Continue a stopped run from its folder, e.g. `evokd resume training/evokd --loop.rounds 5`."""
    from ..loop.settings import SAVED_CONFIG

    if not (output / SAVED_CONFIG).exists():
        msg.fail(f"No run to resume in {output} (no {SAVED_CONFIG}). Start one with `evokd run CONFIG`.")
        raise typer.Exit(1)
    run_command(ctx, output, gpu_id, dry_run=False)


def print_estimate(settings: object) -> None:
    """Print the dry-run estimate of a run."""
    from ..loop.estimate import estimate_run

    est = estimate_run(settings)  # type: ignore[arg-type]
    per = est["per_round"]
    msg.table(
        [
            ("analyse / generate / label / pool calls per round",
             f"{per['analyse_calls']} / {per['generate_calls']} / {per['label_calls']} / {per['pool_calls']}"),
            ("calls per round (at most)", per["calls"]),
            ("prompt / completion tokens per round", f"{per['prompt_tokens']} / {per['completion_tokens']}"),
            ("labelling", est["labelling"]),
            ("rounds to go", f"{est['rounds_to_go']} of {est['rounds']}"),
            ("teacher calls to go (at most)", est["calls"]),
            ("teacher tokens to go (estimate)", est["tokens"]),
            ("estimated cost to go", f"{est['cost']:.4f}"),
        ],
        header=("dry run", "estimate"),
        divider=True,
        max_col=60,  # wasabi cuts columns at 30 characters: the first row's name is longer
    )
    msg.info("Nothing was run. Prompt tokens are estimated from the rendered round-1 prompts; completions at the token limit.")
