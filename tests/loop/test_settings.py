from pathlib import Path

import pytest

from evokd_spacy.errors import ConfigError, DataError
from evokd_spacy.loop.runner import EvoKDRunner


def test_unknown_key_is_named(settings_factory):
    with pytest.raises(ConfigError, match=r"Unknown key\(s\) in \[loop\]: roundz"):
        settings_factory(**{"loop.roundz": 3})


def test_wrong_type_is_named(settings_factory):
    with pytest.raises(ConfigError, match=r"\[loop\] rounds = 'three' should be of type int"):
        settings_factory(**{"loop.rounds": "three"})


def test_missing_seed_file_names_the_key(settings_factory, tmp_path):
    settings = settings_factory(**{"paths.seeds": str(tmp_path / "nope.jsonl")})
    with pytest.raises(DataError, match=r"File not found for 'paths.seeds'"):
        EvoKDRunner(settings, quiet=True).prepare()


def test_empty_seed_file_names_the_file(settings_factory, tmp_path):
    empty = tmp_path / "seeds.jsonl"
    empty.write_text("")
    with pytest.raises(DataError, match=r"No labelled examples in .*seeds.jsonl \('paths.seeds'\)"):
        EvoKDRunner(settings_factory(**{"paths.seeds": str(empty)}), quiet=True).prepare()


def test_label_without_seed_is_an_error(settings_factory, tmp_path):
    seeds = tmp_path / "seeds.jsonl"
    seeds.write_text('{"text": "Great phone.", "label": "POSITIVE"}\n')
    with pytest.raises(DataError, match=r"No seed example for label\(s\) NEGATIVE"):
        EvoKDRunner(settings_factory(**{"paths.seeds": str(seeds)}), quiet=True).prepare()


def test_unknown_label_in_data_is_an_error(settings_factory, tmp_path):
    seeds = tmp_path / "seeds.jsonl"
    seeds.write_text('{"text": "Meh.", "label": "NEUTRAL"}\n')
    with pytest.raises(DataError, match=r"uses label\(s\) 'NEUTRAL' that are not in the label set"):
        EvoKDRunner(settings_factory(**{"paths.seeds": str(seeds)}), quiet=True).prepare()


def test_a_text_with_two_labels_is_an_error_for_an_exclusive_task(settings_factory, tmp_path):
    seeds = tmp_path / "seeds.jsonl"
    seeds.write_text('{"text": "Good and bad.", "options": [], "accept": ["POSITIVE", "NEGATIVE"], "answer": "accept"}\n')
    with pytest.raises(DataError, match=r"'Good and bad.' has the labels POSITIVE, NEGATIVE, but the task's labels are exclusive"):
        EvoKDRunner(settings_factory(**{"paths.seeds": str(seeds)}), quiet=True).prepare()


def test_seeds_leaking_into_dev_are_removed(settings_factory, tmp_path):
    from tests.conftest import ASSETS

    first_dev = (ASSETS / "dev.jsonl").read_text().splitlines()[0]
    seeds = tmp_path / "seeds.jsonl"
    seeds.write_text((ASSETS / "seeds.jsonl").read_text() + first_dev + "\n")
    runner = EvoKDRunner(settings_factory(**{"paths.seeds": str(seeds), "task.k_shot": 0}), quiet=True)
    runner.prepare()
    assert len(runner.seeds) == 6  # the 7th seed was a dev text


def test_missing_teacher_block_is_named(settings_factory):
    from evokd_spacy.loop.settings import check_settings, load_config
    from tests.conftest import ROOT

    config = load_config(ROOT / "configs" / "evokd.cfg")
    del config["teacher"]["label"]
    with pytest.raises(ConfigError, match=r"\[teacher.label\]"):
        check_settings(config)


def test_continuing_a_run_with_other_settings_names_the_changed_keys(settings_factory):
    EvoKDRunner(settings_factory(**{"loop.rounds": 0}), quiet=True).run()
    EvoKDRunner(settings_factory(**{"loop.rounds": 0, "student.gpu_id": -1}), quiet=True).prepare()
    with pytest.raises(ConfigError, match=r"other settings \(task.k_shot, teacher.generate.n_hard\)"):
        EvoKDRunner(settings_factory(**{"task.k_shot": 2, "teacher.generate.n_hard": 5}), quiet=True).prepare()


def test_a_run_stopped_by_a_data_error_leaves_its_folder_to_the_fixed_run(settings_factory, tmp_path):
    seeds = tmp_path / "seeds.jsonl"
    seeds.write_text('{"text": "Good and bad.", "options": [], "accept": ["POSITIVE", "NEGATIVE"], "answer": "accept"}\n')
    with pytest.raises(DataError, match="--task.exclusive false"):
        EvoKDRunner(settings_factory(**{"paths.seeds": str(seeds)}), quiet=True).prepare()
    assert not (tmp_path / "training" / "run.json").exists()
    EvoKDRunner(settings_factory(**{"paths.seeds": str(seeds), "task.exclusive": False, "task.k_shot": 0}), quiet=True).prepare()


def test_teacher_settings_may_change_until_the_teacher_has_answered(settings_factory, capsys):
    from evokd_spacy.loop.state import RunFolder

    EvoKDRunner(settings_factory(**{"loop.rounds": 0}), quiet=True).run()  # round 0 trains on the seeds alone
    EvoKDRunner(settings_factory(**{"loop.rounds": 1, "teacher.generate.n_hard": 2}), quiet=True).run()
    out = " ".join(capsys.readouterr().out.split())  # wasabi wraps long lines
    assert "no teacher answer yet, so it continues with the new teacher settings (teacher.generate.n_hard)" in out
    assert RunFolder(settings_factory().output, settings_factory().corpus).load_step(1, "generate")["step_teacher"]["calls"] > 0
    with pytest.raises(ConfigError, match=r"other settings \(teacher.generate.n_hard\).*--vars.output.*spacy project run clean"):
        EvoKDRunner(settings_factory(**{"loop.rounds": 1, "teacher.generate.n_hard": 3}), quiet=True).prepare()
    EvoKDRunner(settings_factory(**{"loop.rounds": 1, "teacher.generate.n_hard": 2}), quiet=True).prepare()  # recorded



def test_teacher_settings_are_fixed_once_a_call_is_paid_in_a_step_that_did_not_finish(settings_factory):
    from evokd_spacy.loop.run_identity import teacher_answered
    from evokd_spacy.loop.state import RunFolder

    settings = settings_factory(**{"loop.rounds": 0})
    EvoKDRunner(settings, quiet=True).run()
    folder = RunFolder(settings.output, settings.corpus)
    assert not teacher_answered(folder)
    (settings.output / "teacher_budget.json").write_text('{"calls": 3, "tokens": 120, "cost": 0.0}')
    assert teacher_answered(folder)
    with pytest.raises(ConfigError, match="other settings"):
        EvoKDRunner(settings_factory(**{"loop.rounds": 1, "teacher.generate.n_hard": 2}), quiet=True).prepare()


def test_float_noise_is_not_a_changed_setting():
    from evokd_spacy.loop.settings import changed_keys

    old = {"loop.min_confidence": 0.6000000000000001, "loop.replay": 1, "loop.feedback": True, "task.kind": "textcat"}
    assert changed_keys(old, {**old, "loop.min_confidence": 0.6, "loop.replay": 1.0}) == []
    assert changed_keys(old, {**old, "loop.min_confidence": 0.61, "loop.feedback": 1}) == ["loop.feedback", "loop.min_confidence"]


def test_near_duplicate_outside_0_to_1_is_a_config_error(settings_factory):
    with pytest.raises(ConfigError, match="near_duplicate must be between 0"):
        settings_factory(**{"loop.near_duplicate": 1.5})


@pytest.mark.parametrize("key, value, message", [("loop.replay", -0.5, "replay must be between 0"), ("loop.replay", 1.5, "replay must be between 0"),
                                                 ("pool.max_candidates", -1, "max_candidates must be >= 0")])
def test_replay_and_max_candidates_outside_their_range_are_config_errors(settings_factory, key, value, message):
    with pytest.raises(ConfigError, match=message):
        settings_factory(**{key: value})


def test_unknown_section_is_named_with_the_known_ones():
    from evokd_spacy.loop.settings import check_settings, load_config
    from tests.conftest import ROOT

    config = load_config(ROOT / "configs" / "evokd.cfg")
    config["pools"] = {"path": "pool.jsonl"}  # a misspelt [pool]: ignored, it would run without the pool
    with pytest.raises(ConfigError, match=r"Unknown section\(s\): \[pools\]\. A run config has the sections .*\[pool\]"):
        check_settings(config)


@pytest.mark.parametrize("requests", [0, 1000])
def test_requests_per_label_outside_its_range_is_a_config_error(settings_factory, requests):
    with pytest.raises(ConfigError, match=r"requests_per_label must be between 1 and 999"):
        settings_factory(**{"loop.requests_per_label": requests})


def test_an_override_may_name_a_section_the_config_file_leaves_out(tmp_path):
    from evokd_spacy.loop.settings import load_config
    from tests.conftest import ROOT

    text = (ROOT / "configs" / "evokd.cfg").read_text()
    start = text.index("\n[pool]\n") + 1
    end = text.index("\n[", text.index("[pool.strategy]") + 1)
    path = tmp_path / "no_pool.cfg"
    path.write_text(text[:start] + text[end + 1:])
    assert "pool" not in load_config(path)
    config = load_config(path, {"pool.path": "pool.jsonl", "pool.per_round": 4})
    assert config["pool"] == {"path": "pool.jsonl", "per_round": 4}


def test_a_run_is_not_continued_on_edited_data_files(settings_factory, tmp_path):
    import shutil

    from tests.conftest import ASSETS

    dev = tmp_path / "dev.jsonl"
    shutil.copy(ASSETS / "dev.jsonl", dev)
    settings = settings_factory(**{"loop.rounds": 0, "paths.dev": str(dev)})
    EvoKDRunner(settings, quiet=True).run()
    assert EvoKDRunner(settings, quiet=True).run(), "the same files: continued"
    dev.write_text("\n".join(dev.read_text().splitlines()[:-3]) + "\n")
    with pytest.raises(ConfigError, match=r"The file\(s\) of paths.dev changed since .* started"):
        EvoKDRunner(settings, quiet=True).run()


def test_explanation_selection_for_ner_is_refused_with_the_settings(settings_factory):
    explanation = {"pool.path": "pool.txt", "pool.strategy": {"@misc": "evokd.SelectExplanation.v1"}}  # refused before any file is read
    with pytest.raises(ConfigError, match=r"SelectExplanation.v1 works for text classification; for NER use evokd.SelectEntropy.v1"):
        settings_factory("evokd_ner.cfg", **explanation)


def test_two_runs_are_refused_one_corpus_folder_and_a_moved_run_keeps_its_own(settings_factory, tmp_path):
    first = settings_factory(**{"loop.rounds": 0})
    EvoKDRunner(first, quiet=True).run()
    second = settings_factory(**{"loop.rounds": 0, "paths.output": str(tmp_path / "other")})
    with pytest.raises(ConfigError, match=r"holds the round data of the run in .*training.*--paths.corpus"):
        EvoKDRunner(second, quiet=True).run()
    moved = tmp_path / "moved"
    first.output.rename(moved)
    from evokd_spacy.loop.settings import settings_for

    again = settings_for(moved)
    assert again.output == moved, "the folder given is the run's, not the one its saved config names"
    assert EvoKDRunner(again, quiet=True).run(), "the old owner is gone: the moved run takes its corpus over"
    assert not (tmp_path / "training").exists(), "nothing is written where the run used to be"


def test_a_copied_run_folder_is_resumed_in_the_copy_with_its_own_corpus(settings_factory, tmp_path):
    import json
    import shutil

    from evokd_spacy.loop.settings import settings_for
    from evokd_spacy.loop.state import RunFolder

    settings = settings_factory(**{"loop.rounds": 1})
    EvoKDRunner(settings, quiet=True).run()
    copy = tmp_path / "copy"
    shutil.copytree(settings.output, copy)
    with pytest.raises(ConfigError, match="--paths.corpus"):
        EvoKDRunner(settings_for(copy), quiet=True).run()
    resumed = settings_for(copy, {"paths.corpus": str(tmp_path / "copy_corpus")})
    runner = EvoKDRunner(resumed, quiet=True)
    metrics = runner.run()
    assert [m["round"] for m in metrics] == [0, 1]
    assert runner._teacher is None or runner.teacher.client.usage.calls == 0, "no teacher call: the answers are saved"
    def kept(folder):
        return [(row["text"], row["labels"]) for row in map(json.loads, folder.round_jsonl(1).read_text().splitlines())]

    original = kept(RunFolder(settings.output, settings.corpus))
    assert original and kept(RunFolder(copy, tmp_path / "copy_corpus")) == original, "the batch is rebuilt from the saved steps"


def test_a_label_file_with_a_value_that_is_not_a_description_names_the_exclusive_setting(tmp_path):
    import json

    from evokd_spacy.loop.settings import read_labels

    path = tmp_path / "labels.json"
    path.write_text(json.dumps({"SPORTS": "About sport.", "POLITICS": "About politics.", "multi_label": True}))
    with pytest.raises(DataError, match=r"'multi_label' the value true.*--task.exclusive false"):
        read_labels(str(path), {})
    path.write_text(json.dumps({"SPORTS": "About sport.", "POLITICS": None}))
    assert read_labels(str(path), {}) == {"SPORTS": "About sport.", "POLITICS": ""}


def test_a_cost_limit_without_prices_is_warned_about_naming_the_price_settings(settings_factory, capsys):
    settings_factory(**{"loop.max_teacher_cost": 5.0})  # a run started so still loads (to resume, export, report)
    said = " ".join(capsys.readouterr().out.split())
    assert "max_teacher_cost limits nothing without the teacher's prices" in said and "--loop.cost_per_1k_prompt_tokens" in said
    settings_factory(**{"loop.max_teacher_cost": 5.0, "loop.cost_per_1k_prompt_tokens": 0.15})
    assert "limits nothing" not in capsys.readouterr().out


def test_an_exclusive_run_started_with_generate_v1_continues_with_the_shipped_v2(settings_factory):
    from evokd_spacy.loop.run_identity import check_run_folder
    from evokd_spacy.loop.settings import run_fingerprint
    from evokd_spacy.loop.state import RunFolder

    v1 = settings_factory(**{"loop.rounds": 0, "teacher.generate": {"@llm_tasks": "evokd.TextCatGenerate.v1", "n_hard": 4, "n_easy": 2}})
    v2 = settings_factory(**{"loop.rounds": 0})
    assert v2.teacher_config["generate"]["@llm_tasks"] == "evokd.TextCatGenerate.v2"
    assert run_fingerprint(v1) == run_fingerprint(v2)
    EvoKDRunner(v1, quiet=True).run()
    assert check_run_folder(RunFolder(v2.output, v2.corpus), v2) is not None
    multi = [settings_factory(**{"task.exclusive": False, "teacher.generate": {"@llm_tasks": f"evokd.TextCatGenerate.{v}", "n_hard": 4, "n_easy": 2}})
             for v in ("v1", "v2")]
    assert run_fingerprint(multi[0]) != run_fingerprint(multi[1]), "their multi-label prompts differ"
    static = [settings_factory(**{"loop.feedback": False, "teacher.generate": {"@llm_tasks": f"evokd.TextCatStaticGenerate.{v}", "n": 4}})
              for v in ("v1", "v2")]
    assert run_fingerprint(static[0]) == run_fingerprint(static[1]), "the static baseline's v2 asks an exclusive task as v1 does"


def test_a_resumed_run_keeps_the_seeds_round_0_wrote(settings_factory, capsys):
    import json

    from evokd_spacy.loop.state import RunFolder

    EvoKDRunner(settings_factory(**{"loop.rounds": 0}), quiet=True).prepare()
    path = RunFolder(settings_factory().output, settings_factory().corpus).round_jsonl(0)
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    rows[0]["text"] = "A seed an earlier version sampled."  # it read or deduplicated the seed file differently
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    runner = EvoKDRunner(settings_factory(**{"loop.rounds": 0}), quiet=True)
    runner.prepare()
    assert [s.text for s in runner.seeds] == [row["text"] for row in rows]
    assert "the run goes on with round 0's seeds" in " ".join(capsys.readouterr().out.split())


def test_student_settings_and_its_config_file_may_change_until_a_student_has_trained(settings_factory, tmp_path, capsys):
    import spacy

    from evokd_spacy.student.train import base_config_path

    preset = tmp_path / "mine.cfg"
    config = spacy.util.load_config(base_config_path("cnn"), interpolate=False)
    config.to_disk(preset)
    broken = {"components.textcat.model.no_such_argument": 3}
    with pytest.raises(ConfigError, match="spaCy could not train the student"):  # round 0 fails after the folder is claimed
        EvoKDRunner(settings_factory(**{"loop.rounds": 0, "student.preset": str(preset), "student.overrides": broken}), quiet=True).run()
    capsys.readouterr()
    EvoKDRunner(settings_factory(**{"loop.rounds": 0, "student.preset": "cnn", "student.max_steps": 40}), quiet=True).prepare()
    said = " ".join(capsys.readouterr().out.split())
    assert "no trained student yet, so it continues with the new student settings (student.max_steps, " in said
    assert "student.overrides.components.textcat.model.no_such_argument, student.preset)" in said
    config["training"]["dropout"] = 0.3  # an edit to the user's own training config before anything trained
    config.to_disk(preset)
    EvoKDRunner(settings_factory(**{"loop.rounds": 0, "student.preset": str(preset)}), quiet=True).run()
    config["training"]["dropout"] = 0.5  # and after round 0 trained with it
    config.to_disk(preset)
    with pytest.raises(ConfigError, match=r"The file\(s\) of student.preset changed since"):
        EvoKDRunner(settings_factory(**{"loop.rounds": 1, "student.preset": str(preset)}), quiet=True).prepare()
    with pytest.raises(ConfigError, match=r"other settings \(student.max_steps\)"):
        EvoKDRunner(settings_factory(**{"loop.rounds": 1, "student.preset": str(preset), "student.max_steps": 40}), quiet=True).prepare()


def test_a_run_folder_used_from_another_directory_finds_its_relative_corpus(settings_factory, tmp_path, monkeypatch):
    from evokd_spacy.loop.settings import settings_for

    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    project.mkdir()
    elsewhere.mkdir()
    monkeypatch.chdir(project)  # the project's defaults: relative folders
    EvoKDRunner(settings_factory(**{"loop.rounds": 0, "paths.output": "training/evokd", "paths.corpus": "corpus/evokd"}), quiet=True).run()
    monkeypatch.chdir(elsewhere)
    (elsewhere / "corpus" / "evokd").mkdir(parents=True)  # another project's corpus, under the same relative name
    settings = settings_for(project / "training" / "evokd", training=False)
    assert settings.corpus == project / "corpus" / "evokd", "not ./corpus/evokd of the current directory"
    (project / "training" / "evokd").rename(tmp_path / "run1")  # the run folder kept on another disk, linked in
    (project / "training" / "evokd").symlink_to(tmp_path / "run1")
    assert settings_for(Path("..") / "project" / "training" / "evokd", training=False).corpus == project / "corpus" / "evokd"
    assert settings_for(project / "training" / "evokd", {"paths.corpus": "mine"}, training=False).corpus.name == "mine", "a given one wins"


def test_a_run_started_before_the_config_digest_was_recorded_records_it_when_continued(settings_factory, tmp_path):
    import json

    import spacy

    from evokd_spacy.student.train import base_config_path

    preset = tmp_path / "mine.cfg"
    spacy.util.load_config(base_config_path("cnn"), interpolate=False).to_disk(preset)
    settings = settings_factory(**{"loop.rounds": 0, "student.preset": str(preset)})
    EvoKDRunner(settings, quiet=True).run()
    run_json = settings.output / "run.json"
    record = json.loads(run_json.read_text())
    del record["data"]["student.preset"]  # as an earlier version wrote it
    run_json.write_text(json.dumps(record))
    EvoKDRunner(settings, quiet=True).prepare()
    assert "student.preset" in json.loads(run_json.read_text())["data"]


def test_a_dev_file_read_into_other_samples_on_resume_is_warned_about(settings_factory, capsys):
    import json

    settings = settings_factory(**{"loop.rounds": 0})
    EvoKDRunner(settings, quiet=True).run()
    run_json = settings.output / "run.json"
    record = json.loads(run_json.read_text())
    assert record["read"]["paths.dev"]["n"] > 0
    record["read"]["paths.dev"] = {"n": 3, "sha256": "0" * 16}  # as an older reader read the same file
    run_json.write_text(json.dumps(record))
    capsys.readouterr()
    EvoKDRunner(settings, quiet=True).prepare()
    said = " ".join(capsys.readouterr().out.split())
    assert "This version reads paths.dev into other samples than the version that started the run (paths.dev: 3 samples then" in said
    assert json.loads(run_json.read_text())["read"]["paths.dev"]["n"] == 3, "the run's own reading stays on record"
    del record["read"]  # a run started before readings were recorded
    run_json.write_text(json.dumps(record))
    EvoKDRunner(settings, quiet=True).prepare()
    assert "was started by a version that did not record how it read its dev and test files" in " ".join(capsys.readouterr().out.split())
