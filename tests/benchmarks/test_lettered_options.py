"""Labels listed as lettered options and scored by their letter (benchmark-only task)."""
import math

import spacy

import benchmarks.lettered_options  # noqa: F401 (registers the task)
from evokd_spacy.llm_io import TeacherResponse
from evokd_spacy.registry import registry

LABELS = {"ABBR": "The question asks for an abbreviation.", "LOC": "The question asks for a location: a city, country."}


def test_each_label_is_an_option_scored_by_its_letter_alone():
    task = registry.llm_tasks.get("benchmarks.TextCatLabelLettered.v1")(labels=LABELS, description="Question type.", calibration="none")
    doc = spacy.blank("en")("Where is Rome ?")
    prompt = task.prompt_for(doc)
    assert list(prompt.choices) == ["A", "B"]
    assert "A. abbreviation: The question asks for an abbreviation." in str(prompt) and "\nB. " in str(prompt)
    [parsed] = task.parse_responses([doc], [[TeacherResponse("B", scores={"A": math.log(0.2), "B": math.log(0.8)})]])
    assert parsed.cats["LOC"] == 1.0 and parsed.cats["ABBR"] == 0.0
