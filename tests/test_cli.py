"""The command line as a user calls it."""
from confection import Config
from typer.testing import CliRunner

from evokd_spacy.cli import app
from tests.conftest import ASSETS, LEXICON, ROOT


def _config(tmp_path):
    config = Config().from_disk(ROOT / "configs" / "evokd.cfg", interpolate=False)
    config["paths"].update(
        seeds=str(ASSETS / "seeds.jsonl"),
        dev=str(ASSETS / "dev.jsonl"),
        labels=str(ASSETS / "labels.json"),
        output=str(tmp_path / "training"),
        corpus=str(tmp_path / "corpus"),
    )
    config["student"].update(preset="cnn", max_steps=6, eval_frequency=3)
    config["loop"].update(progress=False, min_confidence=0.0)
    config["teacher"]["model"] = {"@llm_models": "evokd.ScriptedTeacher.v1", "lexicon": LEXICON}
    config.to_disk(tmp_path / "run.cfg")
    return str(tmp_path / "run.cfg")


def test_run_with_overrides_then_status(tmp_path):
    cli = CliRunner()
    result = cli.invoke(app, ["run", _config(tmp_path), "--loop.rounds", "1"])
    assert result.exit_code == 0, result.output
    assert "dev score" in result.output and "Best student" in result.output
    status = cli.invoke(app, ["status", str(tmp_path / "training")])
    assert status.exit_code == 0 and "Last finished step: round 1, metrics" in status.output


def test_bad_input_exits_with_a_message_not_a_traceback(tmp_path):
    result = CliRunner().invoke(app, ["run", _config(tmp_path), "--paths.seeds", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 1
    assert "File not found for 'paths.seeds'" in result.output and "Traceback" not in result.output
