"""Labelling as a one-word answer with batch calibration (evokd.TextCatLabel.v5)."""
import math

import pytest
import spacy

from evokd_spacy.llm_io import TeacherResponse
from evokd_spacy.loop.runner import EvoKDRunner
from evokd_spacy.tasks.request import result_of
from evokd_spacy.tasks.textcat.cloze_label import make_textcat_label_task_v5

LABELS = {
    "HUM": "The question asks for a person or group of people.",
    "NUM": "The question asks for a number: a count, date or distance.",
}
nlp = spacy.blank("en")


def _scores(task, favour, p):
    """Choice scores where the label `favour` gets probability p and the other 1 - p."""
    other = next(label for label in task.labels if label != favour)
    scores = {w: -50.0 for label in task.labels for w in task.words(label)}
    scores[task.answer_word(favour)] = math.log(p)
    scores[task.answer_word(other)] = math.log(1 - p)
    return scores


def test_the_prompt_lists_no_labels_and_scores_cased_answer_words():
    task = make_textcat_label_task_v5(labels=LABELS, description="Decide what a question asks for.")
    [prompt] = task.generate_prompts([nlp("When was Babe Ruth born?")])
    assert str(prompt) == "Decide what a question asks for.\n\nText: When was Babe Ruth born?\n\nAnswer with one word.\n"
    assert {"date", "Date", "person", "Person", "count", "Count"} <= set(prompt.choices)
    assert "Num" not in prompt.choices, "the lower-cased name is not capitalised when the label has real words"
    sentiment = make_textcat_label_task_v5(labels={"POSITIVE": "", "NEGATIVE": ""})
    assert sentiment.words("POSITIVE") == ["POSITIVE", "positive", "Positive"]


def test_examples_are_answered_with_a_word_not_the_label_name():
    task = make_textcat_label_task_v5(labels=LABELS, few_shot=2)
    task.set_examples([{"text": "Who wrote Hamlet?", "label": "HUM"}, {"text": "How far is the moon?", "label": "NUM"}])
    [prompt] = task.generate_prompts([nlp("When?")])
    assert "Text: Who wrote Hamlet?\nAnswer: person\n\nText: How far is the moon?\nAnswer: number\n" in str(prompt)


def test_a_multi_label_exemplar_is_answered_with_each_of_its_labels_words():
    task = make_textcat_label_task_v5(labels=LABELS, few_shot=2, exclusive=False)
    task.set_examples([{"text": "Who won in 1990 and by how much?", "label": "HUM, NUM"}])
    [prompt] = task.generate_prompts([nlp("When?")])
    assert "Text: Who won in 1990 and by how much?\nAnswer: person, number\n" in str(prompt)


def test_batch_calibration_divides_by_the_mean_over_the_call():
    task = make_textcat_label_task_v5(labels=LABELS, min_batch=4)
    # every text leans to HUM (a prior), two of them less than the others
    leanings = [0.9, 0.9, 0.6, 0.6]
    docs = list(task.parse_responses([nlp(f"q{i}") for i in range(4)], [[TeacherResponse("x", _scores(task, "HUM", p))] for p in leanings]))
    assert [result_of(d)["labels"] for d in docs] == [["HUM"], ["HUM"], ["NUM"], ["NUM"]]
    assert result_of(docs[2])["uncalibrated"]["HUM"] == pytest.approx(0.6)
    assert task.prior is None, "the batch prior does not outlive its call"
    few = list(task.parse_responses([nlp("q")], [[TeacherResponse("x", _scores(task, "HUM", 0.6))]]))
    assert result_of(few[0])["labels"] == ["HUM"] and "uncalibrated" not in result_of(few[0]), "under min_batch: uncalibrated"


def test_calibration_modes():
    assert make_textcat_label_task_v5(labels=LABELS).calibration_prompts() == []
    assert len(make_textcat_label_task_v5(labels=LABELS, calibration="content_free").calibration_prompts()) == 3
    assert make_textcat_label_task_v5(labels=LABELS, calibration="none").calibration_prompts() == []
    with pytest.raises(ValueError, match="calibration must be one of batch, content_free, none"):
        make_textcat_label_task_v5(labels=LABELS, calibration="prior")


def test_a_run_labels_with_v5(settings_factory):
    settings = settings_factory(**{"loop.rounds": 1})
    settings.teacher_config["label"] = {"@llm_tasks": "evokd.TextCatLabel.v5"}
    runner = EvoKDRunner(settings, quiet=True)
    metrics = runner.run()
    assert metrics[1]["kept"] > 0
    label_prompts = [item["label_prompt"] for item in runner.folder.load_step(1, "label")["items"]]
    assert label_prompts and all(p.rstrip().endswith("Answer with one word.") for p in label_prompts)


def test_answers_without_label_scores_are_read_as_text_with_one_warning_naming_a_labeller_that_lists_the_labels(capsys):
    task = make_textcat_label_task_v5(labels=LABELS, description="Decide what a question asks for.")
    docs = [nlp("Who wrote Hamlet?"), nlp("How far is Mars?")]
    for _ in range(2):  # two batches, one warning
        parsed = list(task.parse_responses(docs, [[TeacherResponse("person")], [TeacherResponse("distance")]]))
    assert [result_of(doc)["labels"] for doc in parsed] == [["HUM"], ["NUM"]]
    said = " ".join(capsys.readouterr().out.split())
    assert said.count("without label scores") == 1 and "evokd.TextCatLabel.v1" in said
    scored = make_textcat_label_task_v5(labels=LABELS, description="Decide what a question asks for.")
    list(scored.parse_responses(docs[:1], [[TeacherResponse("person", scores=_scores(scored, "HUM", 0.9))]]))
    assert "without label scores" not in capsys.readouterr().out
