"""How a served teacher's replies are read: a Retry-After, a prompt refused as too long for the
server's context, and what to change when it refuses a log-probability request."""
import re
from typing import Any, Dict, Optional

from wasabi import msg

from ..llm_io import TeacherResponse, estimate_tokens

MAX_RETRY_AFTER = 300.0  # seconds: a server's Retry-After is honoured up to this
# a 400/413 that is about this prompt's length, not the request: llama.cpp, vLLM, OpenAI wordings
TOO_LONG = re.compile(r"context[ _]length|maximum context|context window|too many tokens|prompt is too long|exceeds? the (?:available )?context|n_ctx", re.I)
# a refusal of too many log-probabilities: vLLM ("logprobs of 21, which is greater than max
# allowed: 20"), Ollama ("top_logprobs must be between 0 and 20"), OpenAI ("maximum value for logprobs")
LOGPROB_LIMIT = re.compile(r"logprobs?\b.{0,60}\b(greater|between|maximum|at most|exceed)|maximum value for .{0,20}logprobs", re.I | re.S)


def refusal_hint(plain: bool, reply: str = "") -> str:
    """What to change when a server refuses a log-probability request (a plain one went to
    /completions), from what it replied."""
    if LOGPROB_LIMIT.search(reply):
        return (" It was asked for more log-probabilities than it gives: lower [teacher.model] choice_logprobs (vLLM, "
                "Ollama and OpenAI's chat allow up to 20, OpenAI's /completions 5), or start vLLM with a larger --max-logprobs.")
    if plain:
        return (" A plain pattern ([teacher.label] plain_pattern) is sent to /completions, which chat-only servers lack: "
                "leave plain_pattern unset, or set [teacher.model] choice_logprobs = 0 to send it as a chat message.")
    return " It was asked for log-probabilities: set [teacher.model] choice_logprobs = 0 if it gives none."


def prompt_text(body: Dict[str, Any]) -> str:
    """The prompt a request sends: its chat message, or a plain completion's text."""
    return str(body["prompt"]) if "prompt" in body else str(body["messages"][0]["content"])


def refused_answer(url: str, body: Dict[str, Any], reason: str) -> TeacherResponse:
    """An empty answer for one prompt the server refused as too long: the task drops it like any
    empty answer, the run goes on, and (not being cached) it is asked again on a later run."""
    msg.warn(f"The teacher at {url} refused a prompt as too long for its context; its answer is left empty. "
             "A larger context on the server (llama.cpp --ctx-size, vLLM --max-model-len) answers it on a later run.")
    return TeacherResponse("", prompt_tokens=estimate_tokens(prompt_text(body)), completion_tokens=0, refused=reason[:300])


def retry_after(value: Optional[str]) -> Optional[float]:
    try:
        return min(MAX_RETRY_AFTER, max(0.0, float(value))) if value is not None else None
    except ValueError:
        return None


def unsupported_setting(reply: Any) -> Optional[str]:
    """The request setting that a 400 in OpenAI's form names as one this model does not take
    (`error.code` "unsupported_parameter" or "unsupported_value" with `error.param`, as reasoning
    models answer `temperature` or `max_tokens`), or None."""
    try:
        error = reply.json()["error"]
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if isinstance(error, dict) and error.get("code") in ("unsupported_parameter", "unsupported_value") and isinstance(error.get("param"), str):
        return error["param"]
    return None


def read_usage(usage: Any) -> Dict[str, int]:
    """A reply's token counts that are whole numbers ("prompt_tokens", "completion_tokens"); a
    `usage` that is not an object, or a count that is not a number, is left out (then estimated)."""
    if not isinstance(usage, dict):
        return {}
    counts = {}
    for key in ("prompt_tokens", "completion_tokens"):
        try:
            counts[key] = int(usage[key])
        except (KeyError, TypeError, ValueError):
            continue
    return counts
