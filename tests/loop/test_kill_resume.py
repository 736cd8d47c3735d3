"""Kill the real CLI process (SIGKILL) at random points, restart it each time, check nothing is lost or repeated."""
import json
import random

from evokd_spacy.loop.runner import EvoKDRunner
from evokd_spacy.loop.state import RunFolder
from evokd_spacy.util.chaos import run_with_kills
from tests.conftest import LEXICON, write_run_config


def _write_config(tmp_path, log_path):
    teacher = {"@llm_models": "evokd.ScriptedTeacher.v1", "lexicon": LEXICON, "delay": 0.1, "log_path": str(log_path)}
    return write_run_config(tmp_path, teacher, rounds=2)


def _progress(tmp_path, log):
    """Answered teacher calls plus finished steps: grows whenever the run gets anywhere."""
    calls = len(log.read_text().splitlines()) if log.exists() else 0
    return calls + len(list((tmp_path / "training").glob("rounds/*/*.json")))


def _call_key(row):
    return json.dumps({key: value for key, value in row.items() if key != "pid"}, sort_keys=True)


def _repeated_finished_calls(answered):
    """Calls answered twice whose first answer was not the last one its process gave before it was
    killed. That last one may be sent again: the kill can land after the teacher answered and
    before the client saved the answer, and an unsaved answer is an unfinished call."""
    last_of_process = {row["pid"]: i for i, row in enumerate(answered)}
    first_seen, repeated = {}, []
    for i, row in enumerate(answered):
        call = _call_key(row)
        if call not in first_seen:
            first_seen[call] = i
        elif last_of_process[answered[first_seen[call]]["pid"]] != first_seen[call]:
            repeated.append(row["prompt"][:80])
    return repeated


def test_repeat_check_allows_only_the_call_in_flight_at_a_kill():
    a, b, c = ({"prompt": p, "choices": [], "sample": 0} for p in "abc")
    resent_in_flight = [{**a, "pid": 1}, {**b, "pid": 1}, {**b, "pid": 2}, {**c, "pid": 2}]
    assert _repeated_finished_calls(resent_in_flight) == []
    resent_finished = [{**a, "pid": 1}, {**b, "pid": 1}, {**a, "pid": 2}, {**c, "pid": 2}]
    assert _repeated_finished_calls(resent_finished) == ["a"]
    asked_twice_in_one_process = [{**a, "pid": 1}, {**a, "pid": 1}]
    assert _repeated_finished_calls(asked_twice_in_one_process) == ["a"]


def test_sigkill_at_random_points_loses_nothing_and_repeats_no_call(tmp_path, settings_factory):
    log = tmp_path / "answered.jsonl"
    config = _write_config(tmp_path, log)
    kills, _ = run_with_kills(config, lambda: _progress(tmp_path, log), kills=8, rng=random.Random(7))
    assert kills >= 2

    answered = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert _repeated_finished_calls(answered) == [], "finished teacher calls were asked again"

    reference_settings = settings_factory(**{"paths.output": str(tmp_path / "ref"), "paths.corpus": str(tmp_path / "ref_corpus")})
    reference = EvoKDRunner(reference_settings, quiet=True)
    reference.run()
    assert len({_call_key(row) for row in answered}) == reference.teacher.client.usage.calls

    folder = RunFolder(tmp_path / "training", tmp_path / "corpus")
    metrics = folder.read_metrics()
    assert [m["round"] for m in metrics] == [0, 1, 2]
    evokd = json.loads((folder.model_best / "meta.json").read_text())["evokd"]
    # every call paid is counted, also those a resume read back from the cache (the rounds' sum counts them as cached)
    assert len({_call_key(row) for row in answered}) <= evokd["teacher_calls_paid"] <= len(answered)
    assert evokd["teacher_calls"] <= evokd["teacher_calls_paid"]
    for r in (1, 2):
        rows = [json.loads(x) for x in folder.round_jsonl(r).read_text().splitlines()]
        ref_rows = [json.loads(x) for x in reference.folder.round_jsonl(r).read_text().splitlines()]
        assert [x["text"] for x in rows] == [x["text"] for x in ref_rows]
        assert len(rows) == metrics[r]["kept"]
