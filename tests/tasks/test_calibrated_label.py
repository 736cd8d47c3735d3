import math

import spacy

from evokd_spacy.llm_io import TeacherResponse
from evokd_spacy.loop.runner import EvoKDRunner
from evokd_spacy.tasks.request import result_of
from evokd_spacy.tasks.textcat.calibrated_label import make_textcat_label_task_v2

LABELS = {"POS": "positive", "NEG": "negative"}


def scored(pos: float, neg: float) -> TeacherResponse:
    return TeacherResponse("POS", {"POS": math.log(pos), "NEG": math.log(neg)})


def test_calibration_divides_out_the_content_free_prior():
    task = make_textcat_label_task_v2(labels=LABELS, description="Sentiment.")
    prompts = task.calibration_prompts()
    assert len(prompts) == 3 and all(p.choices == ("POS", "NEG") for p in prompts)
    task.set_prior([scored(0.8, 0.2)] * 3)  # the model says POS whatever the text
    doc = spacy.blank("en")("Meh.")
    [doc] = task.parse_responses([doc], [[scored(0.7, 0.3)]])
    result = result_of(doc)
    assert result["labels"] == ["NEG"] and doc.cats == {"POS": 0.0, "NEG": 1.0}
    assert abs(result["scores"]["NEG"] - (0.3 / 0.2) / (0.7 / 0.8 + 0.3 / 0.2)) < 1e-9
    assert result["uncalibrated"]["POS"] > 0.69


def test_without_calibration_or_scores_it_labels_like_v1():
    task = make_textcat_label_task_v2(labels=LABELS, calibrate=False)
    assert task.calibration_prompts() == []
    task.set_prior([TeacherResponse("POS")])  # a text-only model: no scores, no prior
    assert task.prior is None
    [doc] = task.parse_responses([spacy.blank("en")("Fine.")], [[scored(0.7, 0.3)]])
    assert result_of(doc)["labels"] == ["POS"]


def test_few_shot_examples_alternate_labels():
    task = make_textcat_label_task_v2(labels=LABELS, few_shot=3)
    task.set_examples([{"text": f"p{i}", "label": "POS"} for i in range(3)] + [{"text": f"n{i}", "label": "NEG"} for i in range(3)])
    assert [ex["label"] for ex in task.examples] == ["POS", "NEG", "POS"]
    prompt = str(next(iter(task.generate_prompts([spacy.blank("en")("x")]))))
    assert "Text: p0\nLabel: POS" in prompt


def test_few_shot_examples_of_a_label_with_fewer_seeds_do_not_cut_the_others():
    task = make_textcat_label_task_v2(labels=LABELS, few_shot=6)
    task.set_examples([{"text": f"p{i}", "label": "POS"} for i in range(3)] + [{"text": "pn", "label": "POS, NEG"}])
    assert [ex["text"] for ex in task.examples] == ["p0", "pn", "p1", "p2"]
    task.set_examples([{"text": f"p{i}", "label": "POS"} for i in range(2)])  # every NEG seed rejected in review
    assert [ex["text"] for ex in task.examples] == ["p0", "p1"]


def test_a_run_calibrates_once_through_the_cache(settings_factory):
    settings = settings_factory(**{"loop.rounds": 1})
    settings.teacher_config["label"] = {"@llm_tasks": "evokd.TextCatLabel.v2"}
    runner = EvoKDRunner(settings, quiet=True)
    metrics = runner.run()
    assert runner.teacher.label.prior is not None
    assert metrics[1]["teacher"]["calls"] == 3 + metrics[1]["generated"] + 3  # + 3 content-free calls
