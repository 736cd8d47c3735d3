"""Reading user data as the task needs it: NER sentences without entities, binary Prodigy answers,
TSV quotes, spreadsheet rows, duplicate seeds and gold spans off token boundaries."""
import json
import random

import pytest

from evokd_spacy.data.kshot import sample_k_shot
from evokd_spacy.data.readers import read_samples
from evokd_spacy.errors import DataError
from evokd_spacy.ty import Sample, TaskSpec

NER = TaskSpec("ner", "", {"DRUG": ""})
SENTIMENT = TaskSpec("textcat", "", {"POSITIVE": "", "NEGATIVE": ""})


def _write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf8")
    return str(path)


def test_an_ner_record_without_spans_is_a_sentence_without_entities(tmp_path):
    # Prodigy's ner.manual writes no "spans" key for a sentence it accepted without entities
    path = _write(tmp_path / "drugs.jsonl", [
        {"text": "I took ibuprofen.", "spans": [{"start": 7, "end": 16, "label": "DRUG"}], "answer": "accept"},
        {"text": "Sorry, what is that?", "tokens": [{"text": "Sorry", "start": 0, "end": 5, "id": 0}], "answer": "accept"},
        {"text": "Not this one.", "answer": "reject"},
    ])
    samples = read_samples(path, "paths.dev", spec=NER)
    assert [(s.text, s.spans) for s in samples] == [("I took ibuprofen.", [[7, 16, "DRUG"]]), ("Sorry, what is that?", [])]
    unannotated = _write(tmp_path / "raw.jsonl", [{"text": "I took ibuprofen.", "spans": [{"start": 7, "end": 16, "label": "DRUG"}]},
                                                  {"text": "Never annotated."}])
    assert [s.text for s in read_samples(unannotated, "paths.dev", spec=NER)] == ["I took ibuprofen."], "no answer: not read as entity-free"
    twice = _write(tmp_path / "twice.jsonl", [{"text": "I took ibuprofen.", "spans": [{"start": 7, "end": 16, "label": "DRUG"}] * 2}])
    assert read_samples(twice, "paths.dev", spec=NER)[0].spans == [[7, 16, "DRUG"]], "the same span twice is one entity, not an overlap"


def test_a_rejected_binary_answer_is_the_other_of_two_exclusive_labels(tmp_path, capsys):
    records = [{"text": "Loved it", "label": "POSITIVE", "answer": "accept"},
               {"text": "Hated it", "label": "POSITIVE", "answer": "reject"},
               {"text": "Skip me", "label": "POSITIVE", "answer": "ignore"},
               {"text": "Dull", "label": "POSITIVE", "spans": [], "answer": "reject"},  # textcat.teach with patterns
               {"text": "Not great at all", "label": "POSITIVE", "spans": [{"start": 4, "end": 9, "label": "POSITIVE"}], "answer": "reject"}]
    path = _write(tmp_path / "binary.jsonl", records)
    assert [(s.text, s.labels) for s in read_samples(path, "paths.seeds", spec=SENTIMENT)] == [
        ("Loved it", ["POSITIVE"]), ("Hated it", ["NEGATIVE"]), ("Dull", ["NEGATIVE"]), ("Not great at all", ["NEGATIVE"])]
    three = TaskSpec("textcat", "", {"POSITIVE": "", "NEGATIVE": "", "NEUTRAL": ""})
    assert [s.text for s in read_samples(path, "paths.seeds", spec=three)] == ["Loved it"]
    assert "skipped 3 rejected answer(s) (line 2, 4, 5)" in " ".join(capsys.readouterr().out.split())
    assert [s.text for s in read_samples(path, "paths.seeds")] == ["Loved it"], "without the task, rejects are skipped as before"


def test_labels_given_as_one_string_are_read(tmp_path):
    path = _write(tmp_path / "one.jsonl", [{"text": "Great", "labels": "POSITIVE"}])
    assert read_samples(path, "paths.seeds")[0].labels == ["POSITIVE"]


def test_a_tsv_text_that_starts_with_a_quote_stays_one_row(tmp_path, capsys):
    path = tmp_path / "q.tsv"
    path.write_text('text\tlabel\n"Best film ever\tPOS\nGreat\tPOS\nawful film\tNEG\n', encoding="utf8")
    assert [(s.text, s.labels) for s in read_samples(str(path), "paths.seeds")] == [
        ('"Best film ever', ["POS"]), ("Great", ["POS"]), ("awful film", ["NEG"])]
    assert "line 2 ('paths.seeds'): a quote there does not follow CSV quoting" in " ".join(capsys.readouterr().out.split())
    merged = tmp_path / "merged.tsv"  # an unclosed quote that a later text's inch mark "closes"
    merged.write_text('text\tlabel\n"Wow, just wow\tPOS\nThe screen is 12"\tNEG\nfine\tPOS\n', encoding="utf8")
    assert [(s.text, s.labels) for s in read_samples(str(merged), "paths.seeds")] == [
        ('"Wow, just wow', ["POS"]), ('The screen is 12"', ["NEG"]), ("fine", ["POS"])]
    assert "runs over lines and holds a tab" in " ".join(capsys.readouterr().out.split())
    inner = tmp_path / "inner.tsv"  # a quoted word at the start of a text: its quotes stay
    inner.write_text('text\tlabel\n"Best" film ever\tPOS\nGreat\tPOS\n', encoding="utf8")
    assert [s.text for s in read_samples(str(inner), "paths.seeds")] == ['"Best" film ever', "Great"]
    quoted = tmp_path / "pandas.tsv"  # as csv.writer and pandas.to_csv(sep="\t") write quotes, tabs and line breaks
    quoted.write_text('text\tlabel\n"He said ""awful"" twice"\tNEG\n"a\ttab"\tPOS\n"two\nlines"\tPOS\n', encoding="utf8")
    assert [s.text for s in read_samples(str(quoted), "paths.seeds")] == ['He said "awful" twice', "a\ttab", "two\nlines"]


def test_empty_spreadsheet_rows_a_mid_file_bom_and_a_conll_token_with_a_space_are_read(tmp_path):
    csv_path = tmp_path / "excel.csv"
    csv_path.write_text("text,label\nGood,POS\n,\n,,\n", encoding="utf8")
    assert [s.text for s in read_samples(str(csv_path), "paths.seeds")] == ["Good"]
    jsonl = tmp_path / "cat.jsonl"  # `cat a.jsonl b.jsonl` of two files saved with a BOM
    jsonl.write_text('\ufeff{"text": "a", "label": "X"}\n\ufeff{"text": "b", "label": "Y"}\n', encoding="utf8")
    assert [s.text for s in read_samples(str(jsonl), "paths.seeds")] == ["a", "b"]
    conll = tmp_path / "s.conll"
    conll.write_text("Paris \tB-LOC\nis\tO\n", encoding="utf8")
    [sample] = read_samples(str(conll), "paths.seeds")
    assert sample.text == "Paris is" and sample.spans == [[0, 5, "LOC"]]


def test_k_shot_takes_a_duplicated_text_once_and_warns_when_a_label_runs_short(capsys):
    samples = [Sample("great film", ["POS"]), Sample("great film", ["POS"]), Sample("Great  film", ["POS"]), Sample("fine", ["POS"]),
               Sample("bad", ["NEG"])]
    for seed in range(10):
        chosen = sample_k_shot(samples, ["POS", "NEG"], 2, seed)
        pos = [s.text for s in chosen if s.labels == ["POS"]]
        assert len(pos) == 2 and "fine" in pos, f"seed {seed}: {pos}"  # the other is one of the three spellings of one text
    assert "Fewer than k_shot = 2 different seed examples for label(s) NEG (1)" in " ".join(capsys.readouterr().out.split())
    distinct = [Sample(f"text {i}", ["POS" if i % 2 else "NEG"]) for i in range(20)]
    rng, before = random.Random(7), []  # the sampling as it was before duplicates were skipped
    for label in ("POS", "NEG"):
        pool = [s for s in distinct if s.labels == [label]]
        rng.shuffle(pool)
        before += pool[:3]
    assert sample_k_shot(distinct, ["POS", "NEG"], 3, 7) == before, "without duplicates the sample is the one runs drew before"


def test_seeds_that_are_all_dev_texts_are_named_as_leakage(settings_factory, tmp_path):
    from evokd_spacy.loop.run_data import read_run_data
    from tests.conftest import ASSETS

    with pytest.raises(DataError, match=r"Every seed example of label\(s\) .* is also a dev or test text"):
        read_run_data(settings_factory(**{"paths.seeds": str(ASSETS / "dev.jsonl")}))


def test_gold_spans_off_token_boundaries_are_warned_about(capsys):
    from evokd_spacy.data.span_check import warn_unaligned_spans

    samples = [Sample("I took Ibuprofen today", ["DRUG"], [[7, 12, "DRUG"]]), Sample("NikeAir shoes", ["BRAND"], [[0, 4, "BRAND"]]),
               Sample("Aspirin helps", ["DRUG"], [[0, 7, "DRUG"]])]
    assert warn_unaligned_spans(samples, "dev.jsonl", "paths.dev") == 2
    said = " ".join(capsys.readouterr().out.split())
    assert "2 entity span(s) in dev.jsonl ('paths.dev')" in said and "'Ibupr' (DRUG) becomes 'Ibuprofen'" in said


def test_label_file_keys_are_stripped(settings_factory, tmp_path):
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps({"POSITIVE ": "good", " NEGATIVE": "bad"}))
    assert settings_factory(**{"paths.labels": str(labels)}).spec.label_names == ["POSITIVE", "NEGATIVE"]


def test_a_csv_quote_that_swallows_rows_is_warned_about_naming_where_it_opened(tmp_path, capsys):
    path = tmp_path / "runaway.csv"
    path.write_text('text,label\nGood,POS\n"Best film ever,POS\nawful,NEG\nboring,NEG\nok",POS\n', encoding="utf8")
    samples = read_samples(str(path), "paths.seeds")
    assert len(samples) == 2  # csv's quoting rules make lines 3-6 one text: the warning says so
    said = " ".join(capsys.readouterr().out.split())
    assert "lines 3-6 ('paths.seeds'): one quoted text runs over 4 lines" in said
    multiline = tmp_path / "multiline.csv"
    multiline.write_text('text,label\n"First line\nsecond line",POS\n', encoding="utf8")
    assert read_samples(str(multiline), "paths.seeds")[0].text == "First line\nsecond line"
    assert "runs over" not in capsys.readouterr().out, "a text of several lines without commas is no warning"


def test_a_csv_text_that_starts_with_a_quoted_word_is_warned_about_as_read_without_its_quotes(tmp_path, capsys):
    path = tmp_path / "quoted.csv"
    path.write_text('text,label\nShe said "hi",POS\n"a ""b"" c",POS\n"ok, fine",NEG\n"Best" film ever,POS\n', encoding="utf8")
    assert [s.text for s in read_samples(str(path), "paths.seeds")] == ['She said "hi"', 'a "b" c', "ok, fine", "Best film ever"]
    said = " ".join(capsys.readouterr().out.split())
    assert "quoted.csv, line 5 ('paths.seeds'): a quote there does not follow CSV quoting" in said
    assert "line 2" not in said and "line 3" not in said and "line 4" not in said
    path.write_text('text,label\nShe said "hi",POS\n"ok, fine",NEG\n"Good, but slow" ,NEG\r\nGood film,"POS" \r\n', encoding="utf8")
    read_samples(str(path), "paths.seeds")
    assert "quote" not in capsys.readouterr().out, "a space after a closing quote loses nothing"


def test_all_seeds_k_shot_0_keep_the_first_of_each_text_and_say_how_many_repeats(capsys):
    samples = [Sample("great film", ["POS"]), Sample("bad", ["NEG"]), Sample("Great  film!", ["POS"]), Sample("fine", ["POS"])]
    assert [s.text for s in sample_k_shot(samples, ["POS", "NEG"], 0, 0)] == ["great film", "bad", "fine"]
    assert "1 seed example(s) in 'paths.seeds' repeat an earlier text" in " ".join(capsys.readouterr().out.split())
    sample_k_shot(samples[:2], ["POS", "NEG"], 0, 0)
    assert "repeat" not in capsys.readouterr().out
    sample_k_shot([Sample("great fun", ["POS"]), Sample("great fun!", ["NEG"])], ["POS", "NEG"], 0, 0)
    assert "Every seed example of label(s) NEG in 'paths.seeds' repeats a text of another label" in " ".join(capsys.readouterr().out.split())
