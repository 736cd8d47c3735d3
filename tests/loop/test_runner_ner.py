"""End-to-end NER runs with the scripted teacher: on a CoNLL file and on Prodigy JSONL."""
import json

import spacy
from spacy.tokens import DocBin

from evokd_spacy.loop.runner import EvoKDRunner

CONLL_SEEDS = """The\tO
ramen\tB-DISH
had\tO
too\tO
much\tO
garlic\tB-INGREDIENT
.\tO

Their\tO
pad\tB-DISH
thai\tI-DISH
needs\tO
basil\tB-INGREDIENT
"""
CONLL_DEV = """Best\tO
tiramisu\tB-DISH
ever\tO

Add\tO
more\tO
ginger\tB-INGREDIENT
to\tO
the\tO
pho\tB-DISH

Nothing\tO
to\tO
see\tO
"""


def _check_run(runner, metrics):
    assert [m["round"] for m in metrics] == [0, 1, 2]
    assert set(metrics[2]["per_label"]) <= {"DISH", "INGREDIENT"}
    assert all(set(scores) == {"p", "r", "f"} for scores in metrics[2]["per_label"].values())
    nlp = spacy.blank("en")
    for r in (1, 2):
        docs = list(DocBin().from_disk(runner.folder.round_docbin(r)).get_docs(nlp.vocab))
        assert len(docs) == metrics[r]["kept"] > 0
        assert any(doc.ents for doc in docs)
        for doc in docs:
            assert all(ent.label_ in ("DISH", "INGREDIENT") for ent in doc.ents)
            assert doc.user_data["evokd"]["label_prompt"].rstrip().endswith("Entities:")
        rows = [json.loads(line) for line in runner.folder.round_jsonl(r).read_text().splitlines()]
        assert [[d.text[s:e] for s, e, _ in row["spans"]] for d, row in zip(docs, rows)] == [
            [e.text for e in d.ents] for d in docs
        ]


def test_ner_run_on_prodigy_jsonl(settings_factory):
    runner = EvoKDRunner(settings_factory("evokd_ner.cfg"), quiet=True)
    _check_run(runner, runner.run())
    label_prompt = runner.folder.load_step(1, "label")["items"][0]["label_prompt"]
    assert "Examples:" in label_prompt  # seeds shown as few-shot examples


def test_ner_run_on_conll_files(settings_factory, tmp_path):
    (tmp_path / "seeds.conll").write_text(CONLL_SEEDS)
    (tmp_path / "dev.conll").write_text(CONLL_DEV)
    settings = settings_factory(
        "evokd_ner.cfg", **{"paths.seeds": str(tmp_path / "seeds.conll"), "paths.dev": str(tmp_path / "dev.conll")}
    )
    runner = EvoKDRunner(settings, quiet=True)
    _check_run(runner, runner.run())
    assert [s.text for s in runner.seeds] == ["The ramen had too much garlic .", "Their pad thai needs basil"]


def test_teacher_alone_is_scored_on_dev(settings_factory):
    from evokd_spacy.loop.teacher_eval import evaluate_teacher

    settings = settings_factory("evokd_ner.cfg")
    result = evaluate_teacher(settings, limit=20)
    assert result["n_docs"] == 20 and result["usage"]["calls"] == 20
    assert 0.0 < result["score"] <= 1.0  # the lexicon teacher finds the demo's ramen, garlic, basil ...
    assert set(result["scores"]["ents_per_type"]) <= {"DISH", "INGREDIENT"}
    again = evaluate_teacher(settings, limit=20)
    assert again["usage"]["calls"] == 0 and again["score"] == result["score"]
    assert (settings.output / "teacher_eval.json").exists()


def test_textcat_teacher_alone_reports_accuracy(settings_factory):
    from evokd_spacy.loop.teacher_eval import evaluate_teacher

    result = evaluate_teacher(settings_factory(), limit=30)
    assert 0.0 <= result["scores"]["accuracy"] <= 1.0 and result["score"] == result["scores"]["cats_score"]


def test_teacher_evaluation_recommends_a_confidence_threshold(settings_factory):
    from evokd_spacy.loop.teacher_eval import evaluate_teacher

    result = evaluate_teacher(settings_factory(), limit=30)
    assert [row["threshold"] for row in result["confidence"]][:2] == [0.0, 0.5]
    assert result["confidence"][0]["kept"] == 1.0
    assert result["recommended_min_confidence"] in [row["threshold"] for row in result["confidence"]]
    ner = evaluate_teacher(settings_factory("evokd_ner.cfg"), limit=10)
    assert ner["confidence"] == [] and ner["recommended_min_confidence"] is None  # NER answers carry no confidence


def test_teacher_alone_is_shown_the_runs_seeds_and_a_random_dev_sample(settings_factory, tmp_path, monkeypatch):
    import evokd_spacy.loop.teacher_eval as teacher_eval
    from evokd_spacy.loop.run_data import read_run_data
    from evokd_spacy.loop.teacher_eval import dev_sample, evaluate_teacher
    from tests.conftest import ASSETS

    dev_lines = (ASSETS / "dev.jsonl").read_text().splitlines()
    seeds = tmp_path / "seeds.jsonl"
    seeds.write_text((ASSETS / "seeds.jsonl").read_text() + "\n".join(dev_lines) + "\n")  # every dev text is also a seed
    settings = settings_factory(**{"paths.seeds": str(seeds)})
    shown = []
    monkeypatch.setattr(teacher_eval, "prepare_labelling", lambda teacher, examples: shown.extend(e["text"] for e in examples))
    evaluate_teacher(settings, limit=4)
    assert shown == [s.text for s in read_run_data(settings).seeds], "the run's seeds, dev texts left out"
    dev = read_run_data(settings).dev
    picked = dev_sample(dev, 10, 0)
    assert len(picked) == 10 and picked == dev_sample(dev, 10, 0) and picked != dev[:10], "drawn at random, fixed by the seed"
    assert [s.text for s in picked] == [s.text for s in dev if s in picked], "in file order"


def test_teacher_alone_samples_its_own_seeds_when_the_folder_holds_another_run(settings_factory, monkeypatch, capsys):
    import evokd_spacy.loop.teacher_eval as teacher_eval
    from evokd_spacy.loop.run_data import read_run_data
    from evokd_spacy.loop.teacher_eval import evaluate_teacher

    EvoKDRunner(settings_factory(**{"loop.rounds": 0, "task.seed": 1}), quiet=True).prepare()
    other = settings_factory(**{"loop.rounds": 0, "task.seed": 2, "task.k_shot": 2})
    shown = []
    monkeypatch.setattr(teacher_eval, "prepare_labelling", lambda teacher, examples: shown.extend(e["text"] for e in examples))
    evaluate_teacher(other, limit=4)
    assert shown == [s.text for s in read_run_data(other).seeds]
    assert "holds a run with other settings or data (task.k_shot, task.seed): its seeds and dev choices are not used" in " ".join(
        capsys.readouterr().out.split())
    shown.clear()
    another_teacher = settings_factory(**{"loop.rounds": 0, "task.seed": 1, "teacher.generate.n_hard": 5})  # comparing teachers
    evaluate_teacher(another_teacher, limit=4)
    assert shown == [s.text for s in read_run_data(another_teacher).seeds] and "other settings" not in capsys.readouterr().out


def test_which_runs_seeds_and_choices_teacher_alone_may_use(settings_factory, tmp_path, capsys):
    from evokd_spacy.loop.state import RunFolder
    from evokd_spacy.loop.teacher_eval import run_in_folder

    EvoKDRunner(settings_factory(**{"loop.rounds": 0}), quiet=True).prepare()
    folder = RunFolder(settings_factory().output, settings_factory().corpus)
    assert run_in_folder(folder, settings_factory(**{"loop.rounds": 0, "teacher.generate.n_hard": 5})) == (True, False), "same labeller"
    assert run_in_folder(folder, settings_factory(**{"loop.rounds": 0, "student.max_steps": 12})) == (True, False), "the student draws no seeds"
    assert run_in_folder(folder, settings_factory(**{"loop.rounds": 0, "teacher.label": {"@llm_tasks": "evokd.TextCatLabel.v5"}})) == (True, True)
    import json

    from evokd_spacy.loop.run_identity import CORPUS_OWNER

    (tmp_path / "other").mkdir()  # another run whose --paths.corpus is this run's corpus folder
    (tmp_path / "other" / "run.json").write_text("{}")
    (folder.corpus / CORPUS_OWNER).write_text(json.dumps({"output": str((tmp_path / "other").resolve())}))
    capsys.readouterr()
    assert run_in_folder(folder, settings_factory(**{"loop.rounds": 0})) == (False, True)
    assert "holds the round data of the run in" in " ".join(capsys.readouterr().out.split())
