"""What a teacher-cache key hashes: the settings that change an answer, and no others.

A key hashes the model's settings, the prompt, its choices and a sample index. Settings that only
change how an answer is reached (a server's timeouts, the local model's threads and batching) are
left out, so that changing them keeps the answers cached so far; for the local model a scored
(labelling) prompt also leaves out the sampling settings and the sample index, which its scores do
not depend on. Keys made before a setting was left out are still read (`legacy_key`).
"""
import hashlib
import json
from typing import Any, Dict, Optional

from .local_settings import greedy_settings, is_zero_temperature

# How a served teacher is reached, not what it answers: changing them (fewer concurrent calls
# after a burst of 429s, a longer timeout) must not lose the answers cached so far.
TRANSPORT_KEYS = ("timeout", "max_concurrency", "max_tries", "backoff", "max_backoff")
# The local model's settings that give the same answers up to float rounding (LocalHF's docs).
LOCAL_SPEED_KEYS = ("threads", "batch_size", "reuse_prefix")
# Sampling settings, which a scored prompt's label scores do not depend on.
SAMPLING_KEYS = ("max_new_tokens", "do_sample", "temperature", "top_p", "top_k", "repetition_penalty")
LOCAL_PREFIX = "evokd.LocalHF."


def answer_settings(model_config: Any) -> Any:
    """The [teacher.model] block without its TRANSPORT_KEYS: the part of a cache key that names the model."""
    if not isinstance(model_config, dict):
        return model_config
    return {key: value for key, value in model_config.items() if key not in TRANSPORT_KEYS}


def is_local(model_config: Any) -> bool:
    """Whether the block names the in-process local model (`evokd.LocalHF.v*`)."""
    return isinstance(model_config, dict) and str(model_config.get("@llm_models", "")).startswith(LOCAL_PREFIX)


def local_answer_settings(model_config: Dict[str, Any], scored: bool) -> Dict[str, Any]:
    """The local model's answer settings: without its speed settings, v2 named as v3 (their answers
    are the same), any generation batch size as the default one (each prompt samples its own
    stream), and for a scored prompt without the sampling settings."""
    settings = {key: value for key, value in answer_settings(model_config).items() if key not in LOCAL_SPEED_KEYS}
    if settings.get("@llm_models") == "evokd.LocalHF.v2":
        settings["@llm_models"] = "evokd.LocalHF.v3"
    if int(settings.get("generation_batch_size") or 0) >= 1:  # 0 samples through generate(): other answers
        settings["generation_batch_size"] = 8
    if is_zero_temperature(dict(settings.get("config") or {})):  # decoded greedily since it was mended
        settings["config"] = {**greedy_settings(dict(settings["config"])), "zero_temperature": "greedy"}
    if scored:
        settings["config"] = {k: v for k, v in dict(settings.get("config") or {}).items() if k not in SAMPLING_KEYS}
    return settings


def model_id(settings: Any) -> str:
    """The model settings as the string a cache key hashes."""
    return json.dumps(settings, sort_keys=True, default=str)


def prompt_key(model: str, prompt: Any, sample: int) -> str:
    """Cache key of one call of the model whose settings `model` (a `model_id`) names."""
    payload = {
        "model": model,
        "prompt_type": type(prompt).__name__,
        "prompt": str(prompt),
        "choices": list(getattr(prompt, "choices", []) or []),
        "sample": sample,
    }
    if getattr(prompt, "decoding", None):  # how the answer is decoded (e.g. a grammar's version)
        payload["decoding"] = prompt.decoding
        # the grammar's label set and source text, where the prompt does not spell them out (a
        # user template); left out otherwise, so the keys of the shipped templates stay as they were
        hidden = {"labels": list(getattr(prompt, "labels", ())), "source": getattr(prompt, "source", "")}
        if not all(part in str(prompt) for part in hidden["labels"] + [hidden["source"]]):
            payload["grammar"] = hidden
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf8")).hexdigest()


class CacheKeys:
    """The cache keys of one teacher's calls, and the keys earlier versions gave them."""

    def __init__(self, model_config: Any) -> None:
        self.local = is_local(model_config)
        # temperature 0 sampled at 1.0 before it was mended: those answers must not be read back
        zero = self.local and is_zero_temperature(dict(model_config.get("config") or {}))
        plain = model_id(answer_settings(model_config))
        self.legacy_id = None if zero else plain
        self.generated_id = model_id(local_answer_settings(model_config, False)) if self.local else plain
        self.scored_id = model_id(local_answer_settings(model_config, True)) if self.local else plain

    def key(self, prompt: Any, sample: int) -> str:
        """Cache key of one call."""
        if self.local and getattr(prompt, "choices", None):
            return prompt_key(self.scored_id, prompt, 0)
        return prompt_key(self.generated_id, prompt, sample)

    def legacy_key(self, prompt: Any, sample: int) -> Optional[str]:
        """The key this call had before the local model's speed and sampling settings were left
        out, when it differs (None otherwise)."""
        if self.legacy_id is None:
            return None
        old = prompt_key(self.legacy_id, prompt, sample)
        return old if old != self.key(prompt, sample) else None
