"""End-to-end runs with the scripted teacher and a tiny CNN student."""
import json

import pytest
import spacy
from spacy.tokens import DocBin

from evokd_spacy.loop.runner import EvoKDRunner
from tests.conftest import CALIBRATION_CALLS
from evokd_spacy.loop.state import RunFolder


def _calls(runner):
    return runner.teacher.client.usage.calls if runner._teacher else 0


def test_two_rounds_write_data_metrics_and_model(settings_factory, tmp_path):
    settings = settings_factory()
    metrics = EvoKDRunner(settings, quiet=True).run()
    folder = RunFolder(settings.output, settings.corpus)
    assert [m["round"] for m in metrics] == [0, 1, 2]
    for m in metrics:
        assert 0.0 <= m["dev_score"] <= 1.0
        assert set(m["per_label"]) == {"POSITIVE", "NEGATIVE"}
        assert set(m["seconds"]) == {"teacher", "training", "other"}
        assert m["kept"] + sum(m["dropped"].values()) >= m["generated"]
    assert metrics[1]["teacher"]["calls"] > 0 and metrics[1]["teacher"]["prompt_tokens"] > 0
    nlp = spacy.blank("en")
    for r in (1, 2):
        docs = list(DocBin().from_disk(folder.round_docbin(r)).get_docs(nlp.vocab))
        assert len(docs) == metrics[r]["kept"] > 0
        info = docs[0].user_data["evokd"]
        assert info["tag"] in ("hard", "easy") and info["round"] == r
        assert "HARD 1:" in info["prompt"] and info["response"] and info["label_prompt"]
        assert sum(docs[0].cats.values()) == 1.0
        lines = folder.round_jsonl(r).read_text().splitlines()
        assert len(lines) == len(docs)
    assert (folder.model_best / "meta.json").exists()
    meta = json.loads((folder.model_best / "meta.json").read_text())
    assert meta["evokd"]["rounds"] == 2 and meta["evokd"]["teacher"].startswith("evokd.ScriptedTeacher.v1")
    assert meta["description"].startswith("A spaCy textcat student") and "evokd.ScriptedTeacher.v1" in meta["description"]
    assert settings.spec.description in meta["description"] and f"round {meta['evokd']['best_round']})" in meta["description"]
    assert meta["evokd"]["samples"]["trained_on"] == metrics[meta["evokd"]["best_round"]]["n_train"]
    best = spacy.load(folder.model_best)
    assert set(best("great stuff").cats) == {"POSITIVE", "NEGATIVE"}
    assert metrics[2]["n_train"] == metrics[0]["n_train"] + metrics[1]["kept"] + metrics[2]["kept"]
    train = folder.load_step(2, "train")
    assert [step for _, step in train["checkpoints"]][0] == 0 and train["best_step"] in [s for _, s in train["checkpoints"]]
    assert best.config["training"]["logger"]["@loggers"].startswith("spacy.")  # packaged students train without evokd


def test_a_second_run_makes_no_teacher_call(settings_factory):
    first = EvoKDRunner(settings_factory(), quiet=True)
    first.run()
    assert _calls(first) > 0
    again = EvoKDRunner(settings_factory(), quiet=True)
    again.run()
    assert _calls(again) == 0


def test_crash_in_the_middle_of_labelling_resumes_without_repeating_calls(settings_factory):
    settings = settings_factory()
    crashed = EvoKDRunner(settings, quiet=True)
    crashed.teacher.client.model.fail_after = 6  # analyse, 2 generations, then 3 labels
    with pytest.raises(RuntimeError, match="simulated crash"):
        crashed.run()
    folder = RunFolder(settings.output, settings.corpus)
    assert folder.read_state() == {**folder.read_state(), "round": 1, "step": "check"}
    assert len(folder.read_metrics()) == 1
    made_before = crashed.teacher.client.usage.calls
    assert made_before == 6

    resumed_settings = settings_factory()
    resumed = EvoKDRunner(resumed_settings, quiet=True)
    resumed.run()
    # Finished steps are not run again, and the 3 labels done before the crash come from the cache.
    assert resumed.teacher.client.usage.cached == 3

    reference = EvoKDRunner(settings_factory(**{"paths.output": str(settings.output) + "_ref", "paths.corpus": str(settings.corpus) + "_ref"}), quiet=True)
    reference.run()
    assert made_before + resumed.teacher.client.usage.calls == reference.teacher.client.usage.calls
    assert [m["kept"] for m in folder.read_metrics()] == [m["kept"] for m in reference.folder.read_metrics()]


def test_a_teacher_built_before_the_seeds_are_read_still_shows_them_as_exemplars(settings_factory):
    early = EvoKDRunner(settings_factory(**{"loop.rounds": 1}), quiet=True)
    assert early.teacher.label.examples == [], "no seeds read yet"
    early.run()
    shown = [ex["text"] for ex in early.teacher.label.examples]
    assert shown and sorted(shown) == sorted(s.text for s in early.seeds), "TextCatLabel.v6 shows a binary task's seeds"


def test_garbage_teacher_output_is_counted_and_kept_not_fatal(settings_factory):
    settings = settings_factory(**{"loop.rounds": 1})
    settings.teacher_config["model"]["garbage"] = True
    metrics = EvoKDRunner(settings, quiet=True).run()
    assert metrics[1]["kept"] == 0
    assert metrics[1]["dropped"].get("unparseable", 0) >= 2
    assert metrics[1]["dropped"].get("injection", 0) >= 1  # well-formed, but an instruction to a model
    drops = (settings.output / "rounds" / "round_1" / "drops.jsonl").read_text().splitlines()
    assert any("Sure! Here are some texts" in json.loads(d)["text"] for d in drops)


def test_a_built_in_spacy_llm_model_plugs_in_by_config_alone(settings_factory):
    """spacy-llm's own REST model class (its offline NoOp member, which answers ""): nothing parses,
    every drop is counted, and the round still finishes."""
    settings = settings_factory(**{"loop.rounds": 1})
    settings.teacher_config["model"] = {"@llm_models": "spacy.NoOp.v1"}
    metrics = EvoKDRunner(settings, quiet=True).run()
    assert metrics[1]["teacher"]["calls"] == CALIBRATION_CALLS + 3  # calibration, analysis, a generation per label; nothing to label
    assert metrics[1]["dropped"] == {"empty_response": 2} and metrics[1]["kept"] == 0
    analysis = json.loads((settings.output / "rounds" / "round_1" / "analyse.json").read_text())
    assert analysis["error"] == "empty_response" and analysis["analysis"].startswith("The classifier got")


def test_warm_start_sources_the_previous_rounds_components(settings_factory):
    settings = settings_factory(**{"loop.rounds": 1, "student.warm_start": True, "student.warm_max_steps": 4})
    runner = EvoKDRunner(settings, quiet=True)
    metrics = runner.run()
    config = (runner.folder.round_dir(1) / "model" / "config.cfg").read_text()
    assert f'source = "{runner.folder.round_model(0)}"' in config
    assert "max_steps = 4" in config
    assert 0.0 <= metrics[1]["dev_score"] <= 1.0


def test_a_corrupt_step_file_or_metrics_line_is_recovered(settings_factory):
    settings = settings_factory(**{"loop.rounds": 1})
    first = EvoKDRunner(settings, quiet=True)
    first.run()
    folder = first.folder
    label = folder.step_file(1, "label")
    label.write_text(label.read_text()[:50])  # cut in half
    (folder.metrics).write_text(folder.metrics.read_text() + '{"round": 2, "dev_sc')
    again = EvoKDRunner(settings_factory(**{"loop.rounds": 1}), quiet=True)
    metrics = again.run()
    assert [m["round"] for m in metrics] == [0, 1]
    assert again.teacher.client.usage.calls == 0  # the redone labelling step is answered from the cache
    assert json.loads(label.read_text())["items"] and label.with_suffix(".corrupt").exists()


def test_a_lost_or_damaged_metrics_line_is_rebuilt_from_the_rounds_saved_metrics(settings_factory, capsys):
    settings = settings_factory()
    whole = EvoKDRunner(settings, quiet=True).run()
    folder = RunFolder(settings.output, settings.corpus)
    lines = folder.metrics.read_text().splitlines()
    folder.metrics.write_text("\n".join(lines[:2]) + "\n" + lines[2][:30])  # the last line cut short
    assert [m["round"] for m in EvoKDRunner(settings_factory(), quiet=True).run()] == [0, 1, 2]
    assert "lacks the line of round(s) 2" in " ".join(capsys.readouterr().out.split())
    folder.metrics.write_text(lines[0] + "\n{broken\n" + lines[2] + "\n")  # a damaged middle line
    again = EvoKDRunner(settings_factory(), quiet=True).run()
    assert [(m["round"], m["dev_score"]) for m in again] == [(m["round"], m["dev_score"]) for m in whole]
    assert json.loads((folder.model_best / "meta.json").read_text())["evokd"]["rounds"] == 2


def test_a_corrupt_train_step_retrains_and_rescores_the_round_and_a_deleted_model_best_comes_back(settings_factory):
    import shutil

    settings = settings_factory(**{"loop.rounds": 1})
    folder = EvoKDRunner(settings, quiet=True).run() and RunFolder(settings.output, settings.corpus)
    train = folder.step_file(1, "train")
    train.write_text(train.read_text()[:20])
    shutil.rmtree(folder.model_best)
    EvoKDRunner(settings, quiet=True).run()
    assert folder.step_file(1, "metrics").with_suffix(".corrupt").exists(), "the old metrics line described the replaced weights"
    assert json.loads(folder.step_file(1, "metrics").read_text())["round"] == 1
    assert (folder.model_best / "meta.json").exists() and json.loads((folder.model_best / "meta.json").read_text())["evokd"]["rounds"] == 1


def test_damaged_round_data_and_model_are_detected_and_rebuilt_without_teacher_calls(settings_factory):
    from spacy.tokens import DocBin

    settings = settings_factory(**{"loop.rounds": 1})
    first = EvoKDRunner(settings, quiet=True)
    kept = first.run()[1]["kept"]
    folder = first.folder
    docbin = folder.round_docbin(1)
    docbin.write_bytes(docbin.read_bytes()[: len(docbin.read_bytes()) // 2])  # a copy cut short
    jsonl = folder.round_jsonl(0)
    jsonl.write_text(jsonl.read_text() + '{"text": "half a li')
    (folder.round_model(1) / "meta.json").unlink()
    again = EvoKDRunner(settings_factory(**{"loop.rounds": 1}), quiet=True)
    metrics = again.run()
    assert again.teacher.client.usage.calls == 0
    assert folder.step_file(1, "filter").with_suffix(".corrupt").exists()
    assert folder.step_file(1, "train").with_suffix(".corrupt").exists()
    assert len(DocBin().from_disk(docbin)) == kept == metrics[1]["kept"]
    assert all(json.loads(line) for line in jsonl.read_text().splitlines())
    assert (folder.round_model(1) / "meta.json").exists()


def test_a_retrained_best_round_is_copied_to_model_best_again(settings_factory):
    settings = settings_factory(**{"loop.rounds": 1})
    first = EvoKDRunner(settings, quiet=True)
    first.run()
    folder = first.folder
    marker = folder.model_best / "meta.json"
    meta = json.loads(marker.read_text())
    best = meta["evokd"]["best_round"]
    (folder.model_best / "stale.txt").write_text("the copy made before the retraining")
    (folder.round_model(best) / "config.cfg").unlink()  # the best round's model is damaged
    EvoKDRunner(settings_factory(**{"loop.rounds": 1}), quiet=True).run()
    assert json.loads(marker.read_text())["evokd"]["best_round"] == best
    assert not (folder.model_best / "stale.txt").exists(), "model-best is a copy of the retrained model"
    assert (folder.model_best / "config.cfg").exists()


def test_a_best_round_retrained_for_a_corrupt_train_step_is_copied_to_model_best_again(settings_factory):
    settings = settings_factory(**{"loop.rounds": 1})
    first = EvoKDRunner(settings, quiet=True)
    first.run()
    folder = first.folder
    best = json.loads((folder.model_best / "meta.json").read_text())["evokd"]["best_round"]
    (folder.model_best / "stale.txt").write_text("the copy made before the retraining")
    train = folder.step_file(best, "train")
    train.write_text(train.read_text()[:20])  # the best round's train step is corrupt: it is trained again
    EvoKDRunner(settings_factory(**{"loop.rounds": 1}), quiet=True).run()
    assert json.loads((folder.model_best / "meta.json").read_text())["evokd"]["best_round"] == best
    assert not (folder.model_best / "stale.txt").exists(), "model-best is a copy of the retrained model"


def test_a_run_continued_with_fewer_rounds_leaves_the_later_rounds_out_of_model_best(settings_factory, capsys):
    from evokd_spacy.cli.info import status_command
    from evokd_spacy.report.collect import read_rounds

    settings = settings_factory()  # 2 rounds
    EvoKDRunner(settings, quiet=True).run()
    folder = RunFolder(settings.output, settings.corpus)
    lines = [{**m, "dev_score": 2.0} if m["round"] == 2 else m for m in folder.read_metrics()]
    folder.metrics.write_text("".join(json.dumps(m) + "\n" for m in lines))  # round 2 is the best
    EvoKDRunner(settings_factory(), quiet=True).run()
    assert json.loads((folder.model_best / "meta.json").read_text())["evokd"]["best_round"] == 2
    capsys.readouterr()
    metrics = EvoKDRunner(settings_factory(**{"loop.rounds": 1}), quiet=True).run()
    assert "beyond [loop] rounds = 1" in capsys.readouterr().out
    assert [m["round"] for m in metrics] == [0, 1]
    meta = json.loads((folder.model_best / "meta.json").read_text())["evokd"]
    assert meta["best_round"] in (0, 1) and meta["rounds"] == 1
    assert [m["round"] for m in read_rounds(folder)] == [0, 1]
    status_command(settings.output)
    assert "1 later round(s) are on disk" in capsys.readouterr().out
    assert len(folder.read_metrics()) == 3, "round 2 stays on disk"
    EvoKDRunner(settings_factory(), quiet=True).run()  # back to 2 rounds: round 2 counts again, nothing retrained
    assert json.loads((folder.model_best / "meta.json").read_text())["evokd"]["best_round"] == 2


def test_a_multi_label_run_is_scored_and_its_checkpoints_chosen_by_macro_f_not_auc(settings_factory):
    settings = settings_factory(**{"loop.rounds": 1, "task.exclusive": False})
    metrics = EvoKDRunner(settings, quiet=True).run()
    folder = RunFolder(settings.output, settings.corpus)
    for r in (0, 1):
        performance = json.loads((folder.round_model(r) / "meta.json").read_text())["performance"]
        assert metrics[r]["dev_score"] == performance["cats_macro_f"] != performance["cats_score"]
    trained = spacy.load(folder.model_best)
    assert trained.config["components"]["textcat"]["factory"] == "textcat_multilabel"
    assert dict(trained.config["training"]["score_weights"])["cats_macro_f"] == 1.0
    generated = folder.load_step(1, "generate")["items"]
    assert generated and all(f"whose labels include {item['target']}:" in item["prompt"] for item in generated)


def test_a_resumed_run_on_a_gpu_loads_its_student_onto_the_gpu_before_predicting(settings_factory, monkeypatch):
    import thinc.util

    settings = settings_factory(**{"loop.rounds": 0})
    EvoKDRunner(settings, quiet=True).run()
    asked = []
    monkeypatch.setattr(thinc.util, "gpu_is_available", lambda: True)
    monkeypatch.setattr(spacy, "require_gpu", lambda gpu_id: asked.append(gpu_id))
    resumed = EvoKDRunner(settings_factory(**{"loop.rounds": 0, "student.gpu_id": 0}), quiet=True)
    assert resumed.student(0).pipe_names and asked == [0]


def test_a_multi_label_round_scored_by_macro_auc_before_is_scored_by_macro_f_on_resume(settings_factory):
    settings = settings_factory(**{"loop.rounds": 0, "task.exclusive": False})
    EvoKDRunner(settings, quiet=True).run()
    folder = RunFolder(settings.output, settings.corpus)
    performance = folder.load_step(0, "train")["performance"]
    old = {k: v for k, v in folder.load_step(0, "metrics").items() if k != "metric"}
    old["dev_score"] = performance["cats_score"]  # as a run before this version saved it
    folder.save_step(0, "metrics", old)
    folder.metrics.write_text(json.dumps(old) + "\n")
    [line] = EvoKDRunner(settings, quiet=True).run()
    assert line["dev_score"] == performance["cats_macro_f"] != performance["cats_score"] and line["metric"] == "cats_macro_f"
    assert folder.read_metrics()[0]["dev_score"] == performance["cats_macro_f"]
    assert json.loads((folder.model_best / "meta.json").read_text())["evokd"]["dev_score"] == performance["cats_macro_f"]


def test_part_replay_rounds_each_earlier_batchs_share_half_up(settings_factory):
    from collections import Counter

    from evokd_spacy.ty import Sample
    from evokd_spacy.util.io import atomic_write_jsonl

    runner = EvoKDRunner(settings_factory(**{"loop.rounds": 4, "loop.replay": 0.5}), quiet=True)
    sizes = {0: 2, 1: 1, 2: 3, 3: 5, 4: 2}
    for r, n in sizes.items():
        atomic_write_jsonl(runner.folder.round_jsonl(r), [Sample(text=f"r{r} t{i}", labels=["POSITIVE"], round=r, tag="easy").to_dict() for i in range(n)])
    trained = Counter(s.round for s in runner.training_samples(4))
    assert [trained[r] for r in range(5)] == [2, 1, 2, 3, 2], "half of 1, 3 and 5 rounds up; the seeds and the newest batch whole"


def test_a_round_0_student_is_described_as_trained_on_the_seeds_alone():
    from evokd_spacy.loop.model_best import describe_student

    info = {"task": "textcat", "teacher": "qwen", "dev_score": 0.61, "task_description": "Sentiment."}
    assert describe_student({**info, "best_round": 2}) == "A spaCy textcat student distilled with EvoKD from qwen for: Sentiment. (dev score 0.610, round 2)."
    seeds_only = describe_student({**info, "best_round": 0, "rounds": 2})
    assert "trained on its seed examples alone" in seeds_only and "distilled" not in seeds_only and "(dev score 0.610, round 0)" in seeds_only
    assert "did not beat it" in seeds_only and "did not beat it" not in describe_student({**info, "best_round": 0, "rounds": 0})
