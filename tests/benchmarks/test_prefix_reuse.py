"""The prefix-reuse benchmark: its prompts share an opening, and its table compares the answers."""
from pathlib import Path

import pytest

import benchmarks.prefix_reuse as pr
from evokd_spacy.llm_io import TeacherResponse

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
pytestmark = pytest.mark.skipif(not (DATA / "trec").exists(), reason="needs ../shared/data")


def test_trec_prompts_show_every_seed_of_a_five_shot_draw_before_the_text():
    prompts = pr.setup_prompts(DATA, "trec_all_seeds", 3)
    assert len(prompts) == 3 and all(p.choices for p in prompts)
    assert all(str(p).count("\nAnswer: ") == 30 for p in prompts)  # 5 seeds x 6 labels
    opening = str(prompts[0]).rsplit("Text: ", 1)[0]
    assert all(str(p).startswith(opening) for p in prompts) and len(opening) > 0.8 * len(str(prompts[0]))


def test_the_table_counts_agreeing_answers_and_the_largest_score_difference(monkeypatch, tmp_path):
    def fake(version, teacher_path, prompts):
        shift = 0.0 if version == "v2" else 0.002
        answers = [TeacherResponse("A" if i or version == "v2" else "B", scores={"A": -0.1 - shift, "B": -2.0}, prompt_tokens=10)
                   for i, _ in enumerate(prompts)]
        return {"answers": answers, "seconds": 1.0, "docs_per_s": 2.0 if version == "v2" else 3.0}

    monkeypatch.setattr(pr, "time_version", fake)
    monkeypatch.setattr(pr, "RESULTS", tmp_path / "prefix_reuse.json")
    result = pr.main(DATA, ["sst2_v6"], 4, "teacher")["setups"]["sst2_v6"]
    assert result["same_answers"] == 3 and result["speedup"] == 1.5
    assert result["max_score_difference"] == pytest.approx(0.002)
    assert (tmp_path / "prefix_reuse.json").exists()
