"""A full run through an OpenAI-compatible server on 127.0.0.1, with faults and a planted API key."""
from pathlib import Path

from evokd_spacy.loop.runner import EvoKDRunner
from evokd_spacy.teachers.loopback import LoopbackServer
from tests.conftest import CALIBRATION_CALLS, LEXICON

FAKE_KEY = "sk-evokd-PLANTED-0123456789abcdef"


def test_round_through_a_faulty_server_retries_and_leaks_no_key(settings_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("EVOKD_FAKE_KEY", FAKE_KEY)
    with LoopbackServer(LEXICON, latency=0.01, faults=["429", "500", "drop", "malformed"]) as server:
        settings = settings_factory(**{"loop.rounds": 1})
        settings.teacher_config["model"] = {
            "@llm_models": "evokd.OpenAICompatible.v1",
            "base_url": server.base_url,
            "model": "scripted",
            "api_key_env": "EVOKD_FAKE_KEY",
            "max_concurrency": 4,
            "backoff": 0.01,
            "timeout": 2.0,
        }
        metrics = EvoKDRunner(settings, quiet=True).run()
        assert all(r["authorization"] == f"Bearer {FAKE_KEY}" for r in server.requests)
    assert metrics[1]["kept"] > 0 and metrics[1]["teacher"]["retries"] == 4
    assert metrics[1]["teacher"]["calls"] == CALIBRATION_CALLS + 3 + metrics[1]["generated"]
    from spacy.cli.package import package

    packages = Path(tmp_path) / "packages"  # the packaged pipeline (meta.json, README) is scanned too
    packages.mkdir()
    package(settings.output / "model-best", packages, name="scan", version="0.0.1", create_sdist=False)
    meta = next(packages.rglob("meta.json")).read_text()
    assert "evokd" in meta and "OpenAICompatible" in meta  # the meta says how it was distilled
    written = [p for p in Path(tmp_path).rglob("*") if p.is_file()]
    assert len(written) > 20
    leaks = [str(p) for p in written if FAKE_KEY.encode() in p.read_bytes()]
    assert leaks == []


def test_budget_stops_the_run_cleanly_and_a_larger_budget_continues_it(settings_factory):
    import pytest

    from evokd_spacy.errors import BudgetExhausted

    with pytest.raises(BudgetExhausted, match=r"Teacher budget reached: 5 calls"):
        EvoKDRunner(settings_factory(**{"loop.max_teacher_calls": 5}), quiet=True).run()
    folder = settings_factory().output
    assert len(list((folder / "cache").rglob("*.json"))) == 5
    with pytest.raises(BudgetExhausted):
        EvoKDRunner(settings_factory(**{"loop.max_teacher_calls": 5}), quiet=True).run()
    resumed = EvoKDRunner(settings_factory(**{"loop.max_teacher_calls": 1000}), quiet=True)
    metrics = resumed.run()
    reference_calls = CALIBRATION_CALLS + 1 + 2 + metrics[1]["generated"] + 1 + 2 + metrics[2]["generated"]
    assert resumed.teacher.client.usage.calls == reference_calls - 5
    assert resumed.teacher.client.budget.spent["calls"] == reference_calls


def test_v3_labels_a_round_by_log_probability_so_every_kept_sample_has_a_confidence(settings_factory):
    import spacy
    from spacy.tokens import DocBin

    from evokd_spacy.loop.state import RunFolder

    with LoopbackServer(LEXICON) as server:
        settings = settings_factory(**{"loop.rounds": 1})
        settings.teacher_config["model"] = {"@llm_models": "evokd.OpenAICompatible.v3", "base_url": server.base_url,
                                            "model": "scripted", "max_concurrency": 2}
        metrics = EvoKDRunner(settings, quiet=True).run()
    labelling = [r["body"] for r in server.requests if r["body"].get("logprobs")]
    assert len(labelling) == metrics[1]["generated"]  # one request for each generated text
    assert all(body["max_tokens"] == 1 and body["top_logprobs"] == 20 for body in labelling)
    docs = list(DocBin().from_disk(RunFolder(settings.output, settings.corpus).round_docbin(1)).get_docs(spacy.blank("en").vocab))
    assert len(docs) == metrics[1]["kept"] > 0
    assert all(0.5 < doc.user_data["evokd"]["confidence"] <= 1.0 for doc in docs)
