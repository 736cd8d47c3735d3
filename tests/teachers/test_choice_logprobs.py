"""Labels scored from a server's top log-probabilities (evokd.OpenAICompatible.v3)."""
import math

import pytest

from evokd_spacy.llm_io import ChoicePrompt, PlainChoicePrompt
from evokd_spacy.teachers.choice_logprobs import chat_top_logprobs, choice_scores, completion_top_logprobs
from evokd_spacy.teachers.loopback import LoopbackServer
from evokd_spacy.teachers.openai_compat import make_openai_compatible_model_v2, make_openai_compatible_model_v3

LEXICON = {"POS": ["good"], "NEG": ["bad"]}


def v3(server, **kwargs):
    return make_openai_compatible_model_v3(**{"base_url": server.base_url, "model": "test", "timeout": 2.0, "max_concurrency": 1, **kwargs})


def ask(model, prompts):
    return [doc[0] for doc in model([[p] for p in prompts])]


def test_a_choice_sums_the_listed_tokens_that_begin_it_and_an_unlisted_one_gets_its_upper_bound():
    top = [("Positive", math.log(0.6)), ("Pos", math.log(0.1)), ("positive", math.log(0.05)), ("Negative", math.log(0.04)),
           (" ", math.log(0.2))]
    scores = choice_scores(top, ["Positive", "positive", "Negative", "neutral", " positive"])
    assert scores["Positive"] == pytest.approx(math.log(0.7))  # "Pos" begins it too
    assert scores["positive"] == pytest.approx(math.log(0.05))
    assert scores["Negative"] == pytest.approx(math.log(0.04))
    # unlisted: at most the least likely listed token (0.04) and the mass left unlisted (0.21; the
    # whitespace token begins every " ..." choice but says nothing about it, so it is not counted)
    assert scores["neutral"] == pytest.approx(math.log(0.04)) and scores[" positive"] == pytest.approx(math.log(0.04))
    nearly_all = choice_scores([("A", math.log(0.999)), ("B", math.log(0.0009))], ["A", "B", "C"])
    assert nearly_all["C"] == pytest.approx(math.log(0.0001), rel=1e-3)


def test_top_logprobs_are_read_from_chat_and_text_completions_and_missing_ones_are_none():
    chat = {"choices": [{"logprobs": {"content": [{"token": "Pos", "logprob": -0.1, "top_logprobs": [
        {"token": "Pos", "logprob": -0.1}, {"token": "Neg", "logprob": -2.5}]}]}}]}
    text = {"choices": [{"text": " pos", "logprobs": {"tokens": [" pos"], "top_logprobs": [{" pos": -0.2, " neg": -1.9}]}}]}
    assert chat_top_logprobs(chat) == [("Pos", -0.1), ("Neg", -2.5)]
    assert completion_top_logprobs(text) == [(" pos", -0.2), (" neg", -1.9)]
    llama_server = {"choices": [{"text": " pos", "logprobs": {"content": [{"id": 1, "token": " pos", "logprob": -0.2, "bytes": [32],
                    "top_logprobs": [{"id": 1, "token": " pos", "logprob": -0.2}, {"id": 2, "token": " neg", "logprob": -1.9}]}]}}]}
    assert completion_top_logprobs(llama_server) == [(" pos", -0.2), (" neg", -1.9)]  # llama.cpp's /completions: the chat shape
    for empty in ({"choices": [{"message": {"content": "Pos"}}]}, {"choices": [{"logprobs": None}]}, {}):
        assert chat_top_logprobs(empty) is None and completion_top_logprobs(empty) is None


def test_v3_scores_chat_choices_by_one_token_and_plain_ones_through_completions():
    with LoopbackServer(LEXICON) as server:
        chat, plain = ask(v3(server, config={"max_tokens": 96, "temperature": 0.7}),
                          [ChoicePrompt("Label it.\nText: a good film", ["POS", "pos", "NEG", "neg"]),
                           PlainChoicePrompt("Review: a bad film\nSentiment:", [" pos", " neg"])])
    assert str(chat) == "POS" and set(chat.scores) == {"POS", "pos", "NEG", "neg"}
    assert chat.scores["pos"] == chat.scores["POS"] > chat.scores["NEG"] == chat.scores["neg"]
    assert str(plain) == " neg" and plain.scores[" neg"] > plain.scores[" pos"]
    first, second = (r["body"] for r in server.requests)
    assert first["max_tokens"] == 1 and first["logprobs"] is True and first["top_logprobs"] == 20 and first["temperature"] == 0.0
    assert second["prompt"] == "Review: a bad film\nSentiment:" and "messages" not in second and second["logprobs"] == 20
    assert server.requests[1]["path"].endswith("/v1/completions") and server.requests[0]["path"].endswith("/v1/chat/completions")


def test_without_choice_logprobs_a_choice_is_answered_as_text_as_v2_does():
    prompt = ChoicePrompt("Label it.\nText: a good film", ["POS", "NEG"])
    with LoopbackServer(LEXICON) as server:
        [off] = ask(v3(server, choice_logprobs=0), [prompt])
        [two] = ask(make_openai_compatible_model_v2(base_url=server.base_url, model="test"), [prompt])
    assert off.scores is None and two.scores is None and str(off) == str(two)
    assert all("logprobs" not in r["body"] for r in server.requests)


def test_a_server_without_logprobs_is_asked_again_for_text_and_then_never_for_logprobs(capsys):
    prompts = [ChoicePrompt(f"Answer with one word.\nText: a {w} film", ["POS", "NEG"]) for w in ("good", "bad", "good")]
    with LoopbackServer(LEXICON, logprobs=False) as server:
        out = ask(v3(server), prompts)
    assert [str(a) for a in out] == ["POS", "NEG", "POS"] and all(a.scores is None for a in out)
    asked = [bool(r["body"].get("logprobs")) for r in server.requests]
    assert asked == [True, False, False, False]
    said = " ".join(capsys.readouterr().out.split())  # wasabi wraps long lines
    assert said.count("gave no log-probabilities") == 1 and "choice_logprobs = 0" in said


def test_a_negative_choice_logprobs_is_a_config_error():
    from evokd_spacy.errors import ConfigError

    with pytest.raises(ConfigError, match="choice_logprobs must be >= 0"):
        make_openai_compatible_model_v3(base_url="http://127.0.0.1:1/v1", model="test", choice_logprobs=-1)


@pytest.mark.parametrize("prompt,fix", [
    (ChoicePrompt("Label it.\nText: a good film", ["POS", "NEG"]), "choice_logprobs = 0 if it gives none"),
    (PlainChoicePrompt("Review: a good film\nSentiment:", [" pos", " neg"]), "leave plain_pattern unset"),
])
def test_a_refused_log_probability_request_names_the_setting_that_avoids_it(prompt, fix):
    from evokd_spacy.errors import TeacherUnavailable

    with LoopbackServer(LEXICON) as server:
        server.handle = lambda handler, body: server._send(handler, 404, b'{"error": "no such endpoint"}')
        with pytest.raises(TeacherUnavailable, match="refused the request: HTTP 404") as err:
            ask(v3(server), [prompt])
    assert fix in str(err.value)


def test_labels_cached_as_text_are_scored_once_the_server_gives_log_probabilities(tmp_path):
    from evokd_spacy.teachers.cache import TeacherClient

    prompts = [ChoicePrompt(f"Answer with one word.\nText: a {w} film", ["POS", "NEG"]) for w in ("good", "bad", "good fun")]
    config = {"@llm_models": "evokd.OpenAICompatible.v3"}
    with LoopbackServer(LEXICON, logprobs=False) as server:
        text_client = TeacherClient(v3(server), config, tmp_path, progress=False)
        assert all(a.scores is None for a in text_client.ask(prompts))
        again = TeacherClient(v3(server), config, tmp_path, progress=False)  # the server still gives none
        sent = len(server.requests)
        assert [str(a) for a in again.ask(prompts)] == ["POS", "NEG", "POS"]
        assert again.usage.calls == 2 == len(server.requests) - sent and again.usage.cached == 2  # one probe, asked as text too
        again.ask(prompts)
        assert again.usage.calls == 2, "probed once a run, not at every ask"
    with LoopbackServer(LEXICON) as server:  # now it gives them
        scored = TeacherClient(v3(server), config, tmp_path, progress=False)
        answers = scored.ask(prompts)
        assert all(a.scores for a in answers) and [str(a) for a in answers] == ["POS", "NEG", "POS"]
        assert scored.usage.calls == 3 and scored.usage.cached == 0
        later = TeacherClient(v3(server), config, tmp_path, progress=False)
        assert all(a.scores for a in later.ask(prompts)) and later.usage.calls == 0 and later.usage.cached == 3
    with LoopbackServer(LEXICON, logprobs=False) as server:  # a text model never re-asks its text answers
        text_only = TeacherClient(v3(server, choice_logprobs=0), {**config, "choice_logprobs": 0}, tmp_path / "text", progress=False)
        text_only.ask(prompts)
        again = TeacherClient(v3(server, choice_logprobs=0), {**config, "choice_logprobs": 0}, tmp_path / "text", progress=False)
        again.ask(prompts)
        assert again.usage.calls == 0


def test_a_server_without_logprobs_on_completions_keeps_scoring_chat_labels(capsys):
    prompts = [PlainChoicePrompt("Review: a good film\nSentiment:", [" pos", " neg"]),
               ChoicePrompt("Answer with one word.\nText: a bad film", ["POS", "NEG"]),
               PlainChoicePrompt("Review: a bad film\nSentiment:", [" pos", " neg"])]
    with LoopbackServer(LEXICON) as server:
        answer = server.handle
        server.handle = lambda handler, body: answer(handler, {k: v for k, v in body.items() if not ("prompt" in body and k == "logprobs")})
        plain, chat, plain_again = ask(v3(server), prompts)
    assert plain.scores is None and plain_again.scores is None and chat.scores and str(chat) == "NEG"
    assert [bool(r["body"].get("logprobs")) for r in server.requests] == [True, False, True, False]  # never asked there again
    said = " ".join(capsys.readouterr().out.split())
    assert said.count("gave no log-probabilities") == 1 and "leave [teacher.label] plain_pattern unset" in said


def test_first_tokens_that_begin_no_label_are_not_taken_for_scores(capsys):
    prompts = [ChoicePrompt(f"Answer with one word.\nText: a {w} film", ["POS", "NEG"]) for w in ("good", "bad")]
    with LoopbackServer(LEXICON) as server:  # a reasoning model: its first token starts its thinking
        server.top_logprobs = lambda prompt, plain: [("<think>", -0.01), ("Okay", -5.0)]
        out = ask(v3(server), prompts)
    assert [str(a) for a in out] == ["POS", "NEG"] and all(a.scores is None for a in out)  # read from the text instead
    assert [bool(r["body"].get("logprobs")) for r in server.requests] == [True, False, True, False]
    said = " ".join(capsys.readouterr().out.split())
    assert said.count("begin none of the labels") == 1 and "enable_thinking = false" in said


def test_a_refusal_of_too_many_log_probabilities_names_the_limit():
    from evokd_spacy.errors import TeacherUnavailable

    reply = b'{"error": {"message": "Requested sample logprobs of 25, which is greater than max allowed: 20"}}'
    with LoopbackServer(LEXICON) as server:
        server.handle = lambda handler, body: server._send(handler, 400, reply)
        with pytest.raises(TeacherUnavailable, match="lower \\[teacher.model\\] choice_logprobs") as err:
            ask(v3(server, choice_logprobs=25), [ChoicePrompt("Label it.\nText: a good film", ["POS", "NEG"])])
    assert "--max-logprobs" in " ".join(str(err.value).split())


def test_a_label_read_as_text_after_a_scored_request_is_charged_both_requests(tmp_path):
    from evokd_spacy.teachers.budget import Budget
    from evokd_spacy.teachers.cache import TeacherClient

    prompts = [ChoicePrompt(f"Answer with one word.\nText: a {w} film", ["POS", "NEG"]) for w in ("good", "bad")]
    with LoopbackServer(LEXICON) as server:
        server.top_logprobs = lambda prompt, plain: [("<think>", -0.01), ("Okay", -5.0)]  # a reasoning model thinks first
        budget = Budget(max_calls=100)
        client = TeacherClient(v3(server), {"@llm_models": "evokd.OpenAICompatible.v3"}, tmp_path, progress=False, budget=budget)
        assert [str(a) for a in client.ask(prompts)] == ["POS", "NEG"]
        again = TeacherClient(v3(server), {"@llm_models": "evokd.OpenAICompatible.v3"}, tmp_path, progress=False)
        assert [str(a) for a in again.ask(prompts)] == ["POS", "NEG"] and again.usage.calls == 0, "not probed: it would think first again"
    assert len(server.requests) == 4 == client.usage.calls == budget.spent["calls"]
    assert client.usage.prompt_tokens == sum(len(r["body"]["messages"][0]["content"].split()) for r in server.requests)
