"""Labelling with verbalisers (evokd.TextCatLabel.v3, and v4 with listed words)."""
import math

import spacy

from evokd_spacy.llm_io import TeacherResponse
from evokd_spacy.tasks.request import result_of
from evokd_spacy.tasks.textcat.verbalised_label import (
    derive_listed_verbalizers,
    derive_verbalizers,
    make_textcat_label_task_v3,
    make_textcat_label_task_v4,
)

TREC = {"ABBR": "The question asks for an abbreviation or what one stands for.", "HUM": "The question asks for a person or group of people."}
nlp = spacy.blank("en")


def test_verbalisers_come_from_the_name_and_the_description():
    assert derive_verbalizers("ABBR", TREC["ABBR"]) == ["ABBR", "abbr", "abbreviation"]
    assert derive_verbalizers("POSITIVE", "The sentence expresses a positive opinion.") == ["POSITIVE", "positive"]
    assert derive_verbalizers("joy", "") == ["joy"]


def test_every_verbaliser_is_scored_and_a_label_takes_their_log_sum_exp():
    task = make_textcat_label_task_v3(labels=TREC, calibrate=False, verbalizers={"HUM": ["person", "who"]})
    [prompt] = task.generate_prompts([nlp("Who wrote Hamlet?")])
    assert set(prompt.choices) == {"ABBR", "abbr", "abbreviation", "HUM", "person", "who"}
    assert "- abbreviation (ABBR): The question asks" in prompt and "- person / who (HUM):" in prompt
    scores = {"ABBR": math.log(0.3), "abbr": math.log(0.01), "abbreviation": math.log(0.01),
              "HUM": math.log(0.1), "person": math.log(0.2), "who": math.log(0.1)}
    [doc] = task.parse_responses([nlp("Who wrote Hamlet?")], [[TeacherResponse("ABBR", scores)]])
    result = result_of(doc)
    assert result["labels"] == ["HUM"] and abs(result["scores"]["HUM"] - 0.4 / 0.72) < 1e-9


def test_calibration_uses_the_label_scores():
    task = make_textcat_label_task_v3(labels=TREC)
    prompts = task.calibration_prompts()
    assert len(prompts) == 3 and "abbreviation" in prompts[0].choices
    flat = {"ABBR": math.log(0.6), "abbr": -50.0, "abbreviation": -50.0, "HUM": math.log(0.2), "hum": -50.0, "person": -50.0}
    task.set_prior([TeacherResponse("ABBR", flat)] * 3)
    assert task.prior["ABBR"] == max(task.prior.values())
    leaning = {**flat, "ABBR": math.log(0.5), "HUM": math.log(0.3)}
    [doc] = task.parse_responses([nlp("Who?")], [[TeacherResponse("ABBR", leaning)]])
    assert result_of(doc)["labels"] == ["HUM"] and result_of(doc)["uncalibrated"]["ABBR"] > 0.5


def test_a_text_answer_is_read_through_the_verbalisers():
    task = make_textcat_label_task_v3(labels=TREC, calibrate=False)
    [doc] = task.parse_responses([nlp("Who?")], [["A person, I think."]])
    assert result_of(doc)["labels"] == ["HUM"] and result_of(doc)["error"] == ""
    [doc] = task.parse_responses([nlp("Who?")], [["No idea."]])
    assert result_of(doc)["labels"] == [] and result_of(doc)["error"] == "off_label"


def test_v4_adds_the_one_word_items_a_description_lists():
    loc = "The question asks for a location: a city, country, mountain, state and the like."
    assert derive_listed_verbalizers("LOC", loc) == ["LOC", "loc", "location", "city", "country", "mountain", "state"]
    desc = "The question asks for a description, definition, manner or reason."
    assert derive_listed_verbalizers("DESC", desc) == ["DESC", "desc", "description", "definition", "manner", "reason"]
    assert derive_listed_verbalizers("HUM", TREC["HUM"]) == ["HUM", "hum", "person"], "several-word items are left out"
    assert derive_listed_verbalizers("anger", "The tweet expresses anger, annoyance or rage.") == ["anger"], "nothing without an article"


def test_v4_prompts_and_scores_the_listed_words_and_given_words_still_win():
    labels = {**TREC, "LOC": "The question asks for a location: a city, country or mountain."}
    task = make_textcat_label_task_v4(labels=labels, calibrate=False)
    [prompt] = task.generate_prompts([nlp("Where is Everest?")])
    assert {"city", "country", "mountain"} <= set(prompt.choices)
    assert "- location / city / country / mountain (LOC):" in prompt
    scores = {w: -20.0 for w in prompt.choices}
    [doc] = task.parse_responses([nlp("Where is Everest?")], [[TeacherResponse("mountain", {**scores, "mountain": -0.1})]])
    assert result_of(doc)["labels"] == ["LOC"]
    given = make_textcat_label_task_v4(labels=labels, calibrate=False, verbalizers={"LOC": ["place"]})
    assert given.words("LOC") == ["LOC", "place"]


def test_verbalisers_for_a_label_not_in_the_label_set_are_a_config_error():
    import pytest

    from evokd_spacy.errors import ConfigError
    from evokd_spacy.tasks.textcat.verbalised_label import make_textcat_label_task_v3

    with pytest.raises(ConfigError, match=r"verbalizers name label\(s\) HUM that are not in the label set \(POS, NEG\)"):
        make_textcat_label_task_v3(labels={"POS": "good", "NEG": "bad"}, verbalizers={"HUM": ["person"]})
