"""Choice scores from a server's log-probabilities (`evokd.OpenAICompatible.v3`).

A server does not score a given continuation, but it lists the most likely first tokens of its
answer with their log-probabilities (`top_logprobs`). A choice is scored by the first tokens
listed that begin it ("Pos" and "Positive" both begin "Positive"): their probabilities are
summed. A choice that no listed token begins is given the smaller of the least likely listed
token's probability and the probability mass left unlisted, its upper bound. This is the local
teacher's score for a choice of one token and an approximation for longer ones (their later tokens
are not scored).
"""
import math
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..llm_io import ChoicePrompt, TeacherResponse

TopLogprobs = List[Tuple[str, float]]
FLOOR = 1e-12  # the smallest probability a choice is given


def choice_scores(top: TopLogprobs, choices: Sequence[str]) -> Dict[str, float]:
    """Log-probability of each choice's first token(s), from the listed top tokens of the answer."""
    listed = listed_tokens(top)
    floor = unlisted_score(listed)
    scores = {}
    for choice in choices:
        mass = sum(math.exp(lp) for token, lp in listed if choice.startswith(token))
        scores[choice] = math.log(mass) if mass > 0 else floor
    return scores


def listed_tokens(top: TopLogprobs) -> TopLogprobs:
    """The listed first tokens that can begin a word (whitespace-only tokens say nothing of one)."""
    return [(token, logprob) for token, logprob in top if token.strip()]


def unlisted_score(listed: TopLogprobs) -> float:
    """The log-probability given to a choice no listed token begins: the smaller of the least
    likely listed token's probability and the mass left unlisted (at least FLOOR)."""
    unlisted = 1.0 - sum(math.exp(lp) for _, lp in listed)
    least = min((math.exp(lp) for _, lp in listed), default=1.0)
    return math.log(max(FLOOR, min(least, unlisted)))


def scored_answer(prompt: ChoicePrompt, top: TopLogprobs, prompt_tokens: int, completion_tokens: int) -> TeacherResponse:
    """The teacher's answer to a choice prompt: the best choice, with every choice's score."""
    scores = choice_scores(top, prompt.choices)
    best = max(prompt.choices, key=lambda c: scores[c])
    return TeacherResponse(best, scores=scores, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)


def chat_top_logprobs(data: Dict[str, Any]) -> Optional[TopLogprobs]:
    """The first answer token's top log-probabilities in a chat completion, or None when absent."""
    try:
        first = data["choices"][0]["logprobs"]["content"][0]
        return [(str(t["token"]), float(t["logprob"])) for t in first["top_logprobs"]] or None
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def completion_top_logprobs(data: Dict[str, Any]) -> Optional[TopLogprobs]:
    """The first answer token's top log-probabilities in a (legacy) text completion, or None.
    llama.cpp's own server answers `/completions` in the chat shape (`logprobs.content`); that is read too."""
    try:
        first = data["choices"][0]["logprobs"]["top_logprobs"][0]
        return [(str(token), float(logprob)) for token, logprob in first.items()] or None
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return chat_top_logprobs(data)


def begins_a_choice(top: TopLogprobs, choices: Sequence[str]) -> bool:
    """Whether any listed token begins any choice; when none does (a reasoning model's first token
    is its thinking), the scores say nothing of the choices."""
    return any(choice.startswith(token) for token, _ in listed_tokens(top) for choice in choices)
