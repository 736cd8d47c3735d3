"""Seed exemplars shown only for small label sets (evokd.TextCatLabel.v6)."""
import spacy

from evokd_spacy.tasks.textcat.small_set_label import make_textcat_label_task_v6

nlp = spacy.blank("en")
SEEDS = [{"text": "Who wrote Hamlet?", "label": "HUM"}, {"text": "How far is the moon?", "label": "NUM"},
         {"text": "Where is Lima?", "label": "LOC"}]
TWO = {"HUM": "The question asks for a person.", "NUM": "The question asks for a number."}
THREE = {**TWO, "LOC": "The question asks for a location."}


def _prompt(task, seeds):
    task.set_examples(seeds)
    return str(next(iter(task.generate_prompts([nlp("When?")]))))


def test_a_binary_task_shows_the_seeds_as_answered_examples():
    prompt = _prompt(make_textcat_label_task_v6(labels=TWO), SEEDS[:2])
    assert "Text: Who wrote Hamlet?\nAnswer: person\n\nText: How far is the moon?\nAnswer: number\n" in prompt


def test_a_larger_label_set_shows_none_unless_the_limit_allows_it():
    task = make_textcat_label_task_v6(labels=THREE)
    assert "Who wrote Hamlet?" not in _prompt(task, SEEDS) and task.examples == []
    assert "Who wrote Hamlet?" in _prompt(make_textcat_label_task_v6(labels=THREE, few_shot_max_labels=3), SEEDS)
    assert "Who wrote Hamlet?" in _prompt(make_textcat_label_task_v6(labels=THREE, few_shot_max_labels=0), SEEDS)
    assert "Who wrote Hamlet?" not in _prompt(make_textcat_label_task_v6(labels=TWO, few_shot=0), SEEDS[:2])


def test_labels_added_after_construction_count_too():
    task = make_textcat_label_task_v6()
    for label, definition in THREE.items():
        task.add_label(label, definition)
    assert "Who wrote Hamlet?" not in _prompt(task, SEEDS)
