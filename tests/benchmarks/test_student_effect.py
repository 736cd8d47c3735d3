"""The labelling-variant benchmark end to end on real TREC-6, with the scripted teacher and CNN student."""
import json
from pathlib import Path

import pytest

from benchmarks.student_effect import main, variants

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def test_every_variant_changes_only_the_labeller():
    trec = variants("trec")
    assert set(trec) == {"v1", "v2_calibrated", "v3", "v3_confident"}
    assert trec["v3_confident"]["loop.min_confidence"] > 0 and trec["v3"]["loop.min_confidence"] == 0.0
    assert {key for block in trec.values() for key in block} == {"teacher.label", "loop.min_confidence"}
    assert "v3_confident" not in variants("sst2"), "a threshold is only used where dev chose one"


@pytest.mark.skipif(not (DATA / "trec").exists(), reason="needs ../shared/data")
def test_labelling_effect_smoke_labels_the_same_pool_texts_with_each_variant(tmp_path):
    main("smoke", DATA, ["trec"], None, runs=tmp_path / "runs", results_dir=tmp_path / "results", update_md=False,
         rounds=1, per_round=4, only=["v1", "v3"], teacher="scripted", student="cnn")
    saved = json.loads((tmp_path / "results" / "smoke" / "student_effect_trec.json").read_text())
    assert set(saved["runs"]) == {"v1", "v3"}
    for run in saved["runs"].values():
        assert run["rounds"] == 1 and run["pool"]["selected"] == 4 and 0.0 <= run["test_score"] <= 1.0
    selected = []
    for name in ("v1", "v3"):
        folder = tmp_path / "runs" / "student_effect" / "smoke" / "trec" / "k1_s0" / f"label_{name}" / "training" / "rounds" / "round_1"
        selected.append(json.loads((folder / "select.json").read_text())["selected"])
    assert selected[0] == selected[1], "random selection picks the same texts whatever the labeller"
    table = (tmp_path / "results" / "smoke" / "student_effect_trec.md").read_text()
    assert "| v1 |" in table and "| v3 |" in table and "| full_shot |" in table


@pytest.mark.skipif(not (DATA / "sst2").exists(), reason="needs ../shared/data")
def test_generation_effect_smoke_runs_evokd_with_and_without_verification(tmp_path):
    kwargs = dict(runs=tmp_path / "runs", results_dir=tmp_path / "results", update_md=False, teacher="scripted", student="cnn")
    main("smoke", DATA, ["sst2"], None, only=["generation_v3", "generation_v3_verified"], generation=True, **kwargs)
    saved = json.loads((tmp_path / "results" / "smoke" / "generation_effect_sst2.json").read_text())
    assert set(saved["runs"]) == {"generation_v3", "generation_v3_verified"}
    plain, verified = saved["runs"]["generation_v3"], saved["runs"]["generation_v3_verified"]
    assert verified["kept"] <= plain["kept"], "verification only drops texts (the same cached teacher answers)"
    assert verified["drops"].get("disagree", 0) == plain["kept"] - verified["kept"] and "disagree" not in plain["drops"]
    assert plain["generated"]["kept"] == plain["kept"] and verified["generated"]["target_agreement"] in (None, 1.0)
    table = (tmp_path / "results" / "smoke" / "generation_effect_sst2.md").read_text()
    assert "| generation_v3_verified |" in table and "| run | kept | agreement | distinct-2 |" in table


def test_free_analysis_variant_drops_only_the_error_counts_from_the_prompt():
    from evokd_spacy.registry import registry
    from evokd_spacy.tasks.request import make_request_doc
    from benchmarks.student_effect import GENERATION_VARIANTS

    labels = {"POSITIVE": "good", "NEGATIVE": "bad"}
    block = GENERATION_VARIANTS["generation_v5_free_analysis"]["teacher.analyse"]
    make = registry.llm_tasks.get(block["@llm_tasks"])
    wrong = [{"text": "not bad at all", "gold": "POSITIVE", "pred": "NEGATIVE"}]
    request = make_request_doc({"wrong": wrong, "correct": [], "round": 1})
    counted, free = (next(iter(make(labels=labels, template=t).generate_prompts([request]))) for t in (None, block["template"]))
    assert "Its mistakes, counted:" in counted and "Its mistakes, counted:" not in free
    assert free == counted.replace("Its mistakes, counted:\n- true POSITIVE, predicted NEGATIVE: 1\n", "")


@pytest.mark.skipif(not (DATA / "sst2").exists(), reason="needs ../shared/data")
def test_generation_effect_smoke_runs_the_v5_technique_variants(tmp_path):
    kwargs = dict(runs=tmp_path / "runs", results_dir=tmp_path / "results", update_md=False, teacher="scripted", student="cnn")
    only = ["generation_v5_attributes", "generation_v5_near_duplicate"]
    main("smoke", DATA, ["sst2"], None, only=only, generation=True, **kwargs)
    saved = json.loads((tmp_path / "results" / "smoke" / "generation_effect_sst2.json").read_text())
    assert set(saved["runs"]) == set(only)
    rounds = tmp_path / "runs" / "elad" / "smoke" / "sst2" / "k1_s0"
    prompts = [item["prompt"] for item in json.loads((rounds / only[0] / "training" / "rounds" / "round_1" / "generate.json").read_text())["items"]]
    assert prompts and all("Style: length: " in p and "; tone: " in p for p in prompts)


@pytest.mark.skipif(not (DATA / "sst2").exists(), reason="needs ../shared/data")
def test_generation_effect_runs_each_seed_and_summarises_them(tmp_path):
    kwargs = dict(runs=tmp_path / "runs", results_dir=tmp_path / "results", update_md=False, teacher="scripted", student="cnn")
    main("smoke", DATA, ["sst2"], None, only=["generation_v5"], generation=True, seeds=[0, 1], **kwargs)
    saved = json.loads((tmp_path / "results" / "smoke" / "generation_effect_sst2.json").read_text())
    assert set(saved["runs"]) == {"generation_v5", "generation_v5@seed1"}
    assert (tmp_path / "runs" / "elad" / "smoke" / "sst2" / "k1_s1" / "generation_v5").is_dir(), "seed 1 has its own run"
    table = (tmp_path / "results" / "smoke" / "generation_effect_sst2.md").read_text()
    assert "| generation_v5 | 2 |" in table and "Over seeds" in table


def test_seed_summary_averages_each_variant_over_its_seeds():
    from benchmarks.student_effect import seed_summary

    runs = {"a": {"test_score": 0.2}, "a@seed1": {"test_score": 0.4}, "b": {"test_score": 0.5}}
    text = seed_summary({"runs": runs})
    assert "| a | 2 | 0.300 ± 0.141 | 0.200, 0.400 |" in text and "| b |" not in text, "one-seed variants are left out"
    assert seed_summary({"runs": {"b": {"test_score": 0.5}}}) == ""


def test_ner_variants_change_only_the_entity_labeller_or_the_analysis_prompt():
    from benchmarks.student_effect import GENERATION_VARIANTS, generation_variants

    ner = generation_variants("ner")
    assert generation_variants("textcat") is GENERATION_VARIANTS
    assert [ner[name]["teacher.label"]["@llm_tasks"] for name in ("ner_free", "ner_constrained")] == ["evokd.NERLabel.v1", "evokd.NERLabel.v2"]
    free = ner["ner_free_analysis"]["teacher.analyse"]["template"]
    assert "error_counts" not in free and "Sentences with errors:" in free


def test_the_200_step_ner_variants_differ_only_in_the_error_counts():
    from benchmarks.student_effect import generation_variants

    ner = generation_variants("ner")
    counts, no_counts = ner["ner_free_steps200"], ner["ner_no_counts_steps200"]
    assert counts["student.max_steps"] == no_counts["student.max_steps"] == 200
    assert {k: v for k, v in counts.items() if k != "teacher.analyse"} == {k: v for k, v in no_counts.items() if k != "teacher.analyse"}
    assert counts["teacher.analyse"]["max_examples"] == no_counts["teacher.analyse"]["max_examples"] == 6
    assert [counts["teacher.analyse"]["@llm_tasks"], no_counts["teacher.analyse"]["@llm_tasks"]] == ["evokd.NERAnalyse.v1", "evokd.NERAnalyse.v2"]
    constrained = ner["ner_constrained_steps200"]
    assert constrained["teacher.label"] == {"@llm_tasks": "evokd.NERLabel.v2"}
    assert {k: v for k, v in constrained.items() if k != "teacher.label"} == {k: v for k, v in no_counts.items() if k != "teacher.label"}


@pytest.mark.skipif(not (DATA / "wnut17").exists(), reason="needs ../shared/data")
def test_generation_effect_smoke_runs_the_ner_variants(tmp_path):
    kwargs = dict(runs=tmp_path / "runs", results_dir=tmp_path / "results", update_md=False, teacher="scripted", student="cnn")
    main("smoke", DATA, ["wnut17"], None, only=["ner_free", "ner_free_analysis"], generation=True, **kwargs)
    saved = json.loads((tmp_path / "results" / "smoke" / "generation_effect_wnut17.json").read_text())
    assert set(saved["runs"]) == {"ner_free", "ner_free_analysis"} and saved["metric"] == "ents_f"
    assert all(0.0 <= run["last_round_test_score"] <= 1.0 for run in saved["runs"].values())
    assert all(0.0 <= run["seed_round_test_score"] <= 1.0 for run in saved["runs"].values())
    rounds = tmp_path / "runs" / "elad" / "smoke" / "wnut17" / "k1_s0"
    prompts = {name: json.loads((rounds / name / "training" / "rounds" / "round_1" / "analyse.json").read_text())["prompt"]
               for name in saved["runs"]}
    assert "Its errors, counted per entity type:" in prompts["ner_free"]
    assert "Its errors, counted per entity type:" not in prompts["ner_free_analysis"]
    table = (tmp_path / "results" / "smoke" / "generation_effect_wnut17.md").read_text()
    assert "| ner_free |" in table and "| full_shot |" in table and "last round's student | seeds-only student |" in table
    lines = table.splitlines()
    assert next(line for line in lines if line.startswith("| ner_free |")).count("|") == lines[2].count("|")
