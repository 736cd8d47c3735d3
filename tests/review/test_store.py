"""Reviewed answers applied to a round's samples, and what a later round may not bring back."""
import re

import pytest

from evokd_spacy.errors import DataError
from evokd_spacy.review.prodigy import Review, from_prodigy
from evokd_spacy.review.store import apply_reviews
from evokd_spacy.ty import Sample, TaskSpec


def test_a_review_applies_to_every_sample_with_its_text():
    samples = [Sample("apple sued samsung", ["NEG"], tag="pool", round=1), Sample("Apple sued Samsung!", ["POS"], tag="hard", round=1)]
    assert apply_reviews(samples, [Review("Apple sued Samsung!", "reject")], 1) == []
    accepted = apply_reviews(samples, [Review("Apple sued Samsung!", "accept", labels=["NEG"])], 1)
    assert [s.labels for s in accepted] == [["NEG"], ["NEG"]] and all(s.meta["reviewed"] for s in accepted)


def test_an_accepted_ner_review_keeps_the_text_its_offsets_were_measured_on():
    sample = Sample("Met Ann Lee \u2026 in Paris", ["LOC"], spans=[[17, 22, "LOC"]], tag="hard", round=1)
    review = Review("Met Ann Lee ... in Paris", "accept", labels=["LOC", "PER"], spans=[[4, 11, "PER"], [19, 24, "LOC"]])
    [out] = apply_reviews([sample], [review], 1)
    assert out.text == review.text and [out.text[a:b] for a, b, _ in out.spans] == ["Ann Lee", "Paris"]


def test_a_binary_answer_is_refused_for_a_multi_label_task_but_read_for_an_exclusive_one():
    multi = TaskSpec(kind="textcat", description="", labels={"A": "", "B": ""}, exclusive=False)
    with pytest.raises(DataError, match=r"line 3: a one-label \(binary\) answer cannot say which labels"):
        from_prodigy({"text": "t", "label": "A", "answer": "reject"}, multi, "f, line 3")
    exclusive = TaskSpec(kind="textcat", description="", labels={"A": "", "B": ""}, exclusive=True)
    assert from_prodigy({"text": "t", "label": "A", "answer": "accept"}, exclusive, "f, line 3").labels == ["A"]
    assert from_prodigy({"text": "t", "options": [], "accept": ["A", "B"], "answer": "accept"}, multi, "f").labels == ["A", "B"]


def test_two_accepted_labels_are_refused_for_an_exclusive_task():
    exclusive = TaskSpec(kind="textcat", description="", labels={"A": "", "B": ""}, exclusive=True)
    with pytest.raises(DataError, match=r"f, line 2: accepted labels \['A', 'B'\]: the task's labels are exclusive"):
        from_prodigy({"text": "t", "options": [], "accept": ["A", "B"], "answer": "accept"}, exclusive, "f, line 2")


def test_a_hand_edited_export_file_is_kept_when_exported_again(tmp_path):
    from evokd_spacy.review.export import write_keeping_edits

    path = tmp_path / "round_1.jsonl"
    write_keeping_edits(path, [{"text": "a", "accept": ["POS"]}])
    write_keeping_edits(path, [{"text": "a", "accept": ["POS"]}])
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["round_1.jsonl"], "the same export: nothing to keep"
    write_keeping_edits(path, [{"text": "a", "accept": ["NEG"]}])  # an imported review changed the export, nobody the file
    assert not list(tmp_path.glob("*.bak")) and '"NEG"' in path.read_text()
    path.write_text('{"text": "a", "accept": ["POS"]}\n')  # a hand edit
    write_keeping_edits(path, [{"text": "a", "accept": ["NEG"]}])
    [backup] = [p for p in tmp_path.iterdir() if p.name.endswith(".bak")]
    assert '"POS"' in backup.read_text() and '"NEG"' in path.read_text()


def test_an_accepted_ner_review_with_overlapping_spans_is_refused():
    spec = TaskSpec(kind="ner", description="", labels={"LOC": "", "PER": ""})
    record = {"text": "Jordan Peterson", "answer": "accept", "spans": [{"start": 0, "end": 15, "label": "PER"}, {"start": 0, "end": 6, "label": "LOC"}]}
    with pytest.raises(DataError, match="spans 0-6 LOC and 0-15 PER overlap"):
        from_prodigy(record, spec, "reviewed.jsonl, line 1")


def test_an_exported_span_off_token_boundaries_gives_the_offsets_of_the_tokens_its_indices_name():
    import spacy

    from evokd_spacy.review.prodigy import to_prodigy

    spec = TaskSpec(kind="ner", description="", labels={"LOC": ""})
    task = to_prodigy(Sample("Parisians love Paris.", ["LOC"], spans=[[0, 5, "LOC"]], round=1), spec, spacy.blank("en"))
    [span] = task["spans"]
    tokens = task["tokens"][span["token_start"] : span["token_end"] + 1]
    assert (span["start"], span["end"]) == (tokens[0]["start"], tokens[-1]["end"]) == (0, 9)


def test_an_ner_sample_with_an_entity_the_teacher_named_but_could_not_keep_needs_review():
    import spacy

    from evokd_spacy.review.export import review_reasons
    from evokd_spacy.review.prodigy import to_prodigy
    from evokd_spacy.tasks.ner.kind import NERKind
    from evokd_spacy.ty import Sample, TaskSpec

    spec = TaskSpec(kind="ner", description="", labels={"DISH": "a dish"})
    drops = [{"text": "miso", "label": "SOUP", "reason": "unknown_label", "ranges": [[17, 21]]},
             {"text": "salt", "label": "DISH", "reason": "not_in_text"}]
    unsure = Sample(text="Ramen with a big miso", labels=["DISH"], spans=[[0, 5, "DISH"]], meta={"entity_drops": drops})
    plain = Sample(text="Ramen again", labels=["DISH"], spans=[[0, 5, "DISH"]], meta={"entity_drops": drops[1:]})
    assert review_reasons([unsure, plain], None, NERKind(), 0.8) == ["unsure_entities", ""]
    task = to_prodigy(unsure, spec, spacy.blank("en"), "unsure_entities")
    assert task["meta"]["unsure_entities"] == [{"text": "miso", "label": "SOUP", "reason": "unknown_label"}]
    assert "unsure_entities" not in to_prodigy(plain, spec, spacy.blank("en"))["meta"]


SPEC = TaskSpec(kind="textcat", description="", labels={"POS": "", "NEG": ""}, exclusive=True)


@pytest.mark.parametrize("line,message", [
    ('[1, 2]', "a reviewed task is a JSON object"),
    ('{"text": "a", "answer": "accept", "accept": ["POS"], "meta": {"round": "r1"}}', "meta.round is 'r1'; give the round's number"),
    ('{"text": "a", "answer": "accept", "accept": "POS"}', "\"accept\" is 'POS'; give a list of the accepted labels, like ['POS']"),
    ('{"text": "a", "answer": "accept", "accept": []}', "accepted labels [] must be one or more of POS, NEG; to say the text has none of them"),
])
def test_a_malformed_review_line_is_refused_naming_its_line(tmp_path, line, message):
    from evokd_spacy.errors import DataError
    from evokd_spacy.loop.state import RunFolder
    from evokd_spacy.review.store import import_reviews

    path = tmp_path / "reviewed.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(DataError, match="reviewed.jsonl, line 1: " + re.escape(message)):
        import_reviews(RunFolder(tmp_path / "training", tmp_path / "corpus"), path, SPEC)


def test_a_review_span_without_character_offsets_is_refused_naming_its_line(tmp_path):
    from evokd_spacy.errors import DataError
    from evokd_spacy.review.prodigy import from_prodigy

    ner = TaskSpec("ner", "", {"DRUG": ""})
    record = {"text": "took aspirin", "answer": "accept", "spans": [{"token_start": 1, "token_end": 1, "label": "DRUG"}]}
    with pytest.raises(DataError, match=r"here: each span needs its character \"start\" and \"end\""):
        from_prodigy(record, ner, "here")
