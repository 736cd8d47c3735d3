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


def _own_config(tmp_path, lang, tokenizer=None):
    """A copy of the cnn textcat preset in `lang` (with its own [nlp.tokenizer]), as a user's preset file."""
    from evokd_spacy.student.train import base_config_path

    config = spacy.util.load_config(base_config_path("cnn", "textcat"), interpolate=False)
    config["nlp"]["lang"] = lang
    if tokenizer:
        config["nlp"]["tokenizer"] = tokenizer
    path = tmp_path / f"{lang}.cfg"
    config.to_disk(path)
    return str(path)


def test_a_built_in_preset_takes_the_language_and_its_own_tokenizer(tmp_path):
    spec = TaskSpec(kind="ner", description="", labels={"DISH": ""}, lang="zh")
    config = build_config(spec, {"preset": "cnn"}, tmp_path / "t.spacy", tmp_path / "d.spacy")
    assert config["nlp"]["lang"] == "zh"
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=False)
    assert [t.text for t in nlp.make_doc("北京烤鸭")] == ["北", "京", "烤", "鸭"]


def test_a_language_other_than_the_users_own_config_or_override_is_a_config_error_naming_the_var(settings_factory, tmp_path):
    german = _own_config(tmp_path, "de")
    assert settings_factory(**{"student.preset": german, "task.lang": "de"}).spec.lang == "de"
    with pytest.raises(ConfigError, match=r"\[task\] lang = 'en', but the \[nlp\] lang of your training config .* is 'de': "
                                          r"give --task.lang de \(in the project: --vars.lang de\)"):
        settings_factory(**{"student.preset": german, "task.lang": "en"})  # the project passes its lang var
    with pytest.raises(ConfigError, match=r"but the \[student.overrides\] nlp.lang is 'de'"):
        settings_factory(**{"student.overrides": {"nlp.lang": "de"}, "task.lang": "zh"})


def test_the_texts_are_split_by_the_tokenizer_of_the_users_own_config(settings_factory, tmp_path):
    from evokd_spacy.student.language import text_nlp

    with pytest.raises(ConfigError, match=r"\[task\] lang = 'vi': spaCy's tokenizer for it needs a library .*Pyvi"):
        settings_factory(**{"task.lang": "vi"})  # spaCy's Vietnamese default tokenizer needs pyvi
    own = _own_config(tmp_path, "vi", {"@tokenizers": "spacy.vi.VietnameseTokenizer", "use_pyvi": False})
    settings = settings_factory(**{"student.preset": own, "student.max_steps": 0, "student.eval_frequency": 0})
    assert settings.spec.lang == "vi" and "use_pyvi" in settings.spec.tokenizer
    assert [t.text for t in text_nlp(settings.spec)("Tôi thích phở bò")] == ["Tôi", "thích", "phở", "bò"]


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


def test_a_run_started_before_the_setting_is_the_same_run_in_its_students_language(settings_factory, tmp_path):
    from evokd_spacy.loop.settings import changed_keys, run_fingerprint

    before = run_fingerprint(settings_factory())  # versions before [task] lang recorded no language
    assert "task.lang" not in before
    assert changed_keys(before, run_fingerprint(settings_factory(**{"task.lang": "en"}))) == []
    assert changed_keys(before, run_fingerprint(settings_factory(**{"task.lang": "de"}))) == ["task.lang"]
    german = _own_config(tmp_path, "de")
    own = run_fingerprint(settings_factory(**{"student.preset": german}))
    assert changed_keys(own, run_fingerprint(settings_factory(**{"student.preset": german, "task.lang": "de"}))) == []
