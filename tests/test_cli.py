"""The command line as a user calls it."""
from typer.testing import CliRunner

from evokd_spacy.cli import app
from tests.conftest import LEXICON, write_run_config


def _config(tmp_path):
    return str(write_run_config(tmp_path, {"@llm_models": "evokd.ScriptedTeacher.v1", "lexicon": LEXICON}))


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
