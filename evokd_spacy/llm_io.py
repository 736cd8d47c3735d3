"""Prompt and response types shared by tasks and teachers.

Both are `str` subclasses, so any spacy-llm model (hosted APIs included) handles them as
plain text; a teacher that can do more (score choices by log-probability, report token
counts) reads the extra attributes.
"""
import math
from typing import Any, Dict, Optional, Sequence

from .util.scripts import count_unspaced


class ChoicePrompt(str):
    """A prompt whose answer is one of `choices`; a local model scores each by log-probability."""

    choices: Sequence[str]

    def __new__(cls, text: str, choices: Sequence[str]) -> "ChoicePrompt":
        obj = super().__new__(cls, text)
        obj.choices = tuple(choices)
        return obj


class PlainChoicePrompt(ChoicePrompt):
    """A choice prompt read as running text, not as a chat message: a local model scores each
    choice as the words that follow the prompt ("Review: ...\nSentiment:" then " positive"),
    without its chat template. Any other model reads it as a plain choice prompt."""

    # Part of the teacher-cache key: the same text asked through the chat template is another question.
    # 2: a choice is tokenized as it follows the prompt (SentencePiece tokenizers scored a lone "▁")
    decoding = "plain-text-2"


class GreedyPrompt(str):
    """A prompt whose answer should be decoded greedily (extraction, not creative writing)."""


class EntityListPrompt(GreedyPrompt):
    """A prompt answered by a JSON list of entities found in `source`, labelled from `labels`.

    A local model decodes it constrained to that grammar (`teachers/entity_grammar.py`): every
    answer parses, uses a known label and names a string that occurs in `source`. Any other model
    reads it as a plain greedy prompt.
    """

    source: str
    labels: Sequence[str]
    # Part of the teacher-cache key: a changed grammar must not reuse answers decoded under the old one.
    # 3: SentencePiece tokens keep their leading space (multi-word entities were impossible before).
    decoding = "entity-grammar-3"

    def __new__(cls, text: str, source: str, labels: Sequence[str]) -> "EntityListPrompt":
        obj = super().__new__(cls, text)
        obj.source = source
        obj.labels = tuple(labels)
        return obj


class SampledPrompt(str):
    """A prompt asked for the n-th time (`sample` > 0): a sampling model should draw a new answer."""

    sample: int

    def __new__(cls, text: str, sample: int) -> "SampledPrompt":
        obj = super().__new__(cls, text)
        obj.sample = sample
        return obj


def with_sample(prompt: Any, sample: int) -> Any:
    """Mark a plain prompt with its sample index. Choice prompts are scored and greedy ones (entity
    lists included) decoded greedily, never sampled, so they keep their type whatever the index."""
    if sample == 0 or getattr(prompt, "choices", None) or isinstance(prompt, GreedyPrompt):
        return prompt
    return SampledPrompt(str(prompt), sample)


class TeacherResponse(str):
    """A teacher's answer, with log-probability `scores` per choice and token counts when known;
    `truncated` when it was cut off at the completion token limit (its last line is unfinished)."""

    scores: Optional[Dict[str, float]]
    prompt_tokens: Optional[int]
    completion_tokens: Optional[int]
    retries: int
    extra_calls: int
    unscored: str
    truncated: bool
    refused: str  # why a server refused this one prompt ("" when it answered); such answers are not cached

    def __new__(
        cls,
        text: str,
        scores: Optional[Dict[str, float]] = None,
        prompt_tokens: Optional[int] = None,
        completion_tokens: Optional[int] = None,
        truncated: bool = False,
        refused: str = "",
    ) -> "TeacherResponse":
        obj = super().__new__(cls, text)
        obj.scores = dict(scores) if scores is not None else None
        obj.prompt_tokens = prompt_tokens
        obj.completion_tokens = completion_tokens
        obj.retries = 0
        obj.extra_calls = 0  # paid requests besides the one that gave this answer (a served label read again as text)
        obj.unscored = ""  # why a choice prompt's answer has no scores: "unmatched" (its likeliest tokens began no choice)
        obj.truncated = bool(truncated)
        obj.refused = refused
        return obj


def softmax(scores: Dict[str, float]) -> Dict[str, float]:
    """Normalise log-probabilities over the choices into probabilities."""
    top = max(scores.values())
    exp = {k: math.exp(v - top) for k, v in scores.items()}
    total = sum(exp.values())
    return {k: v / total for k, v in exp.items()}


def estimate_tokens(text: str) -> int:
    """Rough token count for models that report none: about 4 characters a token, and a token for
    each Chinese, Japanese or Thai character."""
    if not text:
        return 0
    unspaced = count_unspaced(text)
    return max(1, unspaced + (len(text) - unspaced + 3) // 4)
