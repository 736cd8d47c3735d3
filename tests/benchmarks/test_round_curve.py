"""The round-curve benchmark end to end on real SST-2, with the scripted teacher and CNN student."""
import json

import pytest

from benchmarks.round_curve import main

from .test_student_effect import DATA

pytestmark = pytest.mark.skipif(not DATA.exists(), reason="needs ../shared/data")


def test_round_curve_continues_a_shorter_run_and_scores_every_round(tmp_path):
    kwargs = dict(runs=tmp_path / "runs", results_dir=tmp_path / "results", update_md=False, teacher="scripted", student="cnn")
    main("smoke", DATA, ["sst2"], None, "generation_v5", 1, [0], **kwargs)
    training = tmp_path / "runs" / "elad" / "smoke" / "sst2" / "k1_s0" / "generation_v5" / "training"
    first = json.loads((training / "benchmark.json").read_text())
    round_1 = (training / "rounds" / "round_1" / "model").stat().st_mtime_ns

    main("smoke", DATA, ["sst2"], None, "generation_v5", 2, [0], **kwargs)
    saved = json.loads((tmp_path / "results" / "smoke" / "round_curve_sst2.json").read_text())
    run = saved["runs"]["seed0"]
    assert first["rounds"] == 1 and run["rounds"] == 2
    assert (training / "rounds" / "round_1" / "model").stat().st_mtime_ns == round_1  # continued, not redone
    assert len(run["dev_scores"]) == 3 and len(run["round_test_scores"]) == 3
    assert all(0.0 <= x <= 1.0 for x in run["round_test_scores"])
    assert run["teacher_tokens"] > first["teacher_tokens"]
    table = (tmp_path / "results" / "smoke" / "round_curve_sst2.md").read_text()
    assert "| seed | seeds only | round 1 | round 2 | round dev chose | its test score |" in table
    assert table.count("\n| 0 |") == 1 and "| mean |" in table


def test_round_curve_names_the_variants_it_knows(tmp_path):
    with pytest.raises(ValueError, match="generation_v5"):
        main("smoke", DATA, ["sst2"], None, "no_such_variant", 1, [0], runs=tmp_path, results_dir=tmp_path, update_md=False,
             teacher="scripted", student="cnn")
