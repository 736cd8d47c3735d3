"""`[loop] choose_exemplars`: the run labels dev texts with and without seed exemplars and keeps the better."""
import json

import pytest

from evokd_spacy.errors import ConfigError
from evokd_spacy.loop import label_choice
from evokd_spacy.loop.runner import EvoKDRunner


def _exemplar_run(settings_factory, n=12, few_shot=2, **overrides):
    settings = settings_factory(**{"loop.rounds": 1, "loop.choose_exemplars": n, **overrides})
    settings.teacher_config["label"] = {"@llm_tasks": "evokd.TextCatLabel.v5", "few_shot": few_shot}
    return settings


@pytest.mark.parametrize("with_score,expected", [(0.9, 2), (0.5, 0), (0.7, 0)])
def test_the_better_way_on_dev_is_kept_and_a_tie_keeps_no_exemplars(settings_factory, monkeypatch, with_score, expected):
    asked = []

    def fake_score(teacher, kind, spec, samples, desc):
        asked.append((teacher.label.few_shot, len(teacher.label.examples), len(samples)))
        return {kind.main_score: with_score if teacher.label.few_shot else 0.7}, []

    monkeypatch.setattr(label_choice, "label_and_score", fake_score)
    settings = _exemplar_run(settings_factory)
    runner = EvoKDRunner(settings, quiet=True)
    runner.run()
    assert [a[:2] for a in asked] == [(0, 0), (2, 2)] and asked[0][2] == min(12, len(runner.dev))
    saved = json.loads((settings.output / label_choice.CHOICE_FILE).read_text())
    assert saved["few_shot"] == expected and saved["scores"] == {"0": 0.7, "2": with_score}
    assert runner.teacher.label.few_shot == expected and len(runner.teacher.label.examples) == expected
    # a resumed run keeps the saved choice and asks nothing
    asked.clear()
    again = EvoKDRunner(_exemplar_run(settings_factory, **{"loop.rounds": 2}), quiet=True)
    again.run()
    assert asked == [] and again.teacher.label.few_shot == expected


def test_the_choice_labels_real_dev_texts_through_the_teacher_and_counts_its_calls(settings_factory):
    settings = _exemplar_run(settings_factory, n=10)
    runner = EvoKDRunner(settings, quiet=True)
    metrics = runner.run()
    saved = json.loads((settings.output / label_choice.CHOICE_FILE).read_text())
    assert saved["n_dev"] == 10 and set(saved["scores"]) == {"0", "2"} and saved["metric"] == "cats_score"
    plain = settings_factory(**{"loop.rounds": 1, "paths.output": str(settings.output) + "_plain", "paths.corpus": str(settings.corpus) + "_plain"})
    assert metrics[1]["teacher"]["calls"] == EvoKDRunner(plain, quiet=True).run()[1]["teacher"]["calls"] + 20


def test_choosing_without_exemplars_to_choose_is_a_config_error_that_names_the_fix(settings_factory):
    settings = _exemplar_run(settings_factory, few_shot=0)
    with pytest.raises(ConfigError, match="few_shot = 6"):
        EvoKDRunner(settings, quiet=True).run()
    with pytest.raises(ConfigError, match="choose_exemplars must be >= 0"):
        settings_factory(**{"loop.choose_exemplars": -1})


def test_the_dry_run_counts_the_choice_calls_once(settings_factory):
    from evokd_spacy.loop.estimate import estimate_run

    plain = estimate_run(settings_factory(**{"loop.rounds": 2}))
    choosing = estimate_run(_exemplar_run(settings_factory, n=10, **{"loop.rounds": 2}))
    assert choosing["setup_calls"] == plain["setup_calls"] + 20
    assert choosing["calls"] == plain["calls"] + 20 and choosing["tokens"] > plain["tokens"]
    both = estimate_run(_exemplar_run(settings_factory, n=10, **{"loop.rounds": 2, "loop.choose_echo": 7}))
    assert both["setup_calls"] == plain["setup_calls"] + 20 + 14


def test_the_dry_run_prices_the_setup_calls_too(settings_factory):
    from evokd_spacy.loop.estimate import estimate_run

    prices = {"loop.rounds": 2, "loop.cost_per_1k_prompt_tokens": 1.0, "loop.cost_per_1k_completion_tokens": 2.0}
    plain = estimate_run(settings_factory(**prices))
    choosing = estimate_run(_exemplar_run(settings_factory, n=10, **prices))
    per_round = plain["per_round"]
    rounds_cost = (per_round["prompt_tokens"] + 2 * per_round["completion_tokens"]) * plain["rounds_to_go"] / 1000
    assert choosing["cost"] > plain["cost"] >= rounds_cost, "the 20 choice calls (and calibration) cost something"
    assert abs(choosing["cost"] - plain["cost"] - (choosing["tokens"] - plain["tokens"]) / 1000) < 1e-9, "priced at the prompt rate: scored, nothing generated"


def test_with_v6_the_dev_choice_replaces_its_label_count_rule(settings_factory, monkeypatch):
    shown = []

    def fake_score(teacher, kind, spec, samples, desc):
        shown.append(len(teacher.label.examples))
        return {kind.main_score: 0.9 if teacher.label.examples else 0.7}, []

    monkeypatch.setattr(label_choice, "label_and_score", fake_score)
    settings = settings_factory(**{"loop.rounds": 1, "loop.choose_exemplars": 8})
    settings.teacher_config["label"] = {"@llm_tasks": "evokd.TextCatLabel.v6", "few_shot_max_labels": 1}
    runner = EvoKDRunner(settings, quiet=True)
    runner.run()
    assert shown == [0, 2], "the exemplars were compared although the 2-label task is above the limit of 1"
    assert len(runner.teacher.label.examples) == 2


def test_the_dry_run_asks_only_the_repeats_the_round_tokens_allow(settings_factory):
    from evokd_spacy.loop.estimate import estimate_run

    every = estimate_run(settings_factory(**{"loop.requests_per_label": 20}))
    per_repeat = every["per_round"]["generate_calls"] // 20
    one_repeat_tokens = (every["per_round"]["prompt_tokens"] + every["per_round"]["completion_tokens"]) // 20
    capped = estimate_run(settings_factory(**{"loop.requests_per_label": 20, "loop.round_tokens": 3 * one_repeat_tokens}))
    assert 0 < capped["per_round"]["generate_calls"] < every["per_round"]["generate_calls"]
    assert capped["per_round"]["generate_calls"] % per_repeat == 0 and capped["tokens"] < every["tokens"]


def test_the_dry_run_stops_where_the_run_would_on_a_folder_with_another_run(settings_factory):
    import pytest

    from evokd_spacy.errors import ConfigError
    from evokd_spacy.loop.estimate import estimate_run
    from evokd_spacy.loop.runner import EvoKDRunner

    EvoKDRunner(settings_factory(**{"loop.rounds": 0}), quiet=True).run()
    with pytest.raises(ConfigError, match=r"holds a run started with other settings \(loop.requests_per_label\)"):
        estimate_run(settings_factory(**{"loop.rounds": 0, "loop.requests_per_label": 3}))


def test_a_calibrating_labeller_is_recalibrated_for_the_exemplars_it_ends_up_showing(settings_factory, monkeypatch):
    from evokd_spacy.loop import teacher as teacher_module

    calibrated, real = [], teacher_module.calibrate

    def recording(teacher, task):
        calibrated.append(len(getattr(task, "examples", [])) if task is teacher.label else "revise")
        real(teacher, task)

    monkeypatch.setattr(label_choice, "calibrate", recording)
    monkeypatch.setattr(label_choice, "label_and_score", lambda teacher, kind, spec, samples, desc: (
        {kind.main_score: 0.5 if teacher.label.few_shot else 0.7}, []))  # without exemplars wins
    settings = _exemplar_run(settings_factory)
    settings.teacher_config["label"] = {"@llm_tasks": "evokd.TextCatLabel.v2", "few_shot": 2, "calibrate": True}
    runner = EvoKDRunner(settings, quiet=True)
    runner.prepare()
    assert runner.teacher.label.few_shot == 0 and runner.teacher.label.examples == []
    assert calibrated == [0, 2, 0], "a prior for each way scored, and one for the way kept"


@pytest.mark.parametrize("twice_score,expected", [(0.9, True), (0.7, False)])
def test_reading_each_text_twice_is_chosen_on_dev_when_it_labels_better(settings_factory, monkeypatch, capsys, twice_score, expected):
    asked = []

    def fake_score(teacher, kind, spec, samples, desc):
        asked.append(teacher.label.echo)
        return {kind.main_score: twice_score if teacher.label.echo else 0.7}, []

    monkeypatch.setattr(label_choice, "label_and_score", fake_score)
    settings = settings_factory(**{"loop.rounds": 1, "loop.choose_echo": 10})
    settings.teacher_config["label"] = {"@llm_tasks": "evokd.TextCatLabel.v7"}
    runner = EvoKDRunner(settings, quiet=True)
    runner.run()
    saved = json.loads((settings.output / label_choice.ECHO_FILE).read_text())
    assert asked == [False, True] and saved["echo"] is expected and saved["scores"] == {"False": 0.7, "True": twice_score}
    assert runner.teacher.label.echo == expected
    said = " ".join(capsys.readouterr().out.split())
    assert f"Labelling chosen on 10 dev texts: each read {'twice' if expected else 'once'}" in said and "echo_choice.json" in said
    again = EvoKDRunner(settings, quiet=True)
    again.prepare()
    assert again.teacher.label.echo is expected and asked == [False, True], "a resumed run keeps the saved choice"


def test_choosing_the_echo_needs_a_labeller_that_has_one(settings_factory):
    settings = settings_factory(**{"loop.rounds": 1, "loop.choose_echo": 10})
    settings.teacher_config["label"] = {"@llm_tasks": "evokd.TextCatLabel.v6"}
    with pytest.raises(ConfigError, match=r'choose_echo compares reading each text once and twice: use .*"evokd.TextCatLabel.v7"'):
        EvoKDRunner(settings, quiet=True).run()


def test_the_shipped_textcat_config_reads_once_without_a_choice_and_ner_refuses_the_choice(settings_factory):
    from evokd_spacy.loop.settings import check_settings, load_config
    from tests.conftest import ROOT

    shipped = check_settings(load_config(ROOT / "configs" / "evokd.cfg"))
    assert shipped.loop["choose_echo"] == 0 and shipped.teacher_config["label"]["@llm_tasks"] == "evokd.TextCatLabel.v7"
    assert not shipped.teacher_config["label"].get("echo", False)
    with pytest.raises(ConfigError, match="set choose_echo = 0 for NER"):
        settings_factory("evokd_ner.cfg", **{"loop.choose_echo": 10})


def test_evaluating_the_teacher_applies_the_choice_a_run_saved_and_says_when_none_is_made(settings_factory, capsys):
    from evokd_spacy.loop.teacher_eval import evaluate_teacher

    settings = settings_factory(**{"loop.choose_echo": 10, "loop.progress": False})
    settings.teacher_config["label"] = {"@llm_tasks": "evokd.TextCatLabel.v7"}
    before = evaluate_teacher(settings, limit=6)
    assert before["choices"] == {} and "not made its [loop] choose_echo choice yet" in " ".join(capsys.readouterr().out.split())
    (settings.output / label_choice.ECHO_FILE).write_text(json.dumps({"echo": True, "scores": {"False": 0.5, "True": 0.6}}))
    after = evaluate_teacher(settings, limit=6)
    assert after["choices"] == {"echo": True} and "Labeller as the run chose on dev: echo = True" in capsys.readouterr().out
    assert after["usage"]["cached"] == 0, "read twice: other prompts than the first evaluation's, none from the cache"
    again = evaluate_teacher(settings, limit=6)
    assert again["usage"]["cached"] == 6 and again["choices"] == {"echo": True}
