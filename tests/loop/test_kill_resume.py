"""Kill the real CLI process (SIGKILL) at random points, restart it each time, check nothing is lost or repeated."""
import json
import random
from collections import Counter

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


def test_sigkill_at_random_points_loses_nothing_and_repeats_no_call(tmp_path, settings_factory):
    log = tmp_path / "answered.jsonl"
    config = _write_config(tmp_path, log)
    kills, _ = run_with_kills(config, lambda: _progress(tmp_path, log), kills=8, rng=random.Random(7))
    assert kills >= 2

    answered = [line for line in log.read_text().splitlines() if line.strip()]
    repeated = [p for p, n in Counter(answered).items() if n > 1]
    assert repeated == [], f"{len(repeated)} finished teacher calls were asked again"

    reference_settings = settings_factory(**{"paths.output": str(tmp_path / "ref"), "paths.corpus": str(tmp_path / "ref_corpus")})
    reference = EvoKDRunner(reference_settings, quiet=True)
    reference.run()
    assert len(answered) == reference.teacher.client.usage.calls

    folder = RunFolder(tmp_path / "training", tmp_path / "corpus")
    metrics = folder.read_metrics()
    assert [m["round"] for m in metrics] == [0, 1, 2]
    for r in (1, 2):
        rows = [json.loads(x) for x in folder.round_jsonl(r).read_text().splitlines()]
        ref_rows = [json.loads(x) for x in reference.folder.round_jsonl(r).read_text().splitlines()]
        assert [x["text"] for x in rows] == [x["text"] for x in ref_rows]
        assert len(rows) == metrics[r]["kept"]
