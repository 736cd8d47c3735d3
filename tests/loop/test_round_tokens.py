"""`[loop] round_tokens`: generation repeats asked while the round's token share lasts."""
import pytest

from evokd_spacy.loop.runner import EvoKDRunner
from evokd_spacy.loop.state import RunFolder


def _generate_step(settings):
    return RunFolder(settings.output, settings.corpus).load_step(1, "generate")


def test_repeats_stop_when_the_next_would_not_fit_and_a_rerun_asks_nothing(settings_factory, tmp_path):
    unlimited = settings_factory(
        **{"loop.rounds": 1, "loop.requests_per_label": 6, "paths.output": str(tmp_path / "all" / "training"), "paths.corpus": str(tmp_path / "all" / "corpus")}
    )
    EvoKDRunner(unlimited, quiet=True).run()
    every = _generate_step(unlimited)
    assert "repeats" not in every  # round_tokens = 0: all six repeats in one call, as before
    per_repeat = every["step_teacher"]["prompt_tokens"] + every["step_teacher"]["completion_tokens"]
    per_repeat //= 6
    share = int(2.5 * per_repeat)
    limited = settings_factory(**{"loop.rounds": 1, "loop.requests_per_label": 6, "loop.round_tokens": share})
    runner = EvoKDRunner(limited, quiet=True)
    runner.run()
    step = _generate_step(limited)
    assert 1 < step["repeats"] < 6
    assert step["tokens"] == step["step_teacher"]["prompt_tokens"] + step["step_teacher"]["completion_tokens"]
    # the next repeat is asked only while the mean cost so far still fits
    assert step["tokens"] + step["tokens"] / step["repeats"] > share >= step["tokens"] * (step["repeats"] - 1) / step["repeats"]
    assert len({item["response"] for item in step["items"]}) > 1  # repeats get fresh samples, not one cached answer
    again = EvoKDRunner(limited, quiet=True)
    again.run()
    assert again._teacher is None or again.teacher.client.usage.calls == 0


def test_negative_round_tokens_is_a_config_error(settings_factory):
    import pytest

    from evokd_spacy.errors import ConfigError

    with pytest.raises(ConfigError, match="round_tokens must be >= 0"):
        settings_factory(**{"loop.round_tokens": -1})


@pytest.mark.parametrize("round_tokens", [0, 10**6], ids=["all_at_once", "repeat_by_repeat"])
def test_a_prompt_that_is_the_same_every_round_gets_fresh_answers_each_round(settings_factory, round_tokens):
    # paraphrase augmentation: no feedback, and every repeat of a seed's request is the same prompt,
    # so a round's sample indices must not overlap the next round's
    static = {"loop.feedback": False, "loop.separate_labelling": False, "loop.rounds": 2, "loop.requests_per_label": 4, "loop.round_tokens": round_tokens}
    settings = settings_factory(**static)
    settings.teacher_config["generate"] = {"@llm_tasks": "evokd.TextCatParaphrase.v1", "n": 2}
    EvoKDRunner(settings, quiet=True).run()
    folder = RunFolder(settings.output, settings.corpus)
    first, second = (folder.load_step(r, "generate") for r in (1, 2))
    assert {i["prompt"] for i in first["items"]} == {i["prompt"] for i in second["items"]}
    assert second["step_teacher"]["cached"] == 0 and second["step_teacher"]["calls"] == first["step_teacher"]["calls"] == 8
