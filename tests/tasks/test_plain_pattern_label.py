"""TextCatLabel.v8: v7 that can also read the teacher as a plain language model and average the two."""
import pytest
import spacy

from evokd_spacy.errors import ConfigError
from evokd_spacy.llm_io import ChoicePrompt, PlainChoicePrompt, TeacherResponse
from evokd_spacy.registry import registry
from evokd_spacy.tasks.request import result_of

nlp = spacy.blank("en")
TWO = {"POSITIVE": "A positive opinion.", "NEGATIVE": "A negative opinion."}
SEEDS = [{"text": "Loved it.", "label": "POSITIVE"}, {"text": "Dull.", "label": "NEGATIVE"}]
PATTERN = "Review: {text}\nSentiment:"


def task(version="v8", **kwargs):
    made = registry.llm_tasks.get(f"evokd.TextCatLabel.{version}")(labels=TWO, description="Decide.", **kwargs)
    made.set_examples(SEEDS)
    return made


def test_without_a_pattern_v8_asks_what_v7_asks():
    [v8], [v7] = task().generate_prompts([nlp("Fine.")]), task("v7").generate_prompts([nlp("Fine.")])
    assert str(v8) == str(v7) and not isinstance(v8, PlainChoicePrompt)


def test_with_a_pattern_each_text_gets_v7s_prompt_and_the_plain_pattern_after_the_exemplars():
    [(chat, plain)] = task(plain_pattern=PATTERN).generate_prompts([nlp("Fine.")])
    assert str(chat) == str(next(iter(task("v7").generate_prompts([nlp("Fine.")]))))
    assert isinstance(plain, PlainChoicePrompt) and not isinstance(chat, PlainChoicePrompt)
    assert str(plain) == "Review: Loved it.\nSentiment: positive\n\nReview: Dull.\nSentiment: negative\n\nReview: Fine.\nSentiment:"
    assert plain.choices == (" positive", " negative")


def test_the_shipped_plain_prompt_is_the_one_the_benchmark_measured():
    from benchmarks.raw_cloze import raw_prompts

    [(_, plain)] = task(plain_pattern=PATTERN).generate_prompts([nlp("Fine.")])
    assert str(plain) == raw_prompts("review", ["Fine."], SEEDS)[0]


def test_a_pattern_without_the_text_mark_is_a_config_error_naming_the_fix():
    with pytest.raises(ConfigError, match=r"\{text\}"):
        task(plain_pattern="Review:")


def _answers(chat_positive, plain_positive):
    chat = TeacherResponse("positive", scores={"POSITIVE": -9.0, "positive": chat_positive, "Positive": -9.0,
                                               "NEGATIVE": -9.0, "negative": 0.0, "Negative": -9.0})
    plain = TeacherResponse(" positive", scores={" positive": plain_positive, " negative": 0.0})
    return [chat, plain]


def test_the_label_is_the_mean_of_the_two_batch_calibrated_distributions():
    made = task(plain_pattern=PATTERN, min_batch=2)
    # text 0: chat leans negative a little, plain strongly positive; text 1 the mirror image
    docs = list(made.parse_responses([nlp("a"), nlp("b")], [_answers(-0.4, 3.0), _answers(0.4, -3.0)]))
    first, second = result_of(docs[0]), result_of(docs[1])
    assert first["labels"] == ["POSITIVE"] and second["labels"] == ["NEGATIVE"]
    assert first["chat_scores"]["POSITIVE"] < 0.5 < first["plain_scores"]["POSITIVE"]
    mean = (first["chat_scores"]["POSITIVE"] + first["plain_scores"]["POSITIVE"]) / 2
    assert first["scores"]["POSITIVE"] == pytest.approx(mean) and docs[0].cats == {"POSITIVE": 1.0, "NEGATIVE": 0.0}
    # batch calibration: the two texts' plain distributions are mirror images around the mean
    assert first["plain_scores"]["POSITIVE"] == pytest.approx(second["plain_scores"]["NEGATIVE"])


def test_a_run_through_the_cache_asks_both_prompts_and_keeps_both_in_the_docs_log(tmp_path):
    from evokd_spacy.teachers.cache import IO_KEY, TeacherClient
    from evokd_spacy.teachers.scripted import ScriptedTeacher

    asked = []

    class Recording(ScriptedTeacher):
        def __call__(self, prompts):
            prompts = [list(p) for p in prompts]
            asked.extend(p for shards in prompts for p in shards)
            return super().__call__(prompts)

    lexicon = {"POSITIVE": ["positive", "fine"], "NEGATIVE": ["negative", "dull"]}
    client = TeacherClient(Recording(lexicon), {"@llm_models": "x"}, tmp_path / "cache", progress=False)
    docs = client.run(task(plain_pattern=PATTERN), [nlp("Fine."), nlp("Dull.")])
    assert [type(p) for p in asked] == [ChoicePrompt, PlainChoicePrompt] * 2 and client.usage.calls == 4
    assert all("Answer with one word" in d.user_data[IO_KEY]["prompt"] and d.user_data[IO_KEY]["prompt"].endswith("Sentiment:") for d in docs)
    # the plain answer reached the task; the scripted teacher reads the pattern's last paragraph only
    assert result_of(docs[0])["plain_scores"]["POSITIVE"] > 0.5 > result_of(docs[1])["plain_scores"]["POSITIVE"]
    again = TeacherClient(Recording(lexicon), {"@llm_models": "x"}, tmp_path / "cache", progress=False)
    again.run(task(plain_pattern=PATTERN), [nlp("Fine.")])
    assert again.usage.calls == 0 and again.usage.cached == 2  # both answers cached, under different keys
