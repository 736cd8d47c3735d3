"""Revision and rationale tasks (ELAD): prompts and parsing."""
import spacy

from evokd_spacy.llm_io import ChoicePrompt, TeacherResponse
from evokd_spacy.tasks.ner.revise import NERReviseTask
from evokd_spacy.tasks.request import REQUEST_KEY, result_of
from evokd_spacy.tasks.textcat.explain import TextCatExplainTask, TextCatStepCheckTask
from evokd_spacy.tasks.textcat.revise import TextCatReviseTask

LABELS = {"POSITIVE": "good", "NEGATIVE": "bad"}
nlp = spacy.blank("en")


def _doc(text, **request):
    doc = nlp.make_doc(text)
    doc.user_data[REQUEST_KEY] = request
    return doc


def test_textcat_revision_shows_the_student_answer_and_says_accept_or_correct():
    task = TextCatReviseTask(labels=LABELS, description="sentiment")
    doc = _doc("I love it", student=["NEGATIVE"])
    [prompt] = task.generate_prompts([doc])
    assert isinstance(prompt, ChoicePrompt) and "answered: NEGATIVE" in prompt and prompt.rstrip().endswith("I love it")
    [doc] = task.parse_responses([doc], [[TeacherResponse("POSITIVE", scores={"POSITIVE": -0.1, "NEGATIVE": -3.0})]])
    result = result_of(doc)
    assert result["labels"] == ["POSITIVE"] and result["revision"] == "corrected" and result["confidence"] > 0.9
    doc = _doc("I love it", student=["POSITIVE"])
    [doc] = task.parse_responses([doc], [["POSITIVE"]])  # a text-only model's answer
    assert result_of(doc)["revision"] == "accepted"
    reason = task.reason_prompt("I love it", ["NEGATIVE"], ["POSITIVE"])
    assert "labelled this text NEGATIVE" in reason and "correct label is POSITIVE" in reason


def test_ner_revision_shows_the_student_entities_and_compares_spans():
    task = NERReviseTask(labels={"DISH": "a dish", "INGREDIENT": "an ingredient"}, description="food")
    doc = _doc("ramen with garlic", student=[[0, 5, "DISH"]])
    [prompt] = task.generate_prompts([doc])
    assert '[{"text": "ramen", "label": "DISH"}]' in prompt
    [doc] = task.parse_responses([doc], [['[{"text": "ramen", "label": "DISH"}, {"text": "garlic", "label": "INGREDIENT"}]']])
    assert result_of(doc)["revision"] == "corrected" and result_of(doc)["spans"] == [[0, 5, "DISH"], [11, 17, "INGREDIENT"]]
    doc = _doc("ramen with garlic", student=[[0, 5, "DISH"]])
    [doc] = task.parse_responses([doc], [['[{"text": "ramen", "label": "DISH"}]']])
    assert result_of(doc)["revision"] == "accepted"


def test_a_revision_naming_the_students_entity_with_an_unknown_label_keeps_the_students_entity():
    task = NERReviseTask(labels={"DISH": "a dish", "INGREDIENT": "an ingredient"}, description="food")
    doc = _doc("ramen with garlic", student=[[0, 5, "DISH"], [11, 17, "INGREDIENT"]])
    answer = '[{"text": "Ramen", "label": "FOOD"}, {"text": "garlic", "label": "INGREDIENT"}]'
    [doc] = task.parse_responses([doc], [[answer]])
    assert result_of(doc)["spans"] == [[0, 5, "DISH"], [11, 17, "INGREDIENT"]] and result_of(doc)["revision"] == "accepted"
    assert [(e.text, e.label_) for e in doc.ents] == [("ramen", "DISH"), ("garlic", "INGREDIENT")]
    doc = _doc("ramen with garlic", student=[[0, 5, "DISH"], [11, 17, "INGREDIENT"]])
    [doc] = task.parse_responses([doc], [['[{"text": "garlic", "label": "INGREDIENT"}]']])
    assert result_of(doc)["spans"] == [[11, 17, "INGREDIENT"]], "an entity the teacher left out is removed: that is a correction"


def test_a_revision_repeating_the_students_list_accepts_it_where_the_string_occurs_twice():
    task = NERReviseTask(labels={"DISH": "a dish", "INGREDIENT": "an ingredient"}, description="food")
    doc = _doc("The garlic bread had no garlic in it", student=[[4, 10, "INGREDIENT"]])
    [doc] = task.parse_responses([doc], [['[{"text": "garlic", "label": "INGREDIENT"}]']])
    assert result_of(doc)["revision"] == "accepted" and result_of(doc)["spans"] == [[4, 10, "INGREDIENT"]]
    assert [(e.start_char, e.label_) for e in doc.ents] == [(4, "INGREDIENT")]
    doc = _doc("The garlic bread had no garlic in it", student=[[4, 10, "INGREDIENT"]])
    [doc] = task.parse_responses([doc], [['[{"text": "garlic", "label": "INGREDIENT"}, {"text": "garlic", "label": "INGREDIENT"}]']])
    assert result_of(doc)["revision"] == "corrected" and result_of(doc)["spans"] == [[4, 10, "INGREDIENT"], [24, 30, "INGREDIENT"]]


def test_rationale_parsing_keeps_steps_and_the_final_label():
    task = TextCatExplainTask(labels=LABELS, description="sentiment", max_steps=2)
    doc = nlp.make_doc("fine but slow")
    raw = "Sure.\nStep 1: 'fine' is mildly good.\n**Step 2:** 'slow' is a complaint.\nStep 3: extra\nLabel: NEGATIVE\nmore"
    [doc] = task.parse_responses([doc], [[raw]])
    result = result_of(doc)
    assert result["steps"] == ["'fine' is mildly good.", "'slow' is a complaint."] and result["label"] == "NEGATIVE"
    [doc] = task.parse_responses([nlp.make_doc("x")], [["Step 1: hmm"]])
    assert result_of(doc)["label"] is None and result_of(doc)["error"] == "no_label_line"


def test_step_check_scores_labels_after_the_reasoning():
    task = TextCatStepCheckTask(labels=LABELS, description="sentiment")
    doc = _doc("fine but slow", steps=["'slow' is a complaint."])
    [prompt] = task.generate_prompts([doc])
    assert isinstance(prompt, ChoicePrompt) and "- 'slow' is a complaint." in prompt
    [doc] = task.parse_responses([doc], [[TeacherResponse("NEGATIVE", scores={"POSITIVE": -2.0, "NEGATIVE": -0.2})]])
    assert result_of(doc)["probs"]["NEGATIVE"] > 0.8
    [doc] = task.parse_responses([_doc("x", steps=[])], [["POSITIVE"]])
    assert result_of(doc)["probs"] == {"POSITIVE": 1.0, "NEGATIVE": 0.0}


def test_revision_is_calibrated_per_shown_answer():
    import math

    task = TextCatReviseTask(labels=LABELS, description="sentiment")
    prompts = task.calibration_prompts()
    assert len(prompts) == 6 and sum("answered: POSITIVE" in p for p in prompts) == 3
    lean = TeacherResponse("NEGATIVE", scores={"POSITIVE": math.log(0.2), "NEGATIVE": math.log(0.8)})
    fair = TeacherResponse("NEGATIVE", scores={"POSITIVE": math.log(0.5), "NEGATIVE": math.log(0.5)})
    task.set_prior([lean] * 3 + [fair] * 3)  # shown POSITIVE, the teacher leans NEGATIVE
    assert abs(task.priors["POSITIVE"]["NEGATIVE"] - 0.8) < 1e-9 and abs(task.priors["NEGATIVE"]["NEGATIVE"] - 0.5) < 1e-9
    text = TeacherResponse("NEGATIVE", scores={"POSITIVE": math.log(0.35), "NEGATIVE": math.log(0.65)})
    [doc] = task.parse_responses([_doc("a fine film", student=["POSITIVE"])], [[text]])
    assert result_of(doc)["labels"] == ["POSITIVE"] and result_of(doc)["revision"] == "accepted"
    [doc] = task.parse_responses([_doc("a fine film", student=["NEGATIVE"])], [[text]])
    assert result_of(doc)["labels"] == ["NEGATIVE"] and result_of(doc)["revision"] == "accepted"
    assert TextCatReviseTask(labels=LABELS, calibrate=False).calibration_prompts() == []


def test_an_unreadable_revision_is_an_error_not_an_acceptance():
    task = TextCatReviseTask(labels=LABELS, description="sentiment", exclusive=False)
    doc = _doc("I love it", student=[])
    [doc] = task.parse_responses([doc], [["none of them"]])
    assert result_of(doc)["error"] and result_of(doc)["revision"] == "error"
