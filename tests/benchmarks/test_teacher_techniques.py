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


@pytest.mark.skipif(not (DATA / "trec").exists(), reason="needs ../shared/data")
def test_more_seeds_a_label_get_their_own_key_and_the_all_seeds_task_shows_every_one(tmp_path, monkeypatch):
    import spacy

    from evokd_spacy.data.kshot import sample_k_shot
    from evokd_spacy.loop.kinds import get_kind
    from evokd_spacy.registry import registry

    seeds_seen = []

    def fake_evaluate(settings):
        seeds_seen.append(settings.task["k_shot"])
        return {"score": 0.5, "docs_per_second": 1.0, "n_docs": 5}

    monkeypatch.setattr(tt, "RESULTS", tmp_path)
    monkeypatch.setattr(tt, "RUNS", tmp_path / "runs")
    monkeypatch.setattr(tt, "evaluate_teacher", fake_evaluate)
    out = tt.measure(["trec"], 5, DATA, "unused", k=5, variants=["cloze_all_seeds"])
    assert set(out["trec"]) == {"cloze_all_seeds@5_k5"} and seeds_seen == [5]
    ds = tt.datasets.load("trec", DATA)
    examples = [get_kind("textcat").example(s) for s in sample_k_shot(ds.train, list(ds.labels), 5, 0)]
    doc = spacy.blank("en").make_doc("Where is Kyoto ?")
    shown = {}
    for variant in ("cloze_eight_seeds", "cloze_all_seeds"):
        block = dict(tt.VARIANTS[variant])
        task = registry.llm_tasks.get(block.pop("@llm_tasks"))(labels=ds.labels, description=ds.description, **block)
        task.set_examples(examples)
        shown[variant] = str(task.prompt_for(doc)).count("\nAnswer: ")
    assert shown == {"cloze_eight_seeds": 8, "cloze_all_seeds": 30}


def test_ner_zero_shot_variant_shows_no_seed_exemplars():
    import spacy

    from benchmarks.teacher_techniques import NER_VARIANTS
    from evokd_spacy.registry import registry

    seeds = [{"text": "Paris is big", "entities": [{"text": "Paris", "label": "location"}]}]
    prompts = {}
    for name in ("ner_v1", "ner_zero_shot"):
        block = dict(NER_VARIANTS[name])
        task = registry.llm_tasks.get(block.pop("@llm_tasks"))(labels={"location": "a place"}, **block)
        task.set_examples(seeds)
        prompts[name] = str(task.prompt_for(spacy.blank("en")("Rome is old")))
    assert "Text: Paris is big" in prompts["ner_v1"] and "Examples:" not in prompts["ner_zero_shot"]
    assert prompts["ner_zero_shot"].rstrip().endswith("Text: Rome is old\nEntities:")


@pytest.mark.skipif(not (DATA / "trec").exists(), reason="needs ../shared/data")
def test_the_train_subset_checks_on_training_texts_that_are_neither_seeds_nor_dev(tmp_path, monkeypatch):
    from evokd_spacy.data.kshot import sample_k_shot

    texts = []

    def fake_evaluate(settings):
        texts.append([json.loads(line)["text"] for line in open(settings.paths["dev"], encoding="utf8")])
        return {"score": 0.5, "docs_per_second": 1.0, "n_docs": len(texts[-1])}

    monkeypatch.setattr(tt, "RESULTS", tmp_path)
    monkeypatch.setattr(tt, "RUNS", tmp_path / "runs")
    monkeypatch.setattr(tt, "evaluate_teacher", fake_evaluate)
    out = tt.measure(["trec"], 40, DATA, "unused", variants=["cloze_batch", "cloze_taxonomy_words"], subset="train")
    assert set(out["trec"]) == {"cloze_batch@40train", "cloze_taxonomy_words@40train"}
    assert texts[0] == texts[1] and len(set(texts[0])) == 40, "both variants label the same 40 texts"
    ds = tt.datasets.load("trec", DATA)
    assert not set(texts[0]) & {s.text for s in ds.dev}
    assert not set(texts[0]) & {s.text for s in sample_k_shot(ds.train, list(ds.labels), 1, 0)}
