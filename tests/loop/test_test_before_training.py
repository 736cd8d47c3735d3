"""Which student the round tests: by default the one from before it trained on the newest batch."""
import json

from evokd_spacy.loop.runner import EvoKDRunner
from evokd_spacy.loop.settings import run_fingerprint


def _predict_step(runner, r):
    saved = json.loads(runner.folder.step_file(r, "predict").read_text())
    return {k: saved[k] for k in ("correct", "wrong", "student_round")}


def test_round_two_tests_the_student_that_had_not_trained_on_round_one(settings_factory):
    runner = EvoKDRunner(settings_factory(**{"loop.rounds": 2}), quiet=True)
    runner.run()
    first, second = _predict_step(runner, 1), _predict_step(runner, 2)
    assert first["student_round"] == 0, "the seeds are tested by the seed-only student"
    assert second["student_round"] == 0, "round 1's batch is tested by the student from before round 1's training"
    batch = runner.batch(1)
    assert batch and len(second["correct"]) + len(second["wrong"]) == len(batch)
    assert runner._predict(0, batch) == second
    assert {row["text"] for row in second["correct"] + second["wrong"]} == {s.text for s in batch}


def test_switched_off_the_round_tests_the_student_trained_on_the_batch(settings_factory):
    settings = settings_factory(**{"loop.rounds": 2, "loop.test_before_training": False})
    runner = EvoKDRunner(settings, quiet=True)
    runner.run()
    second = _predict_step(runner, 2)
    assert second["student_round"] == 1
    assert runner._predict(1, runner.batch(1)) == second


def test_the_default_leaves_fingerprints_of_earlier_runs_unchanged(settings_factory):
    assert "loop.test_before_training" not in run_fingerprint(settings_factory())
    assert run_fingerprint(settings_factory(**{"loop.test_before_training": False}))["loop.test_before_training"] is False
