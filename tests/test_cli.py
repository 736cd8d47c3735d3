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


def test_a_teacher_that_stays_down_stops_the_run_with_how_to_continue(tmp_path):
    from evokd_spacy.loop.state import RunFolder
    from evokd_spacy.teachers.loopback import LoopbackServer

    with LoopbackServer(LEXICON, down_after=4) as server:
        teacher = {"@llm_models": "evokd.OpenAICompatible.v1", "base_url": server.base_url, "model": "scripted",
                   "max_concurrency": 2, "max_tries": 3, "backoff": 0.01, "max_backoff": 0.02}
        config = str(write_run_config(tmp_path, teacher))
        down = CliRunner().invoke(app, ["run", config, "--loop.rounds", "1"])
        assert down.exit_code == 1 and "Traceback" not in down.output
        said = " ".join(down.output.split())
        assert "failed 3 times (last: HTTP 503" in said and "start the run again to continue" in said
        folder = RunFolder(tmp_path / "training", tmp_path / "corpus")
        assert [m["round"] for m in folder.read_metrics()] == [0]  # round 0 and the answered calls are saved
        saved = len(list(folder.cache.rglob("*.json")))
        assert saved == 4
        server.down_after = None  # the server is back
        back = CliRunner().invoke(app, ["run", config, "--loop.rounds", "1"])
        assert back.exit_code == 0, back.output
        assert [m["round"] for m in folder.read_metrics()] == [0, 1]
        assert max(server.answered.values()) == 1  # no answered call was asked twice
