import subprocess

import pytest
import spacy
from spacy.tokens import DocBin

from evokd_spacy.data.kshot import sample_k_shot
from evokd_spacy.data.readers import read_samples
from evokd_spacy.errors import DataError
from evokd_spacy.ty import TaskSpec


def test_prodigy_jsonl_variants(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text(
        '{"text": "a", "label": "X", "answer": "accept"}\n'
        '{"text": "b", "label": "X", "answer": "reject"}\n'
        '{"text": "c", "options": [{"id": "X"}, {"id": "Y"}], "accept": ["Y"], "answer": "accept"}\n'
        '{"text": "d", "cats": {"X": 1.0, "Y": 0.0}}\n\n'
    )
    assert [(s.text, s.labels) for s in read_samples(str(path), "paths.seeds")] == [("a", ["X"]), ("c", ["Y"]), ("d", ["X"])]


def test_csv_with_header(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text('text,label\n"Good, really",POS\nBad,NEG|SAD\n')
    assert [(s.text, s.labels) for s in read_samples(str(path), "paths.dev")] == [("Good, really", ["POS"]), ("Bad", ["NEG", "SAD"])]


def test_docbin(tmp_path):
    nlp = spacy.blank("en")
    doc = nlp("Nice")
    doc.cats = {"POS": 1.0, "NEG": 0.0}
    DocBin(docs=[doc]).to_disk(tmp_path / "d.spacy")
    assert [(s.text, s.labels) for s in read_samples(str(tmp_path / "d.spacy"), "paths.dev")] == [("Nice", ["POS"])]


@pytest.mark.parametrize(
    "content,suffix,match",
    [
        ("{not json", ".jsonl", r"line 1 \('paths.seeds'\): not valid JSON"),
        ('{"label": "X"}', ".jsonl", r"needs a non-empty \"text\""),
        ("words,label\na,b\n", ".csv", r"header with a `text` column"),
        ("text,sentiment\na,b\n", ".csv", r"the header has no label column: name it `label` \(or one of labels, category, intent, class\); it has \['text', 'sentiment'\]"),
        ("x", ".txt", r"Unknown format for 'paths.seeds'"),
        ("not a docbin", ".spacy", r"not a readable DocBin"),
    ],
)
def test_bad_files_name_the_file_and_key(tmp_path, content, suffix, match):
    path = tmp_path / f"bad{suffix}"
    path.write_text(content)
    with pytest.raises(DataError, match=match):
        read_samples(str(path), "paths.seeds")


def test_k_shot_is_deterministic_and_per_label():
    from evokd_spacy.ty import Sample

    pool = [Sample(text=f"{lab}{i}", labels=[lab]) for lab in "AB" for i in range(5)]
    first = sample_k_shot(pool, ["A", "B"], k=2, seed=1)
    assert [s.text for s in first] == [s.text for s in sample_k_shot(pool, ["A", "B"], k=2, seed=1)]
    assert sorted(s.labels[0] for s in first) == ["A", "A", "B", "B"]


def test_conll_bio_file_with_lone_tab_separators(tmp_path):
    path = tmp_path / "train.conll"
    path.write_text("\ufeffI\tO\nlove\tO\nNew\tB-location\nYork\tI-location\n\t\n\ufeff\nApple\tB-corporation\nrocks\tO\nI-x\tI-product\n\n")
    first, second = read_samples(str(path), "paths.seeds")
    assert first.text == "I love New York" and first.spans == [[7, 15, "location"]] and first.labels == ["location"]
    assert second.spans == [[0, 5, "corporation"], [12, 15, "product"]]


def test_a_chinese_conll_file_of_one_character_a_line_reads_as_running_text(tmp_path):
    path = tmp_path / "zh.conll"
    chars = [("我", "O"), ("爱", "O"), ("北", "B-LOC"), ("京", "I-LOC"), ("。", "O"), ("I", "O"), ("love", "O"), ("New", "B-LOC"), ("York", "I-LOC")]
    path.write_text("".join(f"{c}\t{t}\n" for c, t in chars) + "\n", encoding="utf8")
    spec = TaskSpec(kind="ner", description="", labels={"LOC": ""}, lang="zh")
    (sample,) = read_samples(str(path), "paths.seeds", spec=spec)
    assert sample.text == "我爱北京。 I love New York"
    assert [sample.text[s:e] for s, e, _ in sample.spans] == ["北京", "New York"]
    # in another language the characters stay apart, as its tokenizer needs to split them
    assert read_samples(str(path), "paths.seeds")[0].text == "我 爱 北 京 。 I love New York"
    korean = tmp_path / "ko.conll"
    korean.write_text("나는\tO\n서울에\tB-LOC\n갔다\tO\n", encoding="utf8")
    assert read_samples(str(korean), "paths.seeds", spec=TaskSpec(kind="ner", description="", labels={"LOC": ""}, lang="ko"))[0].text == "나는 서울에 갔다"


def test_a_csv_label_column_may_be_named_category_as_in_banking77(tmp_path, capsys):
    path = tmp_path / "b.csv"
    path.write_text("text,category\nWhere is my card?,card_arrival\n", encoding="utf8")
    assert [(s.text, s.labels) for s in read_samples(str(path), "paths.seeds")] == [("Where is my card?", ["card_arrival"])]
    assert "labels read from the column `category`" in " ".join(capsys.readouterr().out.split())


def test_prodigy_spans_jsonl(tmp_path):
    path = tmp_path / "ner.jsonl"
    path.write_text('{"text": "Pho with basil", "spans": [{"start": 9, "end": 14, "label": "ING"}, {"start": 0, "end": 3, "label": "DISH"}]}\n{"text": "Nothing here", "spans": []}\n')
    first, second = read_samples(str(path), "paths.seeds")
    assert first.spans == [[0, 3, "DISH"], [9, 14, "ING"]] and first.labels == ["DISH", "ING"]
    assert second.spans == [] and second.labels == []


@pytest.mark.parametrize("line,error", [
    ('{"text": "Pho", "spans": [{"start": 0, "end": 9, "label": "DISH"}]}', r"span 0-9 is outside the text"),
    ('{"text": "New York City is big", "spans": [{"start": 0, "end": 8, "label": "LOC"}, {"start": 0, "end": 13, "label": "LOC"}]}',
     r"spans 0-8 LOC and 0-13 LOC overlap"),
    ('{"text": null, "label": "X"}', r"each line needs a non-empty \"text\""),
])
def test_a_bad_record_is_refused_naming_its_line(tmp_path, line, error):
    path = tmp_path / "seeds.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(DataError, match=r"line 1 \('paths.seeds'\): " + error):
        read_samples(str(path), "paths.seeds")


def test_conll_variants_a_bare_docstart_a_trailing_tab_and_a_line_separator_inside_a_token(tmp_path):
    path = tmp_path / "train.conll"
    path.write_text("-DOCSTART-\n\nParis\tB-LOC\t\nis\tO\r\nnice\u2028ish\tO\n", encoding="utf8")
    [sample] = read_samples(str(path), "paths.seeds")
    assert sample.text == "Paris is nice\u2028ish" and sample.spans == [[0, 5, "LOC"]]


def test_a_truncated_user_docbin_names_the_file(tmp_path):
    nlp = spacy.blank("en")
    docbin = DocBin(docs=[nlp(f"Sentence number {i}.") for i in range(50)])
    path = tmp_path / "dev.spacy"
    data = docbin.to_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match=r"dev\.spacy \('paths\.dev'\) is not a readable DocBin"):
        read_samples(str(path), "paths.dev")


@pytest.mark.parametrize("name,body", [("dev.jsonl", "\n\n"), ("dev.csv", "text,label\n"), ("dev.jsonl", "")])
def test_an_empty_dev_set_is_an_error_naming_key_and_file(tmp_path, name, body):
    path = tmp_path / name
    path.write_text(body)
    with pytest.raises(DataError, match=rf"No labelled examples in .*{name} \('paths\.dev'\)"):
        read_samples(str(path), "paths.dev")


def test_bioes_and_bilou_tags_and_docstart_lines(tmp_path):
    path = tmp_path / "train.bio"
    path.write_text("-DOCSTART- -X- -X- O\n\nParis\tS-LOC\nand\tO\nNew\tB-LOC\nYork\tE-LOC\n\n"
                    "Ann\tU-PER\nLee\tU-PER\nmet\tO\nBig\tB-ORG\nCo\tI-ORG\nInc\tL-ORG\n\n")
    first, second = read_samples(str(path), "paths.seeds")
    assert first.text == "Paris and New York" and first.spans == [[0, 5, "LOC"], [10, 18, "LOC"]]
    assert second.spans == [[0, 3, "PER"], [4, 7, "PER"], [12, 22, "ORG"]], "two single-token entities stay apart"


def test_an_unknown_tag_names_the_line_and_the_schemes(tmp_path):
    path = tmp_path / "train.conll"
    path.write_text("Paris\tLOC\n")
    with pytest.raises(DataError, match=r"line 1 \('paths.dev'\): tag 'LOC' is not O or B-.*BIOES or BILOU"):
        read_samples(str(path), "paths.dev")


def test_a_conllu_file_is_refused_with_a_command_that_converts_it(tmp_path):
    path = tmp_path / "train.conllu"
    path.write_text("# text = New York rocks\n1\tNew\tnew\tPROPN\t_\t_\t_\t_\t_\tB-LOC\n2-3\tYork's\t_\t_\t_\t_\t_\t_\t_\t_\n"
                    "2\tYork\tyork\tPROPN\t_\t_\t_\t_\t_\tI-LOC\n3\trocks\trock\tVERB\t_\t_\t_\t_\t_\tO\n\n")
    with pytest.raises(DataError, match=r"CoNLL-U files are not read.*B-PER") as err:
        read_samples(str(path), "paths.dev")
    command = str(err.value).split("column N: ")[1].replace(",N", ",10")
    subprocess.run(command, shell=True, check=True)
    [sample] = read_samples(str(path.with_suffix(".conll")), "paths.dev")
    assert sample.text == "New York rocks" and sample.spans == [[0, 8, "LOC"]]


def test_records_without_a_label_are_skipped_with_a_warning(tmp_path, capsys):
    path = tmp_path / "seeds.jsonl"
    path.write_text('{"text": "a", "label": "X"}\n{"text": "b", "label": null}\n{"text": "c", "answer": "reject"}\n{"text": "d"}\n')
    assert [s.text for s in read_samples(str(path), "paths.seeds")] == ["a"]
    out = " ".join(capsys.readouterr().out.split())  # wasabi wraps long lines
    assert "skipped 2 record(s) with no label (line 2, 4)" in out and '"answer": "ignore"' in out


def test_a_text_classification_record_with_empty_spans_keeps_its_label(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text('{"text": "Great film", "label": "POSITIVE", "spans": []}\n{"text": "Met Ann", "spans": []}\n')
    assert [(s.text, s.labels, s.spans) for s in read_samples(str(path), "paths.seeds")] == [("Great film", ["POSITIVE"], []), ("Met Ann", [], [])]


def test_files_saved_with_a_byte_order_mark_are_read(tmp_path):
    from evokd_spacy.pool.reader import read_pool

    csv_seeds = tmp_path / "seeds.csv"
    csv_seeds.write_bytes(b"\xef\xbb\xbftext,label\nGreat film,POSITIVE\n")
    jsonl = tmp_path / "seeds.jsonl"
    jsonl.write_bytes(b'\xef\xbb\xbf{"text": "Great film", "label": "POSITIVE"}\n')
    assert [(s.text, s.labels) for s in read_samples(str(csv_seeds), "paths.seeds")] == [("Great film", ["POSITIVE"])]
    assert [(s.text, s.labels) for s in read_samples(str(jsonl), "paths.seeds")] == [("Great film", ["POSITIVE"])]
    pool = tmp_path / "pool.csv"
    pool.write_bytes(b"\xef\xbb\xbftext\nhello there\n")
    assert read_pool(str(pool), "pool.path") == ["hello there"]


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("latin.csv", b"text,label\nawful,NEGATIVE\ncaf\xe9 tr\xe8s bon,POSITIVE\n", r"latin.csv, line 3 .*not UTF-8.*save the file as UTF-8"),
        ("commas.csv", b"text,label\nGood, but slow,NEGATIVE\n", r"line 2 .*more fields than the header.*double quotes"),
        ("cats.jsonl", b'{"text": "great", "cats": {"POSITIVE": "yes", "NEGATIVE": "no"}}\n', r"cats.jsonl, line 1 .*must be numbers"),
        ("array.json", b'[{"text": "great", "label": "POSITIVE"}]\n', r"array.json, line 1 .*a JSON array; give one JSON object a line"),
    ],
)
def test_realistic_file_mistakes_are_errors_naming_the_file_line_and_fix(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        read_samples(str(path), "paths.seeds")


def test_stray_spaces_raw_line_separators_unlabelled_and_near_miss_labels(tmp_path):
    import json

    from evokd_spacy.data.label_check import check_labels
    from evokd_spacy.ty import TaskSpec

    spec = TaskSpec(kind="textcat", description="", labels={"POSITIVE": "", "NEGATIVE": ""}, exclusive=True)
    raw = tmp_path / "raw.jsonl"
    raw.write_text(json.dumps({"text": "First line\u2028second line", "label": "POSITIVE "}, ensure_ascii=False) + "\n", encoding="utf8")
    [sample] = read_samples(str(raw), "paths.seeds")
    assert sample.text == "First line\u2028second line" and sample.labels == ["POSITIVE"]
    bare = tmp_path / "bare.jsonl"
    bare.write_text('{"text": "so so", "cats": {"POSITIVE": 0.0, "NEGATIVE": 0.0}}\n{"text": "great", "label": "POSITIVE"}\n')
    with pytest.raises(DataError, match=r"'so so' has no label, but the task's labels are exclusive"):
        check_labels(read_samples(str(bare), "paths.dev"), spec, str(bare), "paths.dev")
    cased = tmp_path / "cased.csv"
    cased.write_text("text,label\ngreat,Positive|\n")
    with pytest.raises(DataError, match=r"'Positive' is written 'POSITIVE' in the label set"):
        check_labels(read_samples(str(cased), "paths.seeds"), spec, str(cased), "paths.seeds")


def test_a_label_file_that_is_not_json_or_lists_objects_names_the_format(tmp_path):
    from evokd_spacy.errors import DataError
    from evokd_spacy.loop.settings import read_labels

    bad = tmp_path / "labels.json"
    bad.write_text('{"POS": "x",}')
    with pytest.raises(DataError, match=r"labels.json \('paths.labels'\) is not valid JSON"):
        read_labels(str(bad), {})
    bad.write_text('[{"label": "POS", "description": "x"}, {"label": "NEG"}]')
    with pytest.raises(DataError, match=r"a list must hold label names only"):
        read_labels(str(bad), {})
