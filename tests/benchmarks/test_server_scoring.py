"""The served-teacher benchmarks: their variants name registered factories, and the alternative
first-token rule counts only a word's longest listed token."""
import math

import pytest

from benchmarks.server_choice_scoring import VARIANTS, served
from benchmarks.server_top_tokens import RULES, longest_prefix_scores
from evokd_spacy.registry import registry


def test_only_the_longest_listed_token_that_begins_a_word_counts_for_it():
    top = [("D", math.log(0.3)), ("Date", math.log(0.1)), ("Des", math.log(0.05)), (" ", math.log(0.5))]
    scores = longest_prefix_scores(top, ["Date", "DESC", "Description", "Distance", "NUM"])
    assert scores["Date"] == pytest.approx(math.log(0.1)) and scores["Description"] == pytest.approx(math.log(0.05))
    assert scores["DESC"] == scores["Distance"] == pytest.approx(math.log(0.3))  # only "D" begins them
    assert scores["NUM"] == pytest.approx(math.log(0.05))  # unlisted: the least likely listed token
    assert RULES["prefix_sum"](top, ["Date"])["Date"] == pytest.approx(math.log(0.4))  # v3's rule sums "D" and "Date"


def test_every_variant_is_a_registered_model_and_task_pointed_at_the_server():
    for model_block, label_block in VARIANTS.values():
        block = served(model_block, "http://127.0.0.1:1/v1", "qwen")
        assert block["base_url"] == "http://127.0.0.1:1/v1" and block["config"]["temperature"] == 0.0
        registry.llm_models.get(block["@llm_models"])
        if label_block:
            registry.llm_tasks.get(label_block["@llm_tasks"])
