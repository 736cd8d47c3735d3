"""The language of a run's texts: the student's, unless [task] lang names another; every part of
the loop splits the texts with that language's tokenizer."""
import json

import pytest
import spacy
from spacy.tokens import DocBin

from evokd_spacy.errors import ConfigError
from evokd_spacy.loop.runner import EvoKDRunner
from evokd_spacy.student.train import build_config
from evokd_spacy.ty import TaskSpec

ZH_LEXICON = {"DISH": ["北京烤鸭", "麻婆豆腐", "饺子"], "INGREDIENT": ["大蒜", "生姜", "酱油"]}


def _zh_samples(path, rows):
    lines = []
    for text, entities in rows:
        spans = [{"start": text.index(e), "end": text.index(e) + len(e), "label": label} for e, label in entities]
        lines.append(json.dumps({"text": text, "spans": spans, "answer": "accept"}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return str(path)


def test_the_language_is_the_students_unless_the_task_names_one(settings_factory):
    assert settings_factory().spec.lang == "en"
    assert settings_factory(**{"student.overrides": {"nlp.lang": "de"}}).spec.lang == "de"
    assert settings_factory(**{"task.lang": "zh"}).spec.lang == "zh"


def test_an_unknown_language_code_is_a_config_error_naming_codes_that_work(settings_factory):
    with pytest.raises(ConfigError, match=r"\[task\] lang = 'qq' is not a spaCy language code: .*'de', 'fr', 'zh', or 'xx'"):
        settings_factory(**{"task.lang": "qq"})


def test_the_student_config_takes_the_language_and_its_own_tokenizer(tmp_path):
    spec = TaskSpec(kind="ner", description="", labels={"DISH": ""}, lang="zh")
    config = build_config(spec, {"preset": "cnn"}, tmp_path / "t.spacy", tmp_path / "d.spacy")
    assert config["nlp"]["lang"] == "zh"
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=False)
    assert [t.text for t in nlp.make_doc("北京烤鸭")] == ["北", "京", "烤", "鸭"]
    # a user's config of another language loses its [nlp.tokenizer] (the rule tokenizer splits on spaces)
    english = build_config(TaskSpec(kind="ner", description="", labels={"DISH": ""}), {"preset": "cnn"}, tmp_path / "t", tmp_path / "d")
    english["nlp"]["tokenizer"] = {"@tokenizers": "spacy.Tokenizer.v1"}
    path = tmp_path / "mine.cfg"
    english.to_disk(path)
    mine = build_config(spec, {"preset": str(path)}, tmp_path / "t.spacy", tmp_path / "d.spacy")
    assert mine["nlp"]["lang"] == "zh" and "tokenizer" not in mine["nlp"]


def test_a_chinese_ner_run_keeps_its_entities_in_gold_teacher_answers_and_the_student(settings_factory, tmp_path):
    from tests.conftest import make_settings

    seeds = _zh_samples(tmp_path / "seeds.jsonl", [("我喜欢北京烤鸭。", [("北京烤鸭", "DISH")]), ("饺子里放了很多大蒜", [("饺子", "DISH"), ("大蒜", "INGREDIENT")]),
                                                   ("这道菜需要生姜和酱油", [("生姜", "INGREDIENT"), ("酱油", "INGREDIENT")])])
    dev = _zh_samples(tmp_path / "dev.jsonl", [("麻婆豆腐太辣了", [("麻婆豆腐", "DISH")]), ("少放点酱油", [("酱油", "INGREDIENT")])])
    settings = make_settings(tmp_path, "evokd_ner.cfg", **{"paths.seeds": seeds, "paths.dev": dev, "task.lang": "zh", "task.k_shot": 0, "loop.rounds": 1})
    settings.teacher_config["model"]["lexicon"] = ZH_LEXICON
    runner = EvoKDRunner(settings, quiet=True)
    runner.run()
    vocab = spacy.blank("zh").vocab
    seed_docs = list(DocBin().from_disk(runner.folder.round_docbin(0)).get_docs(vocab))
    assert sorted(e.text for d in seed_docs for e in d.ents) == sorted(["北京烤鸭", "饺子", "大蒜", "生姜", "酱油"])
    dev_docs = list(DocBin().from_disk(runner.folder.dev_docbin).get_docs(vocab))
    assert [[e.text for e in d.ents] for d in dev_docs] == [["麻婆豆腐"], ["酱油"]]
    rows = [json.loads(line) for line in runner.folder.round_jsonl(1).read_text(encoding="utf8").splitlines()]
    assert rows and all(row["spans"] for row in rows)  # the teacher's entity strings were placed
    assert json.loads((runner.folder.output / "model-best" / "meta.json").read_text())["lang"] == "zh"


def test_a_run_started_before_the_setting_is_the_same_run_with_lang_en_and_another_language_is_not(settings_factory):
    from evokd_spacy.loop.settings import changed_keys, run_fingerprint

    before = run_fingerprint(settings_factory())
    before.pop("task.lang", None)  # not recorded by versions before [task] lang
    assert changed_keys(before, run_fingerprint(settings_factory(**{"task.lang": "en"}))) == []
    assert changed_keys(before, run_fingerprint(settings_factory(**{"task.lang": "de"}))) == ["task.lang"]
