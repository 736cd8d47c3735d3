"""Attribute prompts: each generation request names one value per attribute, picked per round."""
import json

import pytest

from evokd_spacy.errors import ConfigError
from evokd_spacy.loop.attributes import pick_attributes, request_style
from evokd_spacy.loop.runner import EvoKDRunner

ATTRIBUTES = {"length": ["one short sentence", "two or three sentences"], "tone": ["formal", "casual", "angry"]}


def test_values_are_picked_per_round_label_and_repeat_and_picked_again_the_same():
    picks = {(r, label): pick_attributes(ATTRIBUTES, r, label, 0) for r in range(1, 7) for label in ("POSITIVE", "NEGATIVE")}
    assert all(set(p) == {"length", "tone"} and p["tone"] in ATTRIBUTES["tone"] for p in picks.values())
    assert len({json.dumps(p, sort_keys=True) for p in picks.values()}) > 2, "requests get different values"
    assert pick_attributes(ATTRIBUTES, 3, "POSITIVE", 0) == picks[(3, "POSITIVE")]


def test_the_style_line_joins_the_repeat_style_and_the_attributes():
    assert request_style([], {}, 1, "POSITIVE", 0) is None
    assert request_style([], {}, 1, "POSITIVE", 1) == "variant 2"
    line = request_style(["a product review"], {"tone": ["casual"]}, 1, "POSITIVE", 0)
    assert line == "a product review; tone: casual"
    assert request_style([], {"tone": []}, 1, "POSITIVE", 0) is None, "an attribute without values is left out"


def test_generation_prompts_name_the_attributes(settings_factory):
    settings = settings_factory(**{"loop.rounds": 1, "loop.attributes": ATTRIBUTES})
    runner = EvoKDRunner(settings, quiet=True)
    runner.run()
    prompts = [item["prompt"] for item in json.loads(runner.folder.step_file(1, "generate").read_text())["items"]]
    assert prompts and all("Style: length: " in p and "; tone: " in p for p in prompts)


def test_attributes_that_are_not_lists_of_strings_are_a_config_error(settings_factory):
    with pytest.raises(ConfigError, match="attributes: 'tone' should be a list"):
        settings_factory(**{"loop.attributes": {"tone": "casual"}})
