"""The OpenAI-compatible teacher against a real HTTP server on 127.0.0.1 that injects faults."""
import json
import time

import pytest

from evokd_spacy.errors import TeacherUnavailable
from evokd_spacy.teachers.loopback import LoopbackServer
from evokd_spacy.teachers.openai_compat import make_openai_compatible_model

LEXICON = {"POS": ["good"], "NEG": ["bad"]}
ANALYSIS = "The student confuses texts with mixed cues and misses negations."


def model(server, **kwargs):
    settings = {"base_url": server.base_url, "model": "test", "timeout": 1.0, "backoff": 0.01, "max_tries": 4, **kwargs}
    return make_openai_compatible_model(**settings)


def answers(m, prompts):
    return [doc[0] for doc in m([[p] for p in prompts])]


def test_concurrent_requests_keep_order_and_report_tokens():
    # Overlap is read from the server (requests in flight at once), not from wall time: on a
    # loaded CI machine, creating 8 HTTP clients can take longer than the answers themselves.
    with LoopbackServer(LEXICON, latency=0.5) as server:
        m = model(server, max_concurrency=8, timeout=5.0)
        prompts = [f"Explain {i}" for i in range(8)]
        out = answers(m, prompts)
    assert [str(a) for a in out] == [ANALYSIS] * 8
    assert server.peak_in_flight >= 2, "requests at max_concurrency=8 never overlapped"
    assert out[0].prompt_tokens == 2 and out[0].completion_tokens == len(ANALYSIS.split())
    assert sorted(r["body"]["messages"][0]["content"] for r in server.requests) == sorted(prompts)


def test_requests_never_exceed_max_concurrency():
    with LoopbackServer(LEXICON, latency=0.05) as server:
        answers(model(server, max_concurrency=2), [f"Explain {i}" for i in range(6)])
    assert 1 <= server.peak_in_flight <= 2


@pytest.mark.parametrize("fault", ["429", "500", "529", "522", "hang", "malformed", "empty", "drop"])
def test_each_transient_fault_is_retried(fault):
    with LoopbackServer(LEXICON, faults=[fault, fault], hang_seconds=3.0) as server:
        [answer] = answers(model(server, max_concurrency=1), ["Explain"])
    assert str(answer) == ANALYSIS and answer.retries == 2


def test_retry_after_is_honoured():
    with LoopbackServer(LEXICON, faults=["429"], retry_after=0.5) as server:
        start = time.perf_counter()
        answers(model(server, backoff=0.0), ["Explain"])
    assert time.perf_counter() - start >= 0.5


def test_giving_up_says_where_and_how_to_continue_and_never_shows_the_key(monkeypatch):
    monkeypatch.setenv("EVOKD_TEST_KEY", "sk-test-SECRET-123")
    with LoopbackServer(LEXICON, faults=["500"] * 10) as server:
        with pytest.raises(TeacherUnavailable) as err:
            answers(model(server, api_key_env="EVOKD_TEST_KEY", max_tries=3), ["Explain"])
        assert server.requests[0]["authorization"] == "Bearer sk-test-SECRET-123"
    assert "failed 3 times (last: HTTP 500 {\"error\": \"boom\"})" in str(err.value) and "start the run again" in str(err.value)
    assert "SECRET" not in str(err.value)


def test_missing_key_names_the_environment_variable(monkeypatch):
    monkeypatch.delenv("EVOKD_MISSING_KEY", raising=False)
    with LoopbackServer(LEXICON) as server:
        with pytest.raises(TeacherUnavailable, match="export EVOKD_MISSING_KEY="):
            answers(model(server, api_key_env="EVOKD_MISSING_KEY"), ["Explain"])


def test_client_errors_are_not_retried():
    with LoopbackServer(LEXICON) as server:
        m = model(server, base_url=server.base_url + "/nowhere")
        m.url = server.base_url.replace("/v1", "") + "/404"
        server.handle = lambda handler, body: server._send(handler, 400, b'{"error": "bad model"}')
        with pytest.raises(TeacherUnavailable, match="refused the request: HTTP 400"):
            answers(m, ["Explain"])
        assert len(server.requests) == 1


def test_spoiled_answers_are_chosen_per_call_so_a_rerun_gets_the_same_ones():
    prompts = [f"Explain case {i}" for i in range(40)]
    runs = []
    for _ in range(2):
        with LoopbackServer(LEXICON, content_fault_rate=0.5) as server:
            runs.append([str(a) for a in answers(model(server, max_concurrency=4), prompts)])
            spoiled = sum(server.spoiled.values())
    assert runs[0] == runs[1]
    assert 5 < spoiled < 35 and sum(a != ANALYSIS for a in runs[0]) == spoiled


def test_v2_asks_the_server_to_constrain_entity_lists_to_the_label_set():
    from evokd_spacy.errors import ConfigError
    from evokd_spacy.llm_io import EntityListPrompt
    from evokd_spacy.teachers.openai_compat import make_openai_compatible_model_v2

    entity_prompt = EntityListPrompt("Find the entities.", "Ramen with basil", ["DISH", "INGREDIENT"])
    with LoopbackServer(LEXICON) as server:
        settings = {"base_url": server.base_url, "model": "test", "timeout": 1.0, "max_concurrency": 1}
        answers(make_openai_compatible_model_v2(**settings), [entity_prompt, "Explain"])
        answers(make_openai_compatible_model_v2(**settings, structured_output="json_object"), [entity_prompt])
        answers(model(server, max_concurrency=1), [entity_prompt])  # v1: never
    formats = [r["body"].get("response_format") for r in server.requests]
    assert formats[1] is None and formats[3] is None, "only entity-list prompts, and only from v2"
    schema = formats[0]["json_schema"]["schema"]
    assert formats[0]["type"] == "json_schema" and formats[2] == {"type": "json_object", "schema": schema}
    assert formats[0]["json_schema"]["strict"] is True  # OpenAI enforces a schema only when asked to
    assert schema["properties"]["entities"]["items"]["properties"]["label"]["enum"] == ["DISH", "INGREDIENT"]
    with pytest.raises(ConfigError, match="json_schema, json_object, none"):
        make_openai_compatible_model_v2(base_url=server.base_url, model="test", structured_output="grammar")


def test_labels_and_entities_are_asked_for_greedily_whatever_the_generation_temperature():
    from evokd_spacy.llm_io import ChoicePrompt, GreedyPrompt, SampledPrompt

    with LoopbackServer(LEXICON) as server:
        m = model(server, max_concurrency=1, config={"temperature": 0.7, "top_p": 0.9, "seed": 3})
        answers(m, [ChoicePrompt("Label: good film", ["POS", "NEG"]), GreedyPrompt("Find the entities."), SampledPrompt("Write a text.", 2)])
    choice, greedy, sampled = (r["body"] for r in server.requests)
    assert choice["temperature"] == greedy["temperature"] == 0.0
    assert not {"top_p", "seed"} & (set(choice) | set(greedy))
    assert sampled["temperature"] == 0.7 and sampled["top_p"] == 0.9 and sampled["seed"] == 5


def test_a_base_url_without_its_scheme_is_a_config_error_and_retry_after_is_capped():
    from evokd_spacy.errors import ConfigError
    from evokd_spacy.teachers.server_replies import MAX_RETRY_AFTER, retry_after

    with pytest.raises(ConfigError, match=r"base_url = '127.0.0.1:8000/v1' needs its scheme, like 'http://"):
        make_openai_compatible_model(base_url="127.0.0.1:8000/v1", model="test")
    assert retry_after("3600") == MAX_RETRY_AFTER and retry_after("2") == 2.0


def test_after_a_call_fails_for_good_the_calls_not_yet_started_are_never_made(tmp_path):
    from evokd_spacy.teachers.cache import TeacherClient

    with LoopbackServer(LEXICON, latency=0.05) as server:
        server.handle = lambda handler, body: server._send(handler, 400, b'{"error": "bad model"}')
        m = model(server, max_concurrency=2)
        client = TeacherClient(m, {"@llm_models": "test"}, tmp_path / "cache", progress=False)
        with pytest.raises(TeacherUnavailable, match="HTTP 400"):
            client.ask([f"Explain {i}" for i in range(30)])
    assert len(server.requests) <= 4, "the first refusal stops the prompts still queued"


def test_an_answer_stopped_by_max_tokens_is_marked_cut_off():
    import json as _json

    with LoopbackServer(LEXICON) as server:
        reply = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "HARD: one\nEASY: tw"}, "finish_reason": "length"}]}
        server.handle = lambda handler, body: server._send(handler, 200, _json.dumps(reply).encode())
        [cut] = answers(model(server, max_concurrency=1), ["Write."])
    assert cut.truncated and str(cut) == "HARD: one\nEASY: tw"


def test_a_prompt_too_long_for_the_server_gets_an_empty_uncached_answer_and_the_others_go_on(tmp_path):
    from evokd_spacy.teachers.cache import TeacherClient

    too_long = b'{"error": {"message": "the request exceeds the available context size (n_ctx 512)"}}'
    with LoopbackServer(LEXICON) as server:
        plain = server.handle
        server.handle = lambda handler, body: (server._send(handler, 400, too_long) if "LONG" in body["messages"][0]["content"]
                                               else plain(handler, body))
        client = TeacherClient(model(server, max_concurrency=2), {"@llm_models": "test"}, tmp_path / "cache", progress=False)
        first = client.ask(["Explain A", "Explain LONG", "Explain B"])
        assert [str(a) for a in first] == [ANALYSIS, "", ANALYSIS] and first[1].refused
        asked = len(server.requests)
        client.ask(["Explain A", "Explain LONG", "Explain B"])
        assert len(server.requests) == asked + 1, "only the refused prompt is asked again"


def test_the_local_teachers_generation_settings_are_left_out_of_requests_with_a_warning(capsys):
    config = {"max_new_tokens": 200, "do_sample": True, "temperature": 0.7, "top_p": 0.95, "repetition_penalty": 1.1}
    with LoopbackServer(LEXICON) as server:
        answers(model(server, max_concurrency=1, config=config), ["Write a review."])
    body = server.requests[0]["body"]
    assert "max_new_tokens" not in body and "do_sample" not in body
    assert body["temperature"] == 0.7 and body["top_p"] == 0.95 and body["repetition_penalty"] == 1.1
    said = " ".join(capsys.readouterr().out.split())
    assert "max_new_tokens, do_sample" in said and "max_tokens" in said


def _refusing(server, refused):
    """Make `server` answer 400 in OpenAI's form while a request sets a setting in `refused`
    (setting -> error code), as OpenAI's reasoning models do."""
    answer = server.handle

    def handle(handler, body):
        for setting, code in refused.items():
            if setting in body:
                error = {"message": f"Unsupported: '{setting}'", "type": "invalid_request_error", "param": setting, "code": code}
                return server._send(handler, 400, json.dumps({"error": error}).encode("utf8"))
        return answer(handler, body)

    server.handle = handle


def test_settings_a_reasoning_model_refuses_are_left_out_and_max_tokens_becomes_max_completion_tokens(capsys):
    from evokd_spacy.llm_io import ChoicePrompt

    with LoopbackServer(LEXICON) as server:
        _refusing(server, {"temperature": "unsupported_value", "max_tokens": "unsupported_parameter"})
        out = answers(model(server, max_concurrency=1, config={"max_tokens": 300, "temperature": 0.7}),
                      ["Write a review.", ChoicePrompt("Answer with one word.\nText: a good film", ["POS", "NEG"]), "Write another."])
    assert str(out[1]) == "POS" and all(out)
    sent = [r["body"] for r in server.requests]
    assert "temperature" in sent[0] and "max_tokens" in sent[1]  # each refused once ...
    answered = [b for b in sent if "temperature" not in b and "max_tokens" not in b]
    assert len(answered) == 3 and all(b["max_completion_tokens"] == 300 for b in answered)  # ... then left out
    said = " ".join(capsys.readouterr().out.split())
    assert said.count("does not take `temperature`") == 1 and said.count("does not take `max_tokens`") == 1
    assert "max_completion_tokens is sent instead" in said


def test_a_refused_logprobs_setting_reads_labels_from_text():
    from evokd_spacy.llm_io import ChoicePrompt
    from evokd_spacy.teachers.openai_compat import make_openai_compatible_model_v3

    with LoopbackServer(LEXICON) as server:
        _refusing(server, {"logprobs": "unsupported_parameter"})
        v3 = make_openai_compatible_model_v3(base_url=server.base_url, model="test", timeout=2.0, max_concurrency=1)
        [answer] = answers(v3, [ChoicePrompt("Answer with one word.\nText: a bad film", ["POS", "NEG"])])
    assert str(answer) == "NEG" and answer.scores is None


def test_a_setting_refused_for_requests_already_in_flight_is_left_out_once_and_they_are_sent_again(capsys):
    with LoopbackServer(LEXICON, latency=0.2) as server:
        _refusing(server, {"temperature": "unsupported_value"})
        out = answers(model(server, max_concurrency=4, config={"temperature": 0.7}), [f"Write review {i}." for i in range(8)])
    assert len(out) == 8 and all(out)
    said = " ".join(capsys.readouterr().out.split())
    assert said.count("does not take `temperature`") == 1


def test_a_budget_that_exactly_fits_a_concurrent_batch_is_not_called_exhausted(tmp_path):
    from evokd_spacy.teachers.budget import Budget
    from evokd_spacy.teachers.cache import TeacherClient

    with LoopbackServer(LEXICON) as server:
        for concurrency in (1, 4):
            budget = Budget(max_calls=4)
            client = TeacherClient(model(server, max_concurrency=concurrency), {"@llm_models": "evokd.OpenAICompatible.v1"},
                                   tmp_path / str(concurrency), progress=False, budget=budget)
            assert len(client.ask([f"Explain {i}" for i in range(4)])) == 4 and budget.exhausted()


@pytest.mark.parametrize("usage,tokens", [("n/a", (2, 3)), ({"prompt_tokens": "12", "completion_tokens": "3"}, (12, 3)),
                                          ({"prompt_tokens": None}, (2, 3))])
def test_a_reply_with_odd_token_counts_is_answered_and_counted_by_estimate(usage, tokens):
    with LoopbackServer(LEXICON) as server:
        reply = json.dumps({"choices": [{"message": {"content": "an answer"}}], "usage": usage}).encode()
        server.handle = lambda handler, body: server._send(handler, 200, reply)
        [answer] = answers(model(server, max_concurrency=1), ["Explain"])
    assert str(answer) == "an answer" and (answer.prompt_tokens, answer.completion_tokens) == tokens


def test_an_invalid_base_url_and_a_served_teachers_name_in_reports():
    from evokd_spacy.errors import ConfigError
    from evokd_spacy.loop.teacher import teacher_name

    with pytest.raises(ConfigError, match=r"base_url = 'http://\[::1/v1' is not a valid URL"):
        make_openai_compatible_model(base_url="http://[::1/v1", model="test")
    assert teacher_name({"@llm_models": "evokd.OpenAICompatible.v2", "model": "gpt-4o-mini"}) == "evokd.OpenAICompatible.v2:gpt-4o-mini"
