"""The ELAD benchmark end to end on real SST-2, with the scripted teacher and CNN student."""
import json
from pathlib import Path

import pytest

from benchmarks.elad import main

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.mark.skipif(not (DATA / "sst2").exists(), reason="needs ../shared/data")
def test_elad_smoke_compares_strategies_at_equal_tokens(tmp_path):
    results = main("smoke", DATA, ["sst2"], teacher="scripted", student="cnn", runs=tmp_path / "runs",
                   results_dir=tmp_path / "results", update_md=False, per_round=2)
    saved = json.loads((tmp_path / "results" / "smoke" / "elad_sst2.json").read_text())
    assert set(saved["runs"]) == {"generation_only", "pool_random", "pool_entropy", "pool_explanation",  # no margin: 2 labels
                                  "pool_entropy_labelled", "mixed_entropy", "pool_explanation_2rounds", "pool_entropy_2rounds",
                                  "pool_entropy_labelled_2rounds", "pool_random_labelled", "pool_explanation_labelled",
                                  "mixed_entropy_labelled", "pool_random_labelled_2rounds", "pool_explanation_labelled_2rounds"}
    budget = saved["budget_tokens"]
    assert budget == saved["runs"]["generation_only"]["teacher_tokens"] > 0
    for name, run in saved["runs"].items():
        assert 0.0 <= run["test_score"] <= 1.0
        if name.endswith("_2rounds"):  # equal annotations: two full rounds of 2 pool texts
            assert run["rounds"] == 2 and run["pool"]["selected"] == 4
        elif name != "generation_only":  # equal tokens: the budget stops the run (after the call that crosses it)
            assert run["teacher_tokens"] <= 1.2 * budget
            assert run["pool"]["selected"] >= run["pool"]["kept"] >= 0
    assert saved["runs"]["generation_only"]["pool"] == {"selected": 0, "kept": 0}
    random_pool = saved["runs"]["pool_random"]["pool"]
    assert random_pool["kept"] > 0 and 0.0 <= random_pool["teacher_accuracy"] <= 1.0
    assert saved["runs"]["pool_explanation_2rounds"]["teacher_tokens"] > saved["runs"]["pool_entropy_2rounds"]["teacher_tokens"]
    table = (tmp_path / "results" / "smoke" / "elad_sst2.md").read_text()
    for name in ("pool_random", "pool_entropy", "pool_explanation", "mixed_entropy"):
        assert f"| {name} | revised |" in table and f"| {name}_labelled | labelled |" in table
    assert results["sst2"]["full_shot"] > 0


@pytest.mark.skipif(not (DATA / "sst2").exists(), reason="needs ../shared/data")
def test_a_partial_rerun_keeps_the_rows_of_the_methods_it_did_not_run(tmp_path):
    kwargs = dict(teacher="scripted", student="cnn", runs=tmp_path / "runs", results_dir=tmp_path / "results", update_md=False, per_round=2)
    main("smoke", DATA, ["sst2"], only=["pool_random"], **kwargs)
    main("smoke", DATA, ["sst2"], only=["pool_entropy_labelled"], **kwargs)
    saved = json.loads((tmp_path / "results" / "smoke" / "elad_sst2.json").read_text())
    assert set(saved["runs"]) == {"generation_only", "pool_random", "pool_entropy_labelled"}
