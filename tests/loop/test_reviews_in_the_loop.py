"""What imported reviews do to later rounds: rejected texts stay out, dev texts are never added."""
import json

from evokd_spacy.loop.filters import normalise
from evokd_spacy.loop.runner import EvoKDRunner
from evokd_spacy.review.store import import_reviews
from tests.conftest import ASSETS


def _reviews(tmp_path, rows):
    path = tmp_path / "reviewed.jsonl"
    path.write_text("".join(json.dumps({**row, "meta": {"round": 1}}) + "\n" for row in rows))
    return path


def test_a_rejected_text_is_a_duplicate_when_a_later_round_writes_it_again(settings_factory, tmp_path):
    runner = EvoKDRunner(settings_factory(**{"loop.rounds": 1}), quiet=True)
    runner.run()
    rejected = runner.batch(1)[0].text
    import_reviews(runner.folder, _reviews(tmp_path, [{"text": rejected, "answer": "reject"}]), runner.spec)
    assert rejected not in {s.text for s in runner.batch(1)}
    assert normalise(rejected) in runner.known_texts(2), "the filter of round 2 would drop it as a duplicate"


def test_an_accepted_review_of_a_dev_text_is_not_added_to_training(settings_factory, tmp_path, capsys):
    runner = EvoKDRunner(settings_factory(**{"loop.rounds": 1}), quiet=True)
    runner.run()
    dev_text = json.loads((ASSETS / "dev.jsonl").read_text().splitlines()[0])["text"]
    rows = [{"text": dev_text, "accept": ["POSITIVE"], "answer": "accept"},
            {"text": "A reviewer wrote this one: simply wonderful.", "accept": ["POSITIVE"], "answer": "accept"}]
    import_reviews(runner.folder, _reviews(tmp_path, rows), runner.spec)
    texts = {s.text for s in runner.batch(1)}
    assert dev_text not in texts and "A reviewer wrote this one: simply wonderful." in texts
    assert "left out 1 imported review(s) of text(s) from the dev or test data" in " ".join(capsys.readouterr().out.split())
    assert dev_text not in {s.text for s in runner.training_samples(1)}


def test_a_reviewed_seed_is_shown_to_the_teacher_with_its_new_label(settings_factory, tmp_path):
    settings = settings_factory(**{"loop.rounds": 0})
    settings.teacher_config["label"] = {"@llm_tasks": "evokd.TextCatLabel.v5", "few_shot": 6}
    EvoKDRunner(settings, quiet=True).run()
    first = EvoKDRunner(settings, quiet=True)
    first.prepare()
    seed = first.seeds[0]
    other = next(label for label in first.spec.label_names if label not in seed.labels)
    path = tmp_path / "seed_review.jsonl"
    path.write_text(json.dumps({"text": seed.text, "accept": [other], "answer": "accept", "meta": {"round": 0}}) + "\n")
    import_reviews(first.folder, path, first.spec)
    again = EvoKDRunner(settings, quiet=True)
    again.prepare()
    shown = {ex["text"]: ex["label"] for ex in again.teacher.label.examples}
    assert shown[seed.text] == other, "the labeller's exemplar carries the reviewed label"
