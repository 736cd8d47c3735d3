"""`[paths] cache`: runs that share a teacher cache ask a call they make alike only once."""
from evokd_spacy.loop.runner import EvoKDRunner
from evokd_spacy.loop.state import RunFolder


def _run(settings_factory, tmp_path, name, **overrides):
    settings = settings_factory(
        **{"paths.output": str(tmp_path / name / "training"), "paths.corpus": str(tmp_path / name / "corpus"),
           "paths.cache": str(tmp_path / "shared_cache"), **overrides}
    )
    EvoKDRunner(settings, quiet=True).run()
    return settings, RunFolder(settings.output, settings.corpus, settings.cache).read_metrics()


def _sent(line):
    return line["teacher"]["prompt_tokens"] + line["teacher"]["completion_tokens"]


def test_a_second_run_with_the_same_settings_asks_nothing_and_counts_the_cached_tokens(settings_factory, tmp_path):
    first, first_metrics = _run(settings_factory, tmp_path, "first")
    assert not (first.output / "cache").exists() and any((tmp_path / "shared_cache").rglob("*.json"))
    _, second_metrics = _run(settings_factory, tmp_path, "second")
    for a, b in zip(first_metrics[1:], second_metrics[1:]):
        assert a["teacher"]["calls"] > 0 and a["teacher"]["cached_tokens"] == 0
        assert b["teacher"]["calls"] == 0 and b["teacher"]["cached"] == a["teacher"]["calls"]
        assert b["teacher"]["cached_tokens"] == _sent(a) > 0
        assert b["kept"] == a["kept"]


def test_an_ablation_is_asked_only_from_where_it_departs(settings_factory, tmp_path):
    _, evokd = _run(settings_factory, tmp_path, "evokd", **{"loop.rounds": 1})
    # without the correct predictions, the analysis prompt differs from round 1 on
    _, ablation = _run(settings_factory, tmp_path, "no_correct", **{"loop.rounds": 1, "loop.analysis_shows_correct": False})
    assert ablation[1]["teacher"]["calls"] > 0
    # without review history, round 1 is EvoKD's round 1 (there is no earlier batch to replay)
    _, no_review = _run(settings_factory, tmp_path, "no_review", **{"loop.rounds": 1, "loop.replay": 0.0})
    assert no_review[1]["teacher"]["calls"] == 0 and no_review[1]["teacher"]["cached_tokens"] == _sent(evokd[1])


def test_moving_the_cache_does_not_stop_a_run_from_continuing_but_warns_that_old_answers_are_asked_again(settings_factory, tmp_path, capsys):
    settings, _ = _run(settings_factory, tmp_path, "run", **{"loop.rounds": 1})
    capsys.readouterr()
    moved = settings_factory(
        **{"paths.output": str(settings.output), "paths.corpus": str(settings.corpus), "paths.cache": str(tmp_path / "elsewhere"),
           "loop.rounds": 2}
    )
    metrics = EvoKDRunner(moved, quiet=True).run()
    assert [m["round"] for m in metrics] == [0, 1, 2]
    assert any((tmp_path / "elsewhere").rglob("*.json"))
    said = " ".join(capsys.readouterr().out.split())
    assert f"--paths.cache {tmp_path / 'shared_cache'}" in said and "asked again" in said
    again = settings_factory(**{"paths.output": str(settings.output), "paths.corpus": str(settings.corpus),
                                "paths.cache": str(tmp_path / "elsewhere"), "loop.rounds": 2})
    EvoKDRunner(again, quiet=True).run()
    assert "asked again" not in capsys.readouterr().out, "warned once: the run now uses the new cache"
