"""Runs with an unlabelled pool (ELAD): selection, revision, mixing with generated texts."""
import json

import pytest

from evokd_spacy.errors import ConfigError
from evokd_spacy.loop.runner import EvoKDRunner
from evokd_spacy.loop.state import RunFolder
from tests.pool.conftest import ner_pool, textcat_pool  # noqa: F401  (fixtures)


def _batch(folder, r):
    return [json.loads(line) for line in folder.round_jsonl(r).read_text().splitlines()]


def test_mixed_run_selects_revises_and_records_both_sources(settings_factory, textcat_pool):
    settings = settings_factory(**{"pool.path": str(textcat_pool), "pool.per_round": 6, "pool.revise": True})
    runner = EvoKDRunner(settings, quiet=True)
    metrics = runner.run()
    folder = RunFolder(settings.output, settings.corpus)
    assert len(runner.pool) == 40  # duplicate and dev text left out
    chosen = [{row["index"] for row in folder.load_step(r, "select")["selected"]} for r in (1, 2)]
    assert all(len(c) == 6 for c in chosen) and not chosen[0] & chosen[1]
    for r in (1, 2):
        batch = _batch(folder, r)
        tags = {row["tag"] for row in batch}
        assert "pool" in tags and tags & {"hard", "easy"}
        pool_rows = [row for row in batch if row["tag"] == "pool"]
        for row in pool_rows:
            assert row["meta"]["revision"] in ("accepted", "corrected") and row["meta"]["strategy"] == "entropy"
            assert "answered:" in row["meta"]["label_prompt"]
            assert row["meta"]["student_correct"] == (row["meta"]["revision"] == "accepted")
            if row["meta"]["revision"] == "corrected":
                assert row["meta"]["reason"] and row["labels"] != row["meta"]["student"]
        sources = metrics[r]["sources"]
        assert sources["pool"]["kept"] == len(pool_rows)
        assert sources["generated"]["kept"] + sources["pool"]["kept"] == metrics[r]["kept"]
        assert sources["pool"]["candidates"] == 6
        for source in sources.values():
            assert source["student_error_rate"] is None or 0.0 <= source["student_error_rate"] <= 1.0
    corrected = sum(m["sources"]["pool"]["student_wrong"] for m in metrics[1:])
    assert corrected > 0  # the tiny CNN student is wrong on some pool texts, and the teacher says so
    again = EvoKDRunner(settings, quiet=True)
    again.run()
    assert again._teacher is None or again.teacher.client.usage.calls == 0


def test_pool_only_run_skips_generation(settings_factory, textcat_pool):
    settings = settings_factory(**{"pool.path": str(textcat_pool), "pool.per_round": 5, "loop.generate": False,
                                   "loop.rounds": 1, "pool.strategy": {"@misc": "evokd.SelectRandom.v1"}})
    metrics = EvoKDRunner(settings, quiet=True).run()
    folder = RunFolder(settings.output, settings.corpus)
    assert not folder.step_file(1, "generate").exists() and not folder.step_file(1, "analyse").exists()
    assert {row["tag"] for row in _batch(folder, 1)} == {"pool"}
    assert metrics[1]["generated"] == 0 and metrics[1]["sources"]["generated"]["kept"] == 0


def test_labelling_from_scratch_instead_of_revision_is_the_default(settings_factory, textcat_pool):
    settings = settings_factory(**{"pool.path": str(textcat_pool), "loop.generate": False, "loop.rounds": 1})
    assert settings.pool["revise"] is False and "revise" not in settings.teacher_config
    runner = EvoKDRunner(settings, quiet=True)
    runner.run()
    prompts = runner.teacher.client.model.prompts
    assert not any("answered:" in p for p in prompts)
    rows = _batch(RunFolder(settings.output, settings.corpus), 1)
    assert rows and all(row["meta"]["revision"] in ("accepted", "corrected") for row in rows)


def test_explanation_guided_run(settings_factory, textcat_pool):
    strategy = {"@misc": "evokd.SelectExplanation.v1", "shortlist": 2.0}
    settings = settings_factory(**{"pool.path": str(textcat_pool), "pool.per_round": 4, "loop.rounds": 1, "pool.strategy": strategy})
    EvoKDRunner(settings, quiet=True).run()
    selected = RunFolder(settings.output, settings.corpus).load_step(1, "select")
    assert selected["strategy"] == "explanation" and len(selected["selected"]) == 4
    assert all("step_shift" in row and "rationales" in row for row in selected["selected"])


def test_ner_pool_with_random_selection_and_revision(settings_factory, ner_pool):
    settings = settings_factory(
        "evokd_ner.cfg",
        **{"pool.path": str(ner_pool), "pool.per_round": 4, "loop.rounds": 1, "pool.strategy": {"@misc": "evokd.SelectRandom.v1"},
           "pool.revise": True},
    )
    runner = EvoKDRunner(settings, quiet=True)
    metrics = runner.run()
    rows = [row for row in _batch(RunFolder(settings.output, settings.corpus), 1) if row["tag"] == "pool"]
    assert rows and metrics[1]["sources"]["pool"]["kept"] == len(rows)
    assert all(row["spans"] for row in rows)  # every pool sentence holds lexicon entities
    assert any("A small tagger found these entities" in p for p in runner.teacher.client.model.prompts)


def test_ner_pool_with_entropy_over_the_students_beam_analyses(settings_factory, ner_pool, tmp_path):
    settings = settings_factory(
        "evokd_ner.cfg",
        **{"pool.path": str(ner_pool), "pool.per_round": 4, "loop.rounds": 1, "pool.strategy": {"@misc": "evokd.SelectEntropy.v1"},
           "paths.output": str(tmp_path / "entropy"), "paths.corpus": str(tmp_path / "entropy_corpus")},
    )
    EvoKDRunner(settings, quiet=True).run()
    selected = RunFolder(settings.output, settings.corpus).load_step(1, "select")
    assert selected["strategy"] == "entropy" and len(selected["selected"]) == 4
    scores = [row["score"] for row in selected["selected"]]
    assert scores == sorted(scores, reverse=True) and all(0.0 <= s <= 1.0 for s in scores)
    assert all(set(row["student_probs"]) == {"parse_1", "parse_2", "parse_3", "parse_4"} for row in selected["selected"])


def test_pool_settings_are_checked(settings_factory, textcat_pool):
    with pytest.raises(ConfigError, match="generate = false"):
        settings_factory(**{"loop.generate": False})
    with pytest.raises(ConfigError, match="per_round"):
        settings_factory(**{"pool.path": str(textcat_pool), "pool.per_round": 0})


def test_a_run_without_pool_keeps_its_old_fingerprint(settings_factory):
    from evokd_spacy.loop.settings import run_fingerprint

    flat = run_fingerprint(settings_factory())
    assert not any(key.startswith("pool.") for key in flat) and "loop.generate" not in flat
    assert "teacher.revise.@llm_tasks" not in flat


def test_changing_the_pool_strategy_on_resume_is_refused(settings_factory, textcat_pool):
    EvoKDRunner(settings_factory(**{"pool.path": str(textcat_pool), "loop.rounds": 1}), quiet=True).run()
    other = settings_factory(**{"pool.path": str(textcat_pool), "loop.rounds": 1, "pool.strategy": {"@misc": "evokd.SelectMargin.v1"}})
    with pytest.raises(ConfigError, match="pool.strategy"):
        EvoKDRunner(other, quiet=True).run()


def test_a_pool_text_the_teacher_also_wrote_is_kept_once(settings_factory, tmp_path):
    first = EvoKDRunner(settings_factory(**{"loop.rounds": 1}), quiet=True)
    first.run()
    written = first.batch(1)[0].text
    pool = tmp_path / "pool.jsonl"
    pool.write_text(json.dumps({"text": written}) + "\n" + json.dumps({"text": "An unrelated pool text about a kettle."}) + "\n")
    overrides = {"loop.rounds": 1, "pool.path": str(pool), "pool.per_round": 2, "paths.output": str(tmp_path / "mixed" / "training"),
                 "paths.corpus": str(tmp_path / "mixed" / "corpus")}
    runner = EvoKDRunner(settings_factory(**overrides), quiet=True)
    runner.run()
    texts = [row["text"] for row in _batch(runner.folder, 1)]
    assert texts.count(written) == 1, "generated again in round 1 and in the pool: trained on once"
    selected = [row["text"] for row in runner.folder.load_step(1, "select")["selected"]]
    assert selected == ["An unrelated pool text about a kettle."], "a text the run holds is not selected, revised and paid for"
    assert runner.folder.load_step(1, "filter")["dropped"].get("duplicate", 0) == 0


def test_candidates_leave_out_known_texts():
    from evokd_spacy.loop.pool_steps import candidate_texts

    pool = ["Known text.", "a new one", "another"]
    assert candidate_texts(pool, taken=set(), max_candidates=0, seed=0, r=1, known={"known text"}) == {1: "a new one", 2: "another"}
    assert candidate_texts(pool, taken={1}, max_candidates=0, seed=0, r=1) == {0: "Known text.", 2: "another"}


def test_earlier_picks_are_left_out_by_their_text_when_the_pool_reads_in_another_order(settings_factory, textcat_pool):
    settings = settings_factory(**{"pool.path": str(textcat_pool), "pool.per_round": 6, "loop.rounds": 1})
    EvoKDRunner(settings, quiet=True).run()
    runner = EvoKDRunner(settings_factory(**{"pool.path": str(textcat_pool), "pool.per_round": 6, "loop.rounds": 2}), quiet=True)
    runner.prepare()
    runner.pool = list(reversed(runner.pool))  # the saved indices now name other texts
    round_1 = {row["text"] for row in runner.folder.load_step(1, "select")["selected"]}
    assert not round_1 & set(runner._select(2, [])["selected"][i]["text"] for i in range(6))


def test_a_pool_that_runs_out_is_warned_about_naming_the_fix(settings_factory, tmp_path, capsys):
    pool = tmp_path / "pool.txt"
    pool.write_text("A long and lovely film.\nThe plot was dull today.\nThe cast did fine work.\n")
    settings = settings_factory(**{"loop.rounds": 3, "pool.path": str(pool), "pool.per_round": 2, "loop.generate": False})
    EvoKDRunner(settings, quiet=False).run()
    out = " ".join(capsys.readouterr().out.split())  # wasabi wraps long lines
    assert out.count("pool text(s) left to select") == 2, "round 1 has enough"
    assert "Round 2: 1 pool text(s) left to select, [pool] per_round = 2: the round selects 1." in out
    assert "Round 3: 0 pool text(s) left to select, [pool] per_round = 2: the round retrains on the same data as the last." in out
    assert "--pool.path" in out


def test_labelling_from_scratch_calls_an_unreadable_answer_an_error_not_a_correction(monkeypatch):
    from evokd_spacy.loop import pool_steps, steps
    from evokd_spacy.loop.kinds import get_kind

    answers = [{"text": "a", "student": ["POSITIVE"], "labels": [], "label_error": "unparseable"},
               {"text": "b", "student": ["POSITIVE"], "labels": ["NEGATIVE"], "label_error": ""},
               {"text": "c", "student": ["POSITIVE"], "labels": ["POSITIVE"], "label_error": ""}]
    monkeypatch.setattr(steps, "label", lambda *args: [dict(item) for item in answers])
    items = pool_steps.label_from_scratch(None, get_kind("textcat", True), None, [], 1)
    assert [item["revision"] for item in items] == ["error", "corrected", "accepted"]
