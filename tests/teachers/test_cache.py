from evokd_spacy.llm_io import ChoicePrompt
from evokd_spacy.teachers.cache import TeacherClient
from evokd_spacy.teachers.scripted import ScriptedTeacher

LEXICON = {"POS": ["good"], "NEG": ["bad"]}


def client(tmp_path, config=None):
    return TeacherClient(ScriptedTeacher(LEXICON), config or {"@llm_models": "x", "temperature": 0.7}, tmp_path / "cache", progress=False)


def test_answers_are_cached_per_model_config_prompt_and_sample(tmp_path):
    first = client(tmp_path)
    prompts = ["Explain the weaknesses.", "Explain the weaknesses.", ChoicePrompt("Text: good", ["POS", "NEG"])]
    answers = first.ask(prompts)
    assert first.usage.calls == 3 and first.usage.cached == 0
    assert answers[2] == "POS" and answers[2].scores == {"POS": 1.0, "NEG": 0.0}
    again = client(tmp_path)
    assert again.ask(prompts) == answers and again.ask(prompts)[2].scores == answers[2].scores
    assert again.usage.calls == 0 and again.usage.cached == 6
    other = client(tmp_path, {"@llm_models": "x", "temperature": 0.1})
    other.ask(prompts[:1])
    assert other.usage.calls == 1


def test_token_counts_are_estimated_when_the_model_reports_none(tmp_path):
    c = client(tmp_path)
    c.ask(["Explain the weaknesses of this classifier please."])
    assert c.usage.prompt_tokens > 0 and c.usage.completion_tokens > 0


def test_a_corrupt_cache_entry_is_asked_again(tmp_path):
    c = client(tmp_path)
    c.ask(["Explain."])
    [entry] = list((tmp_path / "cache").rglob("*.json"))
    entry.write_text(entry.read_text()[:10])
    again = client(tmp_path)
    again.ask(["Explain."])
    assert again.usage.calls == 1


def test_a_new_sample_index_asks_a_sampling_model_again(tmp_path):
    c = client(tmp_path)
    prompt = "Write 1 HARD ones and 1 EASY ones.\nHARD 1: <text>\nEASY 1: <text>"
    first = c.ask([prompt], sample_offset=1)
    assert c.ask([prompt], sample_offset=1) == first and c.usage.calls == 1
    second = c.ask([prompt], sample_offset=2)
    assert c.usage.calls == 2 and second != first


def test_cost_budget_is_estimated_from_tokens_and_kept_on_disk(tmp_path):
    from evokd_spacy.errors import BudgetExhausted
    from evokd_spacy.teachers.cache import Budget

    budget = Budget(tmp_path / "ledger.json", max_cost=0.001, cost_per_1k=(0.01, 0.03))
    c = TeacherClient(ScriptedTeacher(LEXICON), {"@llm_models": "x"}, tmp_path / "cache", progress=False, budget=budget)
    import pytest

    with pytest.raises(BudgetExhausted, match="estimated cost"):
        c.ask([f"Explain the weaknesses of classifier {i} in some detail please." for i in range(50)])
    assert 0.001 <= budget.spent["cost"] < 0.002 and 0 < budget.spent["calls"] < 50
    assert Budget(tmp_path / "ledger.json").spent == budget.spent


def test_the_decoding_of_a_prompt_is_part_of_its_cache_key(tmp_path):
    from evokd_spacy.llm_io import EntityListPrompt, GreedyPrompt
    from evokd_spacy.teachers.cache import TeacherClient

    client = TeacherClient(model=None, model_config={"m": 1}, cache_dir=tmp_path)
    prompt = EntityListPrompt("Find entities.", "Ramen with basil", ["DISH"])
    newer = EntityListPrompt("Find entities.", "Ramen with basil", ["DISH"])
    newer.decoding = "entity-grammar-4"
    assert client.key(prompt, 0) != client.key(newer, 0)
    assert client.key(GreedyPrompt("Find entities."), 0) == client.key(GreedyPrompt("Find entities."), 0)
    # a template that does not print the label set: another label set is another answer
    other_labels = EntityListPrompt("Find entities.", "Ramen with basil", ["DISH", "HERB"])
    assert client.key(prompt, 0) != client.key(other_labels, 0)
    shown = EntityListPrompt("Find DISH entities in: Ramen with basil", "Ramen with basil", ["DISH"])
    import hashlib
    import json as _json

    plain = {"model": client.model_id, "prompt_type": "EntityListPrompt", "prompt": str(shown), "choices": [], "sample": 0,
             "decoding": shown.decoding}
    assert client.key(shown, 0) == hashlib.sha256(_json.dumps(plain, sort_keys=True).encode("utf8")).hexdigest(), \
        "a prompt that shows its labels and text keeps the key it had"


def test_how_a_served_teacher_is_reached_is_not_part_of_the_cache_key(tmp_path):
    from evokd_spacy.teachers.cache import TeacherClient

    def key(**transport):
        config = {"@llm_models": "evokd.OpenAICompatible.v1", "base_url": "http://h/v1", "model": "m", **transport}
        return TeacherClient(model=None, model_config=config, cache_dir=tmp_path).key("Explain.", 0)

    assert key() == key(max_concurrency=2, timeout=300.0, max_tries=9, backoff=5.0, max_backoff=60.0)
    assert key() != TeacherClient(model=None, model_config={"@llm_models": "evokd.OpenAICompatible.v1", "base_url": "http://h/v1",
                                                            "model": "other"}, cache_dir=tmp_path).key("Explain.", 0)


def test_a_run_may_be_continued_with_other_transport_settings(settings_factory):
    from evokd_spacy.loop.settings import changed_keys, run_fingerprint

    first = settings_factory()
    first.teacher_config["model"]["max_concurrency"] = 8
    second = settings_factory()
    second.teacher_config["model"]["max_concurrency"] = 2
    assert changed_keys(run_fingerprint(first), run_fingerprint(second)) == []
    saved_before = {**run_fingerprint(first), "teacher.model.max_concurrency": 8}  # a run.json written before they were resumable
    assert changed_keys(saved_before, run_fingerprint(second)) == []


def test_a_repeated_entity_or_greedy_prompt_keeps_its_decoding(tmp_path):
    from evokd_spacy.llm_io import EntityListPrompt, GreedyPrompt

    received = []

    def model(batches):
        for shards in batches:
            received.extend(shards)
            yield ["[]" for _ in shards]

    entity = EntityListPrompt("Find entities.", "Ramen with basil", ["DISH"])
    TeacherClient(model, {"m": 1}, tmp_path, progress=False).ask([entity, entity, GreedyPrompt("Why?"), GreedyPrompt("Why?")])
    assert [type(p).__name__ for p in received] == ["EntityListPrompt", "EntityListPrompt", "GreedyPrompt", "GreedyPrompt"]
    assert received[1].labels == ("DISH",), "still constrained to the label set"


def test_a_paid_answer_is_charged_before_it_is_cached_so_a_kill_between_never_leaves_it_uncharged(tmp_path, monkeypatch):
    import json

    import pytest

    from evokd_spacy.teachers.cache import Budget

    budget = Budget(tmp_path / "ledger.json")
    c = TeacherClient(ScriptedTeacher(LEXICON), {"@llm_models": "x"}, tmp_path / "cache", progress=False, budget=budget)

    def killed(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(c, "_save", killed)
    with pytest.raises(KeyboardInterrupt):
        c.ask(["Explain."])
    assert json.loads((tmp_path / "ledger.json").read_text())["calls"] == 1 and not list((tmp_path / "cache").rglob("*.json"))


class _AllOrNothing:
    """Like spacy-llm's REST models: answers a batch only once every request in it is done, and
    fails the whole batch when one request fails."""

    def __init__(self, fail_on):
        self.fail_on, self.asked = fail_on, []

    def __call__(self, prompts):
        answers = []
        for shards in prompts:
            self.asked.append(str(shards[0]))
            if self.fail_on in str(shards[0]):
                raise ValueError("Request to the API failed: 400 Bad Request")
            answers.append([f"answer to {shards[0]}"])
        return answers


def test_a_spacy_llm_model_is_asked_one_prompt_at_a_time_so_answers_before_a_failure_are_kept(tmp_path):
    import pytest

    from evokd_spacy.errors import TeacherUnavailable

    prompts = ["Explain 1.", "Explain 2.", "Explain 3."]
    failing = TeacherClient(_AllOrNothing(fail_on="3"), {"@llm_models": "spacy.GPT-4.v3"}, tmp_path / "cache", progress=False)
    with pytest.raises(TeacherUnavailable, match=r"The teacher \(_AllOrNothing\) failed: Request to the API failed.*saved"):
        failing.ask(prompts)
    assert failing.usage.calls == 2 and len(list((tmp_path / "cache").rglob("*.json"))) == 2
    working = TeacherClient(_AllOrNothing(fail_on="none"), {"@llm_models": "spacy.GPT-4.v3"}, tmp_path / "cache", progress=False)
    assert working.ask(prompts) == [f"answer to {p}" for p in prompts]
    assert working.model.asked == ["Explain 3."] and working.usage.cached == 2


def test_the_local_models_speed_settings_and_a_scored_prompts_sampling_settings_keep_its_cache_keys(tmp_path):
    from evokd_spacy.llm_io import ChoicePrompt
    from evokd_spacy.teachers.cache import TeacherClient

    base = {"@llm_models": "evokd.LocalHF.v3", "path": "t", "seed": 0, "generation_batch_size": 8,
            "config": {"max_new_tokens": 200, "do_sample": True, "temperature": 0.7}}

    def keys(prompt, sample=0, **changed):
        config = {**base, **changed}
        return TeacherClient(model=None, model_config=config, cache_dir=tmp_path).key(prompt, sample)

    label = ChoicePrompt("Label: great film", ("POSITIVE", "NEGATIVE"))
    same = [keys(label, threads=2), keys(label, batch_size=4, reuse_prefix=False), keys(label, generation_batch_size=2),
            keys(label, **{"@llm_models": "evokd.LocalHF.v2"}), keys(label, config={"max_new_tokens": 300, "temperature": 0.2}),
            keys(label, sample=3)]
    assert set(same) == {keys(label)}
    assert keys("Write texts.", config={**base["config"], "temperature": 0.2}) != keys("Write texts.")
    assert keys("Write texts.", sample=1) != keys("Write texts.") and keys("Write texts.", threads=2) == keys("Write texts.")
    assert keys(label, path="other") != keys(label) and keys(label, system_prompt="Be brief.") != keys(label)


def test_an_answer_cached_under_the_key_an_earlier_version_gave_it_is_read_and_kept_under_the_new_one(tmp_path):
    import json

    from evokd_spacy.llm_io import ChoicePrompt
    from evokd_spacy.teachers.cache import TeacherClient
    from evokd_spacy.teachers.cache_keys import answer_settings, model_id, prompt_key

    config = {"@llm_models": "evokd.LocalHF.v3", "path": "t", "threads": 2, "config": {"temperature": 0.7}}
    prompt = ChoicePrompt("Label: great film", ("POSITIVE", "NEGATIVE"))
    old = prompt_key(model_id(answer_settings(config)), prompt, 0)
    (tmp_path / old[:2]).mkdir()
    (tmp_path / old[:2] / f"{old}.json").write_text(json.dumps({"response": "POSITIVE", "scores": {"POSITIVE": -0.1, "NEGATIVE": -3.0}}))

    class NoCalls:
        def __call__(self, prompts):
            raise AssertionError("asked the model")

    client = TeacherClient(model=NoCalls(), model_config=config, cache_dir=tmp_path, progress=False)
    [answer] = client.ask([prompt])
    assert answer.scores == {"POSITIVE": -0.1, "NEGATIVE": -3.0} and client.usage.cached == 1
    new = client.key(prompt, 0)
    assert new != old and (tmp_path / new[:2] / f"{new}.json").exists()


def test_a_generation_batch_size_of_0_and_temperature_0_are_other_answers_and_old_sampled_ones_are_not_read(tmp_path):
    from evokd_spacy.teachers.cache_keys import CacheKeys

    base = {"@llm_models": "evokd.LocalHF.v3", "path": "t", "generation_batch_size": 8, "config": {"temperature": 0.7}}
    assert CacheKeys({**base, "generation_batch_size": 0}).key("Write.", 0) != CacheKeys(base).key("Write.", 0)
    zero = CacheKeys({**base, "config": {"temperature": 0}})
    assert zero.key("Write.", 0) != CacheKeys(base).key("Write.", 0) and zero.legacy_key("Write.", 0) is None
