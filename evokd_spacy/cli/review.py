"""`evokd export` and `evokd import`: the human review loop (Prodigy-compatible JSONL)."""
from pathlib import Path

import typer
from wasabi import msg

from ._app import EXTRA_ARGS, TARGET_HELP, app, existing, load_settings, reported_errors


@app.command("export", context_settings=EXTRA_ARGS)
def export_command(
    ctx: typer.Context,
    target: Path = typer.Argument(Path("training/evokd"), help=TARGET_HELP, callback=existing),
    out_dir: Path = typer.Option(None, "--out", "-o", help="Where to write (default: <output>/export)"),
    min_confidence: float = typer.Option(0.8, "--min-confidence", help="Teacher confidence below which a sample needs review"),
) -> None:
    """Export every finished round's kept data as Prodigy JSONL, DocBin and a needs-review subset.

    Settings may be overridden like `run`'s, e.g. a copied run folder's --paths.corpus."""
    from ..review.export import export_run

    with reported_errors():
        settings = load_settings(target, list(ctx.args), training=False)
        out_dir = out_dir or settings.output / "export"
        counts = export_run(settings, out_dir, min_confidence)
        if not counts:
            msg.info(f"No finished generation round in {settings.output} yet.")
            return
        msg.table([(r, c["samples"], c["needs_review"]) for r, c in counts.items()], header=("round", "samples", "needs review"), divider=True)
        msg.good(f"Exported to {out_dir} (round_<r>.jsonl, round_<r>.spacy, round_<r>.needs_review.jsonl)")
        labels = ",".join(settings.spec.label_names)
        if settings.spec.kind == "ner":
            recipe = f"ner.manual review_r1 blank:{settings.spec.lang} {out_dir}/round_1.needs_review.jsonl --label {labels}"
        else:
            exclusive = " --exclusive" if settings.spec.exclusive else ""
            recipe = f"textcat.manual review_r1 {out_dir}/round_1.needs_review.jsonl --label {labels}{exclusive}"
        msg.text(f"Review in Prodigy, e.g.: prodigy {recipe}; "
                 f"then: prodigy db-out review_r1 > reviewed.jsonl && python -m evokd_spacy import {target} reviewed.jsonl")


@app.command("import", context_settings=EXTRA_ARGS)
def import_command(
    ctx: typer.Context,
    target: Path = typer.Argument(..., help=TARGET_HELP, callback=existing),
    reviewed: Path = typer.Argument(..., help="Reviewed tasks (Prodigy JSONL with answer accept/reject/ignore)"),
    round_: int = typer.Option(None, "--round", "-r", help="Round of the tasks without meta.round (a task's own meta.round wins)"),
) -> None:
    """Import reviewed answers: accepted ones replace the teacher's, rejected ones leave training.

    They apply from the next round on, and are kept in <output>/reviewed/, never overwritten by a
    run. Settings may be overridden like `run`'s, e.g. a copied run folder's --paths.corpus."""
    from ..loop.state import RunFolder
    from ..review.store import import_reviews

    with reported_errors():
        settings = load_settings(target, list(ctx.args), training=False)
        folder = RunFolder(settings.output, settings.corpus)
        counts = import_reviews(folder, reviewed, settings.spec, round_)
        unwritten = [r for r in counts if not folder.round_jsonl(r).exists()]
        if unwritten:
            from ..review.store import reviewed_path

            msg.warn(f"Round(s) {', '.join(map(str, unwritten))} of this run have no data yet: their reviews apply when they "
                     f"run. If the round is a typo, delete {', '.join(str(reviewed_path(folder, r)) for r in unwritten)} and "
                     "import with the right --round.")
        msg.table([(r, c["accept"], c["reject"], c["ignore"]) for r, c in counts.items()], header=("round", "accept", "reject", "ignore"), divider=True)
        msg.good(f"Imported {sum(sum(c.values()) for c in counts.values())} reviewed task(s); the next rounds train on them.")
