"""Which training step a round's `model-best` came from, so that an untrained network is never kept.

spaCy evaluates the student on dev at step 0, after one batch but before the learning rate has
warmed up (a preset without warm-up, like `cnn`, has taken one step there), and saves
the best-scoring checkpoint as `model-best`. When every trained checkpoint scores lower (a small
NER student often finds no entity at all for its first steps), the untrained network wins: it
tags spans at random, scores a little above zero, and becomes the round's student. The loop would
then analyse and report a model that never learned anything.
"""
import shutil
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import srsly
from spacy.util import registry

CHECKPOINTS_FILE = "checkpoints.json"
LOGGER_NAME = "evokd.CheckpointLogger.v1"


@registry.loggers(LOGGER_NAME)
def make_checkpoint_logger(path: str, console: Callable) -> Callable:
    """spaCy's training logger `console`, plus every dev evaluation's [score, step] written to `path`."""

    def setup(nlp: Any, stdout: Any = sys.stdout, stderr: Any = sys.stderr) -> Tuple[Callable, Callable]:
        log_step, finalize = console(nlp, stdout, stderr)
        checkpoints: List[List[float]] = []

        def log(info: Optional[Dict[str, Any]]) -> None:
            if info is not None:
                checkpoints[:] = [[float(score), int(step)] for score, step in info["checkpoints"]]
            log_step(info)

        def done() -> None:
            finalize()
            srsly.write_json(path, checkpoints)

        return log, done

    return setup


def wrap_logger(config: Any, output_dir: Path) -> None:
    """Route the training config's logger through the checkpoint logger, writing into `output_dir`."""
    console = config["training"]["logger"]
    config["training"]["logger"] = {"@loggers": LOGGER_NAME, "path": str(output_dir / CHECKPOINTS_FILE), "console": console}


def unwrap_logger(model_dir: Path) -> None:
    """Put the plain console logger back into a saved pipeline's config, so it trains without us."""
    from spacy import util

    path = model_dir / "config.cfg"
    config = util.load_config(path, interpolate=False)
    logger = config["training"]["logger"]
    if logger.get("@loggers") == LOGGER_NAME:
        config["training"]["logger"] = logger["console"]
        config.to_disk(path)


def keep_a_trained_checkpoint(output_dir: Path, warm_start: bool, last_step: Optional[int] = None) -> Dict[str, Any]:
    """Replace `model-best` by `model-last` when the untrained step-0 network was the best on dev.

    A warm-started round's step 0 is the previous round's student, a fair choice, so it is kept.
    `last_step` is the step `model-last` holds (the run's max_steps; spaCy evaluates only every
    eval_frequency steps, so it can lie after the last evaluation). Returns the dev score at each
    evaluated step, the step `model-best` holds, and whether the fallback was taken.
    """
    path = output_dir / CHECKPOINTS_FILE
    checkpoints = [(float(score), int(step)) for score, step in srsly.read_json(path)] if path.exists() else []
    best_step = max(checkpoints)[1] if checkpoints else None
    untrained = best_step == 0 and len(checkpoints) > 1 and not warm_start
    if untrained:
        shutil.rmtree(output_dir / "model-best")
        shutil.copytree(output_dir / "model-last", output_dir / "model-best")
        best_step = max(last_step or 0, checkpoints[-1][1])
    for name in ("model-best", "model-last"):
        if (output_dir / name).exists():
            unwrap_logger(output_dir / name)
    return {"checkpoints": [[score, step] for score, step in checkpoints], "best_step": best_step, "untrained_best": untrained}
