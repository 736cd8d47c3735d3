"""Re-scoring cached dev answers with batch calibration of varying strength."""
import json
from pathlib import Path

import pytest

import benchmarks.calibration_strength as cs

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def test_alpha_zero_leaves_probabilities_and_alpha_one_divides_by_the_mean():
    probs = [[0.9, 0.1], [0.7, 0.3]]
    flat = lambda rows: [x for row in rows for x in row]  # noqa: E731
    assert flat(cs.calibrate(probs, 0.0)) == pytest.approx(flat(probs))
    means = [0.8, 0.2]
    expected = [[p / m for p, m in zip(row, means)] for row in probs]
    assert flat(cs.calibrate(probs, 1.0)) == pytest.approx(flat([[x / sum(row) for x in row] for row in expected]))


def test_macro_f_counts_a_never_predicted_label_as_zero():
    assert cs.macro_f(["a", "a", "b"], ["a", "a", "b"], ["a", "b"]) == 1.0
    assert cs.macro_f(["a", "a", "a"], ["a", "a", "b"], ["a", "b"]) == pytest.approx((0.8 + 0.0) / 2)


@pytest.mark.skipif(not (DATA / "trec").exists(), reason="needs ../shared/data")
def test_cached_answers_are_rescored_without_a_teacher(tmp_path):
    import spacy

    from evokd_spacy.registry import registry

    ds = cs.datasets.load("trec", DATA)
    task = registry.llm_tasks.get("evokd.TextCatLabel.v5")(labels=ds.labels, description=ds.description)
    cache = tmp_path / "runs" / "quick" / "trec" / "k1_s0" / "teacher_cache" / "00"
    cache.mkdir(parents=True)
    nlp = spacy.blank("en")
    for i, sample in enumerate(ds.dev[:8]):  # the teacher "answers" each question's gold label
        prompt = str(task.prompt_for(nlp.make_doc(sample.text)))
        scores = {label: (0.0 if label == sample.labels[0] else -5.0) for label in ds.labels}
        (cache / f"{i}.json").write_text(json.dumps({"prompt": prompt, "scores": scores}))
    out = cs.main(["trec"], DATA, runs=tmp_path / "runs", results=tmp_path)
    assert out["trec"]["n"] == 8
    assert out["trec"]["macro_f"]["0.0"]["all"] > 0 and set(out["trec"]["macro_f"]) == {str(a) for a in cs.ALPHAS}
    assert json.loads((tmp_path / "calibration_strength.json").read_text())["trec"]["n"] == 8


def test_cached_scores_merge_the_words_each_variant_scored_after_one_prompt(tmp_path):
    import json

    from benchmarks.calibration_strength import cached_scores

    for key, scores in (("ab/1.json", {"place": -1.0, "person": -2.0}), ("cd/2.json", {"city": -0.5, "person": -2.0})):
        (tmp_path / key).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / key).write_text(json.dumps({"prompt": "Q: where?", "scores": scores}))
    (tmp_path / "ef").mkdir()
    (tmp_path / "ef" / "3.json").write_text(json.dumps({"prompt": "Write a text.", "text": "hi"}))
    assert cached_scores(tmp_path) == {"Q: where?": {"place": -1.0, "person": -2.0, "city": -0.5}}
