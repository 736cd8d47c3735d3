"""Averaging the labeller's answers over the two orders of its exemplars, re-scored from a cache."""
import json
from pathlib import Path

import pytest

import benchmarks.exemplar_orders as eo
from evokd_spacy.registry import registry

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
LABELS = {"POSITIVE": "The review is positive.", "NEGATIVE": "The review is negative."}
SEEDS = [{"text": "dull and long", "label": "NEGATIVE"}, {"text": "a joy", "label": "POSITIVE"}]


def test_reversed_task_shows_v6_exemplars_last_first_and_nothing_else_changes():
    import spacy

    prompts = []
    for name in eo.ORDERS.values():
        task = registry.llm_tasks.get(name)(labels=LABELS, description="Sentiment.")
        task.set_examples(SEEDS)
        prompts.append(str(task.prompt_for(spacy.blank("en")("fine film"))))
    forward, backward = prompts
    assert forward.index("dull and long") < forward.index("a joy") and backward.index("a joy") < backward.index("dull and long")
    assert sorted(forward.splitlines()) == sorted(backward.splitlines())


def test_ensemble_is_the_mean_distribution_text_by_text():
    mean = eo.ensemble([[[0.9, 0.1], [0.2, 0.8]], [[0.5, 0.5], [0.4, 0.6]]])
    assert [x for row in mean for x in row] == pytest.approx([0.7, 0.3, 0.3, 0.7])


def test_each_order_is_batch_calibrated_before_the_mean_is_taken():
    # Text 0 is POSITIVE, text 1 NEGATIVE. Uncalibrated, the forward order answers POSITIVE for
    # both; divided by its mean over the texts (batch calibration), it is right on both.
    probs = {"forward": [[0.9, 0.1], [0.6, 0.4]], "reversed": [[0.55, 0.45], [0.3, 0.7]]}
    scored = eo.score_orders({k: v * 2 for k, v in probs.items()}, ["POSITIVE", "NEGATIVE"] * 2, ["POSITIVE", "NEGATIVE"])
    assert scored["n"] == 4 and set(scored["macro_f"]) == {"forward", "reversed", "mean_of_orders"}
    assert [scored["macro_f"][name]["all"] for name in ("forward", "reversed", "mean_of_orders")] == [1.0, 1.0, 1.0]
    assert set(scored["macro_f"]["forward"]) == {"all", "half_1", "half_2"}


@pytest.mark.skipif(not (DATA / "sst2").exists(), reason="needs ../shared/data")
def test_cached_answers_in_both_orders_are_rescored_without_a_teacher(tmp_path):
    import spacy

    ds = eo.datasets.load("sst2", DATA)
    ds.dev = ds.dev[:10]
    cache = tmp_path / "runs" / "quick" / "sst2" / "k1_s0" / "teacher_cache" / "00"
    cache.mkdir(parents=True)
    nlp, examples = spacy.blank("en"), eo.seed_examples(ds)
    for order, name in eo.ORDERS.items():
        task = registry.llm_tasks.get(name)(labels=ds.labels, description=ds.description)
        task.set_examples(examples)
        for i, sample in enumerate(ds.dev[:8]):  # two texts are left uncached in both orders
            gold_word = task.answer_word(sample.labels[0])
            scores = {word: (0.0 if word == gold_word else -4.0) for label in ds.labels for word in task.words(label)}
            (cache / f"{order}{i}.json").write_text(json.dumps({"prompt": str(task.prompt_for(nlp.make_doc(sample.text))), "scores": scores}))
    monkey_load = eo.datasets.load
    eo.datasets.load = lambda name, data: ds
    try:
        out = eo.main(["sst2"], DATA, runs=tmp_path / "runs", results=tmp_path / "results")
    finally:
        eo.datasets.load = monkey_load
    assert out["sst2"]["n"] == 8
    assert all(by["all"] == 1.0 for by in out["sst2"]["macro_f"].values())
    assert json.loads((tmp_path / "results" / "exemplar_orders.json").read_text()) == out
