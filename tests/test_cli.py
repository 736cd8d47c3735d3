"""The command line as a user calls it."""
import pytest
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
    by_config = cli.invoke(app, ["status", _config(tmp_path)])  # the run's config file names its folder
    assert by_config.exit_code == 0 and "Last finished step: round 1, metrics" in by_config.output
    report = cli.invoke(app, ["report", _config(tmp_path)])
    assert report.exit_code == 0 and (tmp_path / "training" / "report.md").exists(), report.output


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


def test_dry_run_counts_calls_and_tokens_without_running(tmp_path):
    import json

    config = _config(tmp_path)
    dry = CliRunner().invoke(app, ["run", config, "--loop.rounds", "2", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Nothing was run" in dry.output and not (tmp_path / "training").exists()
    from evokd_spacy.loop.estimate import estimate_run
    from evokd_spacy.loop.settings import settings_for

    est = estimate_run(settings_for(config, {"loop.rounds": 2}))
    assert f"teacher calls to go (at most) {est['calls']}" in " ".join(dry.output.split())
    assert CliRunner().invoke(app, ["run", config, "--loop.rounds", "2"]).exit_code == 0
    metrics = [json.loads(line) for line in (tmp_path / "training" / "metrics.jsonl").read_text().splitlines()]
    calls = sum(m["teacher"]["calls"] for m in metrics)
    prompt_tokens = sum(m["teacher"]["prompt_tokens"] for m in metrics)
    assert est["rounds_to_go"] == 2 and calls <= est["calls"] and calls >= est["calls"] - 4  # a few texts dropped before labelling
    assert 0.5 < est["per_round"]["prompt_tokens"] * 2 / prompt_tokens < 2.0


def test_dry_run_counts_both_labelling_calls_of_a_labeller_with_a_plain_pattern(tmp_path):
    from evokd_spacy.loop.estimate import estimate_run
    from evokd_spacy.loop.settings import settings_for

    config = _config(tmp_path)
    once = estimate_run(settings_for(config, {"loop.rounds": 2}))
    plain = {"teacher.label.@llm_tasks": "evokd.TextCatLabel.v8", "teacher.label.plain_pattern": "Review: {text}\nSentiment:"}
    twice = estimate_run(settings_for(config, {"loop.rounds": 2, **plain}))
    texts = once["per_round"]["label_calls"]
    assert texts > 0 and twice["per_round"]["label_calls"] == 2 * texts
    assert twice["per_round"]["calls"] == once["per_round"]["calls"] + texts
    assert twice["per_round"]["prompt_tokens"] > once["per_round"]["prompt_tokens"]


def test_resume_needs_a_run_folder_and_status_shows_the_budget(tmp_path):
    cli = CliRunner()
    missing = cli.invoke(app, ["resume", str(tmp_path / "nothing")])
    assert missing.exit_code == 1 and "No run to resume" in missing.output
    config = _config(tmp_path)
    assert cli.invoke(app, ["run", config, "--loop.rounds", "1", "--loop.max_teacher_calls", "500"]).exit_code == 0
    status = cli.invoke(app, ["status", str(tmp_path / "training")])
    said = " ".join(status.output.split())
    assert "1 round(s) done; best dev score" in said and "Teacher budget: calls" in said and "of 500 (" in said


def test_spacy_cli_has_the_evokd_commands():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "spacy", "evokd", "--help"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    for command in ("run", "resume", "status", "report", "export", "import"):
        assert f" {command} " in out.stdout


def test_dry_run_counts_pool_calls_as_an_upper_bound(tmp_path):
    import json

    from tests.pool.conftest import pool_texts
    from evokd_spacy.loop.estimate import estimate_run
    from evokd_spacy.loop.settings import settings_for

    pool = tmp_path / "pool.txt"
    pool.write_text("\n".join(pool_texts(LEXICON)) + "\n")
    config = _config(tmp_path)
    args = {"loop.rounds": 1, "pool.path": str(pool), "pool.per_round": 5, "loop.generate": False, "pool.revise": True}
    est = estimate_run(settings_for(config, args))
    assert est["per_round"]["pool_calls"] == 10 and est["per_round"]["generate_calls"] == 0  # 5 revisions + up to 5 reasons
    cli_args = [a for key, value in args.items() for a in (f"--{key}", str(value).lower() if isinstance(value, bool) else str(value))]
    dry = CliRunner().invoke(app, ["run", config, *cli_args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "0 / 0 / 0 / 10" in " ".join(dry.output.split())
    assert CliRunner().invoke(app, ["run", config, *cli_args]).exit_code == 0
    metrics = [json.loads(line) for line in (tmp_path / "training" / "metrics.jsonl").read_text().splitlines()]
    assert 5 <= metrics[1]["teacher"]["calls"] <= est["calls"]
    elsewhere = {**args, "paths.output": str(tmp_path / "other" / "training"), "paths.corpus": str(tmp_path / "other" / "corpus")}
    explain = estimate_run(settings_for(config, {**elsewhere, "pool.strategy": {"@misc": "evokd.SelectExplanation.v1", "shortlist": 2.0}}))
    assert explain["per_round"]["pool_calls"] == 10 + 10 * (1 + 4)  # 10 rationales, 4 step checks each
    labelled = estimate_run(settings_for(config, {**elsewhere, "pool.revise": False}))
    assert labelled["per_round"]["pool_calls"] == 5  # labelling from scratch: no reasons


def test_status_and_report_name_a_missing_folder_or_config(tmp_path):
    cli = CliRunner()
    status = cli.invoke(app, ["status", str(tmp_path / "typo")])
    assert status.exit_code == 1 and "No run folder at" in " ".join(status.output.split())
    (tmp_path / "bare").mkdir()
    report = cli.invoke(app, ["report", str(tmp_path / "bare")])
    assert report.exit_code == 1 and "give it with --corpus" in " ".join(report.output.split())
    status = cli.invoke(app, ["status", str(tmp_path / "bare")])  # the parent of a run folder, say: it said "No finished round"
    assert status.exit_code == 1 and "holds no run (no run.json, config.cfg or metrics.jsonl)" in " ".join(status.output.split())


def test_a_run_saved_with_a_gpu_is_exported_without_one_and_resumed_on_the_cpu_with_gpu_id_minus_one(tmp_path, monkeypatch):
    import thinc.util

    from evokd_spacy.loop.settings import SAVED_CONFIG

    cli = CliRunner()
    assert cli.invoke(app, ["run", _config(tmp_path), "--loop.rounds", "1"]).exit_code == 0
    saved = tmp_path / "training" / SAVED_CONFIG
    saved.write_text(saved.read_text().replace("gpu_id = -1", "gpu_id = 0"))
    monkeypatch.setattr(thinc.util, "gpu_is_available", lambda: False)
    exported = cli.invoke(app, ["export", str(tmp_path / "training")])
    assert exported.exit_code == 0, exported.output
    refused = cli.invoke(app, ["resume", str(tmp_path / "training"), "--loop.rounds", "2"])
    assert refused.exit_code == 1 and "--gpu-id -1" in " ".join(refused.output.split())
    resumed = cli.invoke(app, ["resume", str(tmp_path / "training"), "--loop.rounds", "2", "--gpu-id", "-1"])
    assert resumed.exit_code == 0, resumed.output


@pytest.mark.parametrize(
    "overrides",
    [
        {"loop.separate_labelling": False},
        {"loop.feedback": False, "teacher.generate": {"@llm_tasks": "evokd.TextCatStaticGenerate.v1", "n": 6}},
        {"task.k_shot": 3, "loop.feedback": False, "loop.separate_labelling": False,
         "teacher.generate": {"@llm_tasks": "evokd.TextCatParaphrase.v1", "n": 6}},
    ],
)
def test_a_dry_run_of_a_baseline_or_ablation_counts_the_calls_its_round_makes(settings_factory, overrides):
    from evokd_spacy.loop.estimate import estimate_run
    from evokd_spacy.loop.runner import EvoKDRunner

    settings = settings_factory(**{"loop.rounds": 1, **{k: v for k, v in overrides.items() if k != "teacher.generate"}})
    if "teacher.generate" in overrides:
        settings.teacher_config["generate"] = overrides["teacher.generate"]
    estimate = estimate_run(settings)
    metrics = EvoKDRunner(settings, quiet=True).run()
    assert estimate["per_round"]["calls"] >= metrics[1]["teacher"]["calls"] >= estimate["per_round"]["calls"] * 0.5
    assert estimate["per_round"]["analyse_calls"] == int(overrides.get("loop.feedback", True))


def test_a_dry_run_stops_at_the_data_a_run_would_refuse_and_counts_the_labellers_exemplars(tmp_path, settings_factory):
    from evokd_spacy.errors import DataError
    from evokd_spacy.loop.estimate import estimate_run

    seeds = tmp_path / "seeds.csv"
    seeds.write_text("text,label\ngreat,POSITIVE\nawful,NEGATIVE\nmeh,NEUTRAL\n")
    with pytest.raises(DataError, match="'NEUTRAL' that are not in the label set"):
        estimate_run(settings_factory(**{"paths.seeds": str(seeds)}))
    with pytest.raises(DataError, match="File not found for 'paths.dev'"):
        estimate_run(settings_factory(**{"paths.dev": str(tmp_path / "missing.jsonl")}))
    shown = estimate_run(settings_factory(**{"task.k_shot": 3}))["per_round"]["prompt_tokens"]
    assert shown > estimate_run(settings_factory(**{"task.k_shot": 3, "teacher.label.few_shot": 0}))["per_round"]["prompt_tokens"]


def test_the_threshold_advice_says_when_no_threshold_reaches_ninety_percent():
    from evokd_spacy.cli.info import threshold_advice

    table = [{"threshold": 0.0, "kept": 1.0, "accuracy": 0.6}, {"threshold": 0.6, "kept": 0.5, "accuracy": 0.95}]
    assert threshold_advice(table, 0.6).startswith("Use --loop.min_confidence 0.6 (the lowest threshold whose kept dev answers are at least 90% right")
    advice = threshold_advice(table[:1], 0.0)
    assert advice.startswith("No threshold keeps dev answers 90% right") and "0.0: 60% right, 100% kept" in advice


def test_an_option_the_command_lacks_is_one_error_naming_its_options_not_a_traceback():
    from typer.testing import CliRunner

    from evokd_spacy.cli import app
    from tests.conftest import ROOT

    result = CliRunner().invoke(app, ["evaluate-teacher", str(ROOT / "configs" / "evokd.cfg"), "--rounds", "5"])
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "No such option '--rounds'." in out and "--help lists its options" in out and "e.g. --loop.rounds 5" in out
    assert "Traceback" not in out


def test_a_dry_run_counts_completions_of_labels_a_served_teacher_writes_as_text(settings_factory):
    from evokd_spacy.loop.estimate import estimate_run, scores_labels

    assert scores_labels({"@llm_models": "evokd.LocalHF.v3"}) and scores_labels({"@llm_models": "evokd.OpenAICompatible.v3"})
    assert not scores_labels({"@llm_models": "evokd.OpenAICompatible.v3", "choice_logprobs": 0})
    assert not scores_labels({"@llm_models": "evokd.OpenAICompatible.v2"}) and not scores_labels({"@llm_models": "spacy.GPT-4.v3"})
    settings = settings_factory()
    scored = estimate_run(settings)
    settings.teacher_config["model"] = {"@llm_models": "evokd.OpenAICompatible.v2", "url": "http://127.0.0.1:9/v1", "model": "m"}
    written = estimate_run(settings)
    assert scored["labelling"] == "scored (no completion)" and written["labelling"].startswith("generated")
    assert written["per_round"]["completion_tokens"] > scored["per_round"]["completion_tokens"]
