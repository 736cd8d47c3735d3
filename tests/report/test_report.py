"""The run report: markdown, plots and the final model's analysis, from real (tiny) runs."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest
import spacy
from spacy.tokens import DocBin

from evokd_spacy.errors import DataError
from evokd_spacy.loop.runner import EvoKDRunner
from evokd_spacy.loop.state import RunFolder
from evokd_spacy.report import write_report
from evokd_spacy.report.collect import collect_run, final_analysis
from tests.conftest import ROOT, make_settings

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def textcat_run(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("textcat"), **{"loop.rounds": 1})
    EvoKDRunner(settings, quiet=True).run()
    return settings


@pytest.fixture(scope="module")
def ner_run(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("ner"), "evokd_ner.cfg", **{"loop.rounds": 1})
    EvoKDRunner(settings, quiet=True).run()
    return settings


def _images(md: Path) -> List[Path]:
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md.read_text(encoding="utf8"))
    assert all(not Path(link).is_absolute() for link in links)
    return [md.parent / link for link in links]


def _check_pngs(md: Path) -> List[Path]:
    images = _images(md)
    assert images
    for image in images:
        data = image.read_bytes()
        assert data[:8] == PNG_MAGIC, image
        assert len(data) > 5000, image  # a drawn figure, not an empty canvas
    return images


def _round_rows(md: Path) -> List[List[str]]:
    text = md.read_text(encoding="utf8").split("## Rounds", 1)[1].split("\n\n", 2)[1]
    lines = [line for line in text.splitlines() if line.startswith("|")][2:]  # header and divider
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def _dev_size(settings) -> int:
    return len(DocBin().from_disk(RunFolder(settings.output, settings.corpus).dev_docbin))


def test_textcat_report_has_table_plots_and_confusion(textcat_run):
    md = write_report(textcat_run.output, textcat_run.corpus)
    assert md == textcat_run.output / "report.md" and md.exists()
    images = _check_pngs(md)
    assert {p.name for p in images} == {"dev_score.png", "per_label.png", "kept.png", "tokens.png", "confusion.png"}
    assert all(p.parent == textcat_run.output / "report" for p in images)
    metrics = RunFolder(textcat_run.output, textcat_run.corpus).read_metrics()
    rows = _round_rows(md)
    assert [int(row[0]) for row in rows] == [m["round"] for m in metrics] == [0, 1]
    for row, m in zip(rows, metrics):
        assert row[-1].strip("*") == f"{m['dev_score']:.3f}"
        assert int(row[1]) == m["n_train"] and int(row[3]) == m["kept"]
    text = md.read_text(encoding="utf8")
    assert "## Final model on dev" in text and "Skipped" not in text
    assert f"{max(m['dev_score'] for m in metrics):.3f}" in text.split("## Rounds")[0]


def test_collected_data_matches_the_run(textcat_run):
    data = collect_run(textcat_run.output, textcat_run.corpus)
    folder = RunFolder(textcat_run.output, textcat_run.corpus)
    metrics = folder.read_metrics()
    assert data["kind"] == "textcat" and set(data["labels"]) == {"POSITIVE", "NEGATIVE"}
    assert data["dev_scores"] == [m["dev_score"] for m in metrics]
    assert data["per_label_f"]["POSITIVE"] == [m["per_label"]["POSITIVE"]["f"] for m in metrics]
    for r in data["rounds"]:
        assert sum(data["kept_per_label"][r].values()) == len(folder.round_jsonl(r).read_text().splitlines())
    tokens = [m["teacher"]["prompt_tokens"] + m["teacher"]["completion_tokens"] for m in metrics]
    assert data["tokens"]["cumulative"] == [sum(tokens[: i + 1]) for i in range(len(tokens))]
    assert data["summary"]["teacher"]["calls"] == sum(m["teacher"]["calls"] for m in metrics) > 0


def test_confusion_matrix_counts_sum_to_the_dev_set_size(textcat_run):
    final = final_analysis(textcat_run.output, textcat_run.corpus)
    assert final["available"] and final["kind"] == "textcat" and not final["multilabel"]
    assert final["labels"] == ["POSITIVE", "NEGATIVE"]
    assert sum(map(sum, final["matrix"])) == final["n"] == _dev_size(textcat_run) == 120
    assert [sum(row) for row in final["matrix"]] == [60, 60]  # the dev set's gold labels
    assert final["accuracy"] == sum(final["matrix"][i][i] for i in range(2)) / 120


def test_report_dir_puts_the_files_elsewhere_with_relative_links(textcat_run, tmp_path):
    md = write_report(textcat_run.output, textcat_run.corpus, report_dir=tmp_path / "out")
    assert md == tmp_path / "out" / "report.md"
    assert all(p.parent == tmp_path / "out" / "report" for p in _check_pngs(md))


def test_missing_model_best_is_noted_not_fatal(textcat_run, tmp_path):
    output = tmp_path / "training"
    shutil.copytree(textcat_run.output, output, ignore=shutil.ignore_patterns("model-best", "rounds", "cache"))
    md = write_report(output, textcat_run.corpus)
    text = md.read_text(encoding="utf8")
    assert "_Skipped: no model-best in" in text
    assert "confusion.png" not in text and len(_check_pngs(md)) == 4


def test_ner_report_counts_spans_and_error_kinds(ner_run):
    md = write_report(ner_run.output, ner_run.corpus)
    images = _check_pngs(md)
    assert "error_kinds.png" in {p.name for p in images}
    folder = RunFolder(ner_run.output, ner_run.corpus)
    metrics = folder.read_metrics()
    assert [row[-1].strip("*") for row in _round_rows(md)] == [f"{m['dev_score']:.3f}" for m in metrics]
    data = collect_run(ner_run.output, ner_run.corpus)
    assert data["kind"] == "ner"
    for r in data["rounds"]:
        rows = [json.loads(line) for line in folder.round_jsonl(r).read_text().splitlines()]
        assert sum(data["kept_per_label"][r].values()) == sum(len(row["spans"]) for row in rows)
    final = final_analysis(ner_run.output, ner_run.corpus)
    assert final["kind"] == "ner" and final["n"] == _dev_size(ner_run)
    gold = list(DocBin().from_disk(folder.dev_docbin).get_docs(spacy.blank("en").vocab))
    assert final["n_gold"] == sum(len(doc.ents) for doc in gold) > 0
    assert 0 <= final["exact"] <= final["n_gold"]
    assert set(final["labels"]) <= {"DISH", "INGREDIENT"}
    for row in final["errors"]:
        assert set(row) == {"label", "missed", "spurious", "wrong_type", "wrong_boundary"}
    missed_or_wrong = sum(row["missed"] + row["wrong_type"] + row["wrong_boundary"] for row in final["errors"])
    assert final["exact"] + missed_or_wrong == final["n_gold"]  # every gold entity is found or has one error kind


def test_a_missing_run_folder_raises_a_data_error_naming_it(tmp_path):
    missing = tmp_path / "no-such-run"
    with pytest.raises(DataError, match=re.escape(str(missing))):
        write_report(missing, tmp_path / "corpus")
    missing.mkdir()
    with pytest.raises(DataError, match=re.escape(str(missing))):
        write_report(missing, tmp_path / "corpus")
    (missing / "metrics.jsonl").write_text("")
    with pytest.raises(DataError, match="No finished round"):
        write_report(missing, tmp_path / "corpus")


def test_importing_the_report_does_not_import_matplotlib():
    code = "import sys, evokd_spacy.report; assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_kept_counts_follow_the_imported_reviews(tmp_path):
    import json

    from evokd_spacy.loop.state import RunFolder
    from evokd_spacy.report.collect import kept_per_label
    from evokd_spacy.review.store import reviewed_path

    folder = RunFolder(tmp_path / "training", tmp_path / "corpus")
    folder.round_jsonl(1).parent.mkdir(parents=True, exist_ok=True)
    rows = [{"text": "great", "labels": ["POSITIVE"], "tag": "easy", "round": 1}, {"text": "awful", "labels": ["NEGATIVE"], "tag": "hard", "round": 1}]
    folder.round_jsonl(1).write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert kept_per_label(folder, [1], "textcat") == {1: {"POSITIVE": 1, "NEGATIVE": 1}}
    reviewed_path(folder, 1).parent.mkdir(parents=True, exist_ok=True)
    reviewed_path(folder, 1).write_text(json.dumps({"text": "awful", "answer": "reject", "labels": [], "spans": [], "round": 1}) + "\n")
    assert kept_per_label(folder, [1], "textcat") == {1: {"POSITIVE": 1}}, "the rejected text is not counted as kept"


def test_teacher_use_of_a_round_that_did_not_finish_is_reported(textcat_run, tmp_path):
    import json

    output = tmp_path / "training"
    shutil.copytree(textcat_run.output, output, ignore=shutil.ignore_patterns("model-best", "rounds", "cache"))
    assert "after the last finished round" not in write_report(output, textcat_run.corpus).read_text(encoding="utf8")
    metrics = [json.loads(line) for line in (output / "metrics.jsonl").read_text().splitlines()]
    finished = {"calls": sum(m["teacher"]["calls"] for m in metrics),
                "tokens": sum(m["teacher"]["prompt_tokens"] + m["teacher"]["completion_tokens"] for m in metrics)}
    (output / "teacher_budget.json").write_text(json.dumps({"calls": finished["calls"] + 7, "tokens": finished["tokens"] + 900, "cost": 0.0}))
    text = " ".join(write_report(output, textcat_run.corpus).read_text(encoding="utf8").split())
    assert "after the last finished round" not in text, "every round finished: the gap is calls read back from the cache"
    (output / "rounds" / f"round_{len(metrics)}").mkdir(parents=True)  # a round folder beyond [loop] rounds = 1
    text = " ".join(write_report(output, textcat_run.corpus).read_text(encoding="utf8").split())
    assert "after the last finished round" not in text, "a round left out by lowering [loop] rounds is not under way"
    run = json.loads((output / "run.json").read_text())
    (output / "run.json").write_text(json.dumps({**run, "rounds": len(metrics)}))  # continued with one round more: under way
    text = " ".join(write_report(output, textcat_run.corpus).read_text(encoding="utf8").split())
    assert "Teacher use after the last finished round:** 7 calls, 900 tokens" in text


def test_pool_rounds_show_kept_texts_by_source():
    from evokd_spacy.report.markdown import format_kept, source_lines

    counts = {"generated": {"candidates": 12, "kept": 9, "student_wrong": 3, "student_error_rate": 0.3333},
              "pool": {"candidates": 8, "kept": 0, "student_wrong": 0, "student_error_rate": None}}
    line = {"round": 1, "kept": 9, "sources": counts}
    assert format_kept(line) == "9 (9 generated, 0 pool)" and format_kept({"round": 1, "kept": 4}) == "4"
    table = "\n".join(source_lines({"metrics": [{"round": 0, "kept": 2}, line]}))
    assert "| 1 | generated | 12 | 9 | 33% |" in table and "| 1 | pool | 8 | 0 | – |" in table
    assert source_lines({"metrics": [{"round": 0, "kept": 2}]}) == [], "no pool, no section"


def test_a_multi_label_confusion_matrix_uses_the_threshold_and_its_accuracy_is_exact_match():
    from evokd_spacy.report.collect import confusion_matrix

    nlp = spacy.blank("en")

    def doc(cats):
        d = nlp.make_doc("x")
        d.cats = cats
        return d

    gold = [doc({"A": 1.0, "B": 1.0}), doc({"A": 0.0, "B": 0.0}), doc({"A": 1.0, "B": 0.0})]
    predicted = [doc({"A": 0.6, "B": 0.9}), doc({"A": 0.1, "B": 0.2}), doc({"A": 0.4, "B": 0.45})]
    out = confusion_matrix(gold, predicted, multilabel=True)
    assert out["labels"] == ["A", "B", "(none)"] and out["accuracy"] == pytest.approx(2 / 3)
    assert out["matrix"] == [[1, 1, 1], [1, 1, 0], [0, 0, 1]]  # doc 1: each of A, B against each of A, B; doc 3: A against none


def test_a_label_with_a_bar_stays_in_its_table_cell():
    from evokd_spacy.report.markdown import _table

    header, divider, row = _table(("gold \\ predicted", "good|great"), [["good|great", 3]], "lr")
    assert header.count(" | ") == divider.count(" | ") == row.count(" | ") == 1 and "good\\|great" in row


def test_labels_with_dollar_signs_are_drawn_as_text_not_formulas(textcat_run, tmp_path, monkeypatch):
    import evokd_spacy.report as report

    renamed = {"POSITIVE": "x_$^$", "NEGATIVE": "price $5-$10"}  # "x_$^$" made matplotlib raise, as a broken formula

    def collect_renamed(output, corpus):
        data = collect_run(output, corpus)
        data["labels"] = [renamed[label] for label in data["labels"]]
        data["per_label_f"] = {renamed[k]: v for k, v in data["per_label_f"].items()}
        data["kept_per_label"] = {r: {renamed[k]: v for k, v in counts.items()} for r, counts in data["kept_per_label"].items()}
        return data

    def final_renamed(output, corpus, kind="textcat"):
        final = final_analysis(output, corpus, kind)
        return {**final, "labels": [renamed.get(label, label) for label in final["labels"]]}

    monkeypatch.setattr(report, "collect_run", collect_renamed)
    monkeypatch.setattr(report, "final_analysis", final_renamed)
    path = report.write_report(textcat_run.output, textcat_run.corpus, report_dir=tmp_path)
    assert all((tmp_path / "report" / f"{key}.png").read_bytes().startswith(PNG_MAGIC) for key in ("per_label", "kept", "confusion"))
    assert "price $5-$10" in path.read_text()


def test_calls_read_back_after_a_resume_are_not_counted_again_as_unfinished(textcat_run, tmp_path):
    import json

    output = tmp_path / "training"
    shutil.copytree(textcat_run.output, output, ignore=shutil.ignore_patterns("model-best", "rounds", "cache"))
    metrics = [json.loads(line) for line in (output / "metrics.jsonl").read_text().splitlines()]
    assert "ledger" in metrics[-1], "a finished round records the ledger as it stood"
    # the last round was stopped by the budget after paying 10 calls; the resume read them back from
    # the cache (cached, not calls), so the ledger is 10 calls above the rounds' sum
    paid = sum(m["teacher"]["calls"] for m in metrics) + 10
    metrics[-1]["ledger"] = {"calls": paid, "tokens": 5000}
    (output / "metrics.jsonl").write_text("".join(json.dumps(m) + "\n" for m in metrics))
    (output / "teacher_budget.json").write_text(json.dumps({"calls": paid + 3, "tokens": 5400, "cost": 0.0}))
    run = json.loads((output / "run.json").read_text())
    (output / "run.json").write_text(json.dumps({**run, "rounds": len(metrics)}))
    (output / "rounds" / f"round_{len(metrics)}").mkdir(parents=True)  # the next round is under way
    text = " ".join(write_report(output, textcat_run.corpus).read_text(encoding="utf8").split())
    assert "Teacher use after the last finished round:** 3 calls, 400 tokens" in text
    assert f"{paid:,} paid in all, with the calls a stop cut short that a resume read back" in text
