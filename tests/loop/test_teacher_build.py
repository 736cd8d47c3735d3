"""Building the teacher: a spacy-llm model's missing API key is named in the error."""
import spacy_llm  # noqa: F401 (registers spacy-llm's models)

from evokd_spacy.loop.teacher import api_key_hint


def test_a_spacy_llm_rest_models_unset_key_variable_is_named(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    assert "OPENAI_API_KEY, which is not set" in api_key_hint({"@llm_models": "spacy.GPT-4.v3", "name": "gpt-4o"})
    assert "ANTHROPIC_API_KEY" in api_key_hint({"@llm_models": "spacy.Claude-2.v2"})
    monkeypatch.setenv("OPENAI_API_KEY", "set")
    assert api_key_hint({"@llm_models": "spacy.GPT-4.v3"}) == ""
    assert api_key_hint({"@llm_models": "evokd.OpenAICompatible.v1"}) == "" and api_key_hint(None) == ""
    assert api_key_hint({"@llm_models": "spacy.NoSuchModel.v1"}) == ""
