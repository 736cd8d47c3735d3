"""The benchmark harness end to end on real corpora, with the scripted teacher and CNN student."""
import json
from pathlib import Path

import pytest

from benchmarks.run import main

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
METHODS = {"seed_only", "static", "paraphrase", "evokd", "evokd_no_easy", "evokd_no_correct", "evokd_no_review",
           "evokd_no_separation", "teacher_zero_shot"}


@pytest.mark.skipif(not (DATA / "sst2").exists(), reason="needs ../shared/data")
def test_smoke_suite_writes_every_method_with_equal_token_baselines(tmp_path):
    results = main("smoke", DATA, ["sst2"], teacher="scripted", student="cnn", runs=tmp_path / "runs",
                   results_dir=tmp_path / "results", update_md=False)
    saved = json.loads((tmp_path / "results" / "smoke" / "sst2.json").read_text())
    assert saved["scores"].keys() == METHODS
    for method, by_k in saved["scores"].items():
        for k, s in by_k.items():
            assert 0.0 <= s["mean"] <= 1.0 and s["std"] >= 0.0 and s["teacher_tokens"] >= 0
    assert saved["scores"]["seed_only"]["1"]["teacher_tokens"] == 0
    evokd = saved["scores"]["evokd"]["1"]["teacher_tokens"]
    for baseline in ("static", "paraphrase"):  # spend EvoKD's budget over EvoKD's rounds
        run = saved["runs"][baseline]["1"][0]
        # repeats are asked while their mean cost fits, so one repeat may cost a little more
        assert 0.6 * evokd <= run["teacher_tokens"] <= 1.1 * evokd and run["rounds"] == 1
        generate = json.loads(next((tmp_path / "runs" / "smoke" / "sst2").glob(f"k1_s0/{baseline}/training/rounds/round_1/generate.json")).read_text())
        assert generate["repeats"] > 1 and generate["tokens"] == run["teacher_tokens"]
    assert 0.0 < saved["full_shot"] <= 1.0 and saved["full_shot_detail"]["n_train"] == 200
    assert saved["student_docs_per_s"] > 0 and saved["teacher_docs_per_s"] > 0 and saved["speed_ratio"] > 0
    for png in ("sst2_rounds.png", "sst2_tokens.png"):
        assert (tmp_path / "results" / "smoke" / png).read_bytes()[:4] == b"\x89PNG"
    assert "| evokd | 1 |" in (tmp_path / "results" / "smoke" / "sst2.md").read_text()
    # a re-run resumes from the finished method runs
    again = main("smoke", DATA, ["sst2"], teacher="scripted", student="cnn", runs=tmp_path / "runs",
                 results_dir=tmp_path / "results", update_md=False)
    def means(scores):
        return {m: {k: round(s["mean"], 6) for k, s in by_k.items()} for m, by_k in scores.items()}

    assert means(again["sst2"]["scores"]) == means(results["sst2"]["scores"])


@pytest.mark.skipif(not (DATA / "sst2").exists(), reason="needs ../shared/data")
def test_a_subset_of_methods_and_seeds_runs_under_its_own_label(tmp_path):
    main("smoke", DATA, ["sst2"], teacher="scripted", student="cnn", runs=tmp_path / "runs", results_dir=tmp_path / "results",
         update_md=False, only=["seed_only", "evokd"], seeds=[0, 1], label="smoke_seeds")
    saved = json.loads((tmp_path / "results" / "smoke_seeds" / "sst2.json").read_text())
    assert saved["suite"] == "smoke_seeds" and set(saved["scores"]) == {"seed_only", "evokd", "teacher_zero_shot"}
    assert [len(saved["runs"][m]["1"]) for m in ("seed_only", "evokd")] == [2, 2]
    assert (tmp_path / "runs" / "smoke_seeds" / "sst2" / "k1_s1" / "evokd").is_dir()
    with pytest.raises(SystemExit, match="must include evokd"):
        main("smoke", DATA, ["sst2"], teacher="scripted", student="cnn", runs=tmp_path / "runs", only=["static"])
