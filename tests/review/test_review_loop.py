"""Export, edit and import round trip: reviewed answers change the next round's training data."""
import json

import spacy
from spacy.tokens import DocBin
from typer.testing import CliRunner

from evokd_spacy.cli import app
from evokd_spacy.loop.state import RunFolder
from tests.conftest import LEXICON, NER_LEXICON, write_run_config


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_export_edit_import_changes_the_next_rounds_training_data(tmp_path):
    cli = CliRunner()
    config = str(write_run_config(tmp_path, {"@llm_models": "evokd.ScriptedTeacher.v1", "lexicon": LEXICON}))
    assert cli.invoke(app, ["run", config, "--loop.rounds", "1"]).exit_code == 0
    output = tmp_path / "training"
    exported = cli.invoke(app, ["export", str(output), "--min-confidence", "0.99", "--paths.corpus", str(tmp_path / "corpus")])
    assert exported.exit_code == 0, exported.output  # settings may be overridden, as for run and resume
    hint = " ".join(exported.output.split())
    assert "prodigy textcat.manual review_r1" in hint and f"--label {','.join(LEXICON)} --exclusive" in hint
    tasks = _lines(output / "export" / "round_1.jsonl")
    assert len(tasks) == len(DocBin().from_disk(output / "export" / "round_1.spacy"))
    first = tasks[0]
    assert first["answer"] == "accept" and first["accept"] and {o["id"] for o in first["options"]} == set(LEXICON)
    assert first["meta"]["round"] == 1 and first["meta"]["tag"] in ("hard", "easy")
    needs = _lines(output / "export" / "round_1.needs_review.jsonl")
    assert needs and all(t["meta"]["needs_review"] for t in needs)  # every confidence < 0.99 here

    flipped, rejected = tasks[0], tasks[1]
    new_label = next(label for label in LEXICON if label not in flipped["accept"])
    edits = [
        {**flipped, "accept": [new_label]},
        {**rejected, "answer": "reject"},
        {"text": "A reviewer wrote this one: simply wonderful.", "accept": ["POSITIVE"], "answer": "accept", "meta": {"round": 1}},
    ]
    reviewed = tmp_path / "reviewed.jsonl"
    reviewed.write_text("".join(json.dumps(e) + "\n" for e in edits))
    imported = cli.invoke(app, ["import", str(output), str(reviewed)])
    assert imported.exit_code == 0, imported.output
    assert (output / "reviewed" / "round_1.jsonl").exists() and "no data yet" not in imported.output
    again = cli.invoke(app, ["import", str(output), str(reviewed), "--round", "9"])  # it moved every task to round 9
    assert "3 task(s) carry their own meta.round, which --round 9 does not change" in " ".join(again.output.split())
    assert not (output / "reviewed" / "round_9.jsonl").exists()
    bare = tmp_path / "bare.jsonl"
    bare.write_text(json.dumps({"text": "No round of its own.", "accept": ["POSITIVE"], "answer": "accept"}) + "\n")
    typo = cli.invoke(app, ["import", str(output), str(bare), "--round", "9"])
    assert typo.exit_code == 0 and "Round(s) 9 of this run have no data yet" in " ".join(typo.output.split())
    (output / "reviewed" / "round_9.jsonl").unlink()
    elsewhere = tmp_path / "elsewhere.jsonl"  # round 1's texts answered as round 0's
    elsewhere.write_text("".join(json.dumps({**task, "meta": {"round": 0}}) + "\n" for task in (tasks[2], {**tasks[3], "answer": "reject"})))
    said = " ".join(cli.invoke(app, ["import", str(output), str(elsewhere)]).output.split())
    assert "Round 0: 1 rejected or ignored text(s) are not in the round, so they change nothing" in said
    assert "Round 0: accepted text(s) that round(s) 1 hold are added to round 0 too, so they are trained on twice" in said
    (output / "reviewed" / "round_0.jsonl").unlink()
    added = tmp_path / "added.jsonl"  # a reject of the text an accepted review added to round 1 changes something
    added.write_text(json.dumps({"text": "A reviewer wrote this one: simply wonderful.", "answer": "reject", "meta": {"round": 1.0}}) + "\n")
    said = " ".join(cli.invoke(app, ["import", str(output), str(added)]).output.split())
    assert "Imported 1 reviewed task(s)" in said and "change nothing" not in said
    added.write_text(json.dumps({"text": "A reviewer wrote this one: simply wonderful.", "accept": ["POSITIVE"], "answer": "accept",
                                 "meta": {"round": 1}}) + "\n")
    assert cli.invoke(app, ["import", str(output), str(added)]).exit_code == 0  # as it was, for the rest of the test

    resumed = cli.invoke(app, ["resume", str(output), "--loop.rounds", "2"])
    assert resumed.exit_code == 0, resumed.output
    nlp = spacy.blank("en")
    train = {doc.text: doc for doc in DocBin().from_disk(RunFolder(output, tmp_path / "corpus").train_docbin(2)).get_docs(nlp.vocab)}
    assert train[flipped["text"]].cats[new_label] == 1.0
    assert rejected["text"] not in train
    assert train["A reviewer wrote this one: simply wonderful."].cats["POSITIVE"] == 1.0
    # round 1's own data is untouched, and re-running never overwrites the reviewed answers
    assert rejected["text"] in {row["text"] for row in _lines(tmp_path / "corpus" / "round_1.jsonl")}
    before = (output / "reviewed" / "round_1.jsonl").read_text()
    assert cli.invoke(app, ["resume", str(output), "--loop.rounds", "2"]).exit_code == 0
    assert (output / "reviewed" / "round_1.jsonl").read_text() == before
    report = cli.invoke(app, ["report", str(output)])  # the corpus folder comes from the saved config
    assert report.exit_code == 0, report.output
    assert "| 2 |" in (output / "report.md").read_text() and (output / "report" / "confusion.png").exists()


def test_ner_export_has_prodigy_tokens_and_spans(tmp_path):
    teacher = {"@llm_models": "evokd.ScriptedTeacher.v1", "lexicon": NER_LEXICON}
    path = write_run_config(tmp_path, teacher, config_name="evokd_ner.cfg")
    cli = CliRunner()
    assert cli.invoke(app, ["run", str(path), "--loop.rounds", "1"]).exit_code == 0
    exported = cli.invoke(app, ["export", str(tmp_path / "training")])
    assert exported.exit_code == 0 and "prodigy ner.manual review_r1 blank:en" in exported.output
    tasks = _lines(tmp_path / "training" / "export" / "round_1.jsonl")
    with_spans = [t for t in tasks if t["spans"]]
    assert with_spans
    for task in with_spans:
        for span in task["spans"]:
            tokens = task["tokens"][span["token_start"] : span["token_end"] + 1]
            assert task["text"][span["start"] : span["end"]] == task["text"][tokens[0]["start"] : tokens[-1]["end"]]
            assert span["label"] in NER_LEXICON
