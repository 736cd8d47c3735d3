"""The round's student is a trained checkpoint, never spaCy's untrained step-0 network."""
from pathlib import Path

import srsly
from spacy import util

from evokd_spacy.student.checkpoints import (
    CHECKPOINTS_FILE,
    LOGGER_NAME,
    keep_a_trained_checkpoint,
    make_checkpoint_logger,
    wrap_logger,
)

CONSOLE = {"@loggers": "spacy.ConsoleLogger.v1", "progress_bar": False}


def _model(path: Path, name: str, wrapped: bool) -> None:
    """A stand-in saved pipeline: a config (logger wrapped or not) and a file naming the checkpoint."""
    path.mkdir(parents=True)
    config = util.load_config_from_str("[training]\n\n[training.logger]\n")
    config["training"]["logger"] = dict(CONSOLE)
    if wrapped:
        wrap_logger(config, path.parent)
    config.to_disk(path / "config.cfg")
    (path / "which").write_text(name)


def _output(tmp_path: Path, checkpoints) -> Path:
    _model(tmp_path / "model-best", "best", wrapped=True)
    _model(tmp_path / "model-last", "last", wrapped=True)
    srsly.write_json(tmp_path / CHECKPOINTS_FILE, checkpoints)
    return tmp_path


def test_the_untrained_network_winning_on_dev_is_replaced_by_the_last_checkpoint(tmp_path):
    out = _output(tmp_path, [[0.006, 0], [0.0, 20], [0.0, 40], [0.0, 60]])
    result = keep_a_trained_checkpoint(out, warm_start=False)
    assert result == {"checkpoints": [[0.006, 0], [0.0, 20], [0.0, 40], [0.0, 60]], "best_step": 60, "untrained_best": True}
    assert (out / "model-best" / "which").read_text() == "last"


def test_the_fallback_names_the_step_model_last_holds_when_it_was_not_evaluated(tmp_path):
    out = _output(tmp_path, [[0.006, 0], [0.0, 20], [0.0, 40]])  # max_steps 50, evaluated every 20
    assert keep_a_trained_checkpoint(out, warm_start=False, last_step=50)["best_step"] == 50


def test_a_trained_best_checkpoint_is_kept(tmp_path):
    out = _output(tmp_path, [[0.0, 0], [0.3, 20], [0.1, 40]])
    result = keep_a_trained_checkpoint(out, warm_start=False)
    assert result["best_step"] == 20 and not result["untrained_best"]
    assert (out / "model-best" / "which").read_text() == "best"


def test_a_warm_started_step_0_is_the_previous_student_and_is_kept(tmp_path):
    out = _output(tmp_path, [[0.5, 0], [0.2, 20]])
    result = keep_a_trained_checkpoint(out, warm_start=True)
    assert result["best_step"] == 0 and not result["untrained_best"]
    assert (out / "model-best" / "which").read_text() == "best"


def test_saved_pipelines_keep_the_plain_console_logger(tmp_path):
    out = _output(tmp_path, [[0.0, 0], [0.3, 20]])
    keep_a_trained_checkpoint(out, warm_start=False)
    for name in ("model-best", "model-last"):
        logger = util.load_config(out / name / "config.cfg", interpolate=False)["training"]["logger"]
        assert logger == CONSOLE


def test_the_logger_passes_every_step_on_and_writes_the_evaluations(tmp_path):
    seen = []

    def console(nlp, stdout, stderr):
        return seen.append, lambda: seen.append("finalized")

    log, done = make_checkpoint_logger(str(tmp_path / "c.json"), console)(None)
    log({"checkpoints": [(0.1, 0)]})
    log(None)
    log({"checkpoints": [(0.1, 0), (0.4, 20)]})
    done()
    assert len(seen) == 4 and seen[-1] == "finalized"
    assert srsly.read_json(tmp_path / "c.json") == [[0.1, 0], [0.4, 20]]
    assert LOGGER_NAME == "evokd.CheckpointLogger.v1"
