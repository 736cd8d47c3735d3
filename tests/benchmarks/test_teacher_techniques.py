"""The teacher-alone benchmark's bookkeeping, with the teacher's evaluation replaced by a stub."""
import json
from pathlib import Path

import pytest

import benchmarks.teacher_techniques as tt

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.mark.skipif(not (DATA / "trec").exists(), reason="needs ../shared/data")
def test_dataset_specific_variants_run_only_on_their_dataset_and_choice_rows_do_not_break_the_table(tmp_path, monkeypatch):
    asked = []

    def fake_evaluate(settings):
        asked.append(settings.teacher_config["label"].get("verbalizers"))
        return {"score": 0.5, "docs_per_second": 1.0, "n_docs": 5}

    monkeypatch.setattr(tt, "RESULTS", tmp_path)
    monkeypatch.setattr(tt, "RUNS", tmp_path / "runs")
    monkeypatch.setattr(tt, "evaluate_teacher", fake_evaluate)
    (tmp_path / "teacher_techniques.json").write_text(json.dumps({"trec": {"choose_exemplars@40": {"few_shot": 6, "scores": {}}}}))
    out = tt.measure(["trec"], 5, DATA, "unused", variants=["cloze_batch", "cloze_sentiment_words"])
    assert set(out["trec"]) == {"choose_exemplars@40", "cloze_batch@5"}, "the SST-2 words are not asked of TREC-6"
    assert asked == [None]


@pytest.mark.skipif(not (DATA / "trec").exists(), reason="needs ../shared/data")
def test_the_whole_dev_split_is_labelled_under_its_own_key(tmp_path, monkeypatch):
    sizes = []

    def fake_evaluate(settings):
        sizes.append(sum(1 for _ in open(settings.paths["dev"], encoding="utf8")))
        return {"score": 0.5, "docs_per_second": 1.0, "n_docs": sizes[-1]}

    monkeypatch.setattr(tt, "RESULTS", tmp_path)
    monkeypatch.setattr(tt, "RUNS", tmp_path / "runs")
    monkeypatch.setattr(tt, "evaluate_teacher", fake_evaluate)
    out = tt.measure(["trec"], 5, DATA, "unused", variants=["cloze_batch"], subset="all")
    dev = tt.datasets.load("trec", DATA).dev
    assert set(out["trec"]) == {"cloze_batch@all"} and sizes == [len(dev)] and len(dev) > 5
    assert tt.dev_subset(dev, 5, "all") == list(dev) and len(tt.dev_subset(dev, 5, "b")) == 5
