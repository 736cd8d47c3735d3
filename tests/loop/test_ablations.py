"""The switches that turn EvoKD into its ablations and baselines (see benchmarks/methods.py)."""
import json

import pytest

from evokd_spacy.errors import ConfigError
from evokd_spacy.loop.runner import EvoKDRunner


def _rows(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_static_generation_has_no_student_feedback_and_no_labelling_calls(settings_factory):
    settings = settings_factory(**{"loop.rounds": 1, "loop.feedback": False, "loop.separate_labelling": False})
    settings.teacher_config["generate"] = {"@llm_tasks": "evokd.TextCatStaticGenerate.v1", "n": 4}
    runner = EvoKDRunner(settings, quiet=True)
    metrics = runner.run()
    folder = runner.folder
    assert not folder.step_file(1, "predict").exists() and not folder.step_file(1, "analyse").exists()
    assert metrics[1]["teacher"]["calls"] == 2  # one generation call per label, nothing else
    batch = _rows(folder.round_jsonl(1))
    assert len(batch) == 8 and all(s["tag"] == "static" and s["labels"] == [s["target"]] for s in batch)
    prompt = json.loads(folder.step_file(1, "generate").read_text())["items"][0]["prompt"]
    assert "Weaknesses" not in prompt and "HARD" not in prompt


def test_paraphrase_rewrites_each_seed_keeping_its_label(settings_factory):
    settings = settings_factory(**{"loop.rounds": 1, "loop.feedback": False, "loop.separate_labelling": False, "task.k_shot": 2})
    settings.teacher_config["generate"] = {"@llm_tasks": "evokd.TextCatParaphrase.v1", "n": 3}
    runner = EvoKDRunner(settings, quiet=True)
    metrics = runner.run()
    seeds = _rows(runner.folder.round_jsonl(0))
    assert metrics[1]["teacher"]["calls"] == len(seeds) == 4
    generated = json.loads(runner.folder.step_file(1, "generate").read_text())["items"]
    for seed in seeds:
        mine = [g for g in generated if f'"{seed["text"]}"' in g["prompt"]]
        assert len(mine) == 3 and all(g["target"] == seed["labels"][0] and g["tag"] == "paraphrase" for g in mine)


def test_analysis_without_correct_predictions_shows_errors_only(settings_factory, tmp_path):
    other = {"paths.output": str(tmp_path / "with_correct"), "paths.corpus": str(tmp_path / "with_correct_corpus")}
    with_correct = EvoKDRunner(settings_factory(**{"loop.rounds": 1, **other}), quiet=True)
    settings = settings_factory(**{"loop.rounds": 1, "loop.analysis_shows_correct": False})
    without = EvoKDRunner(settings, quiet=True)
    with_correct.run(), without.run()
    full = json.loads(with_correct.folder.step_file(1, "predict").read_text())
    assert full["correct"], "the test needs the student to get some seeds right"
    prompt = json.loads(without.folder.step_file(1, "analyse").read_text())["prompt"]
    assert all(row["text"] not in prompt for row in full["correct"])
    shown = json.loads(with_correct.folder.step_file(1, "analyse").read_text())["prompt"]
    n_right = len(full["correct"])
    assert f"{n_right} right" in shown and f"{n_right} right" in prompt, "the counts are the true ones, not '0 right'"


def test_no_separate_labelling_takes_the_generation_target_and_ner_refuses_it(settings_factory):
    runner = EvoKDRunner(settings_factory(**{"loop.rounds": 1, "loop.separate_labelling": False}), quiet=True)
    metrics = runner.run()
    assert metrics[1]["teacher"]["calls"] == 3  # analyse + one generation per label, no labelling
    assert all(s["labels"] == [s["target"]] for s in _rows(runner.folder.round_jsonl(1)))
    with pytest.raises(ConfigError, match="separate_labelling = false works for textcat only"):
        settings_factory(config="evokd_ner.cfg", **{"loop.separate_labelling": False})


def test_without_feedback_the_labellers_calibration_is_counted_in_the_round(settings_factory):
    # the teacher is first built inside round 1's generate step, so its content-free calibration
    # calls are in a step's count (and the metrics line) like every other call
    settings = settings_factory(**{"loop.rounds": 1, "loop.feedback": False})
    settings.teacher_config["label"] = {"@llm_tasks": "evokd.TextCatLabel.v2"}
    runner = EvoKDRunner(settings, quiet=True)
    metrics = runner.run()
    generate = runner.folder.load_step(1, "generate")["step_teacher"]["calls"]
    label = runner.folder.load_step(1, "label")["step_teacher"]["calls"]
    assert generate > 2  # one generation call per label, and the calibration prompts
    assert sum(m["teacher"]["calls"] for m in metrics) == generate + label == runner.teacher.client.usage.calls


def test_a_multi_label_seeds_paraphrases_keep_all_its_labels():
    from evokd_spacy.loop.steps import label_by_target, requests_for
    from evokd_spacy.tasks.request import make_request_doc, result_of
    from evokd_spacy.tasks.textcat.baselines import make_textcat_paraphrase_task
    from evokd_spacy.ty import Sample, TaskSpec

    spec = TaskSpec(kind="textcat", description="", labels={"SPORTS": "", "POLITICS": ""}, exclusive=False)
    task = make_textcat_paraphrase_task(labels=spec.labels, n=1)
    [request] = requests_for(task, spec, "", {}, [Sample(text="The minister opened the match.", labels=["SPORTS", "POLITICS"])], {"requests_per_label": 1})
    assert request["target"] == "SPORTS" and request["targets"] == ["SPORTS", "POLITICS"]
    [doc] = list(task.parse_responses([make_request_doc(request)], [["TEXT 1: The minister kicked off the game."]]))
    [labelled] = label_by_target(result_of(doc)["items"])
    assert labelled["labels"] == ["SPORTS", "POLITICS"] and labelled["text"] == "The minister kicked off the game."
