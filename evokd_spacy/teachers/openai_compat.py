"""A spacy-llm model for any OpenAI-compatible chat server (vLLM, Ollama, llama.cpp server, hosted APIs).

Requests run concurrently up to `max_concurrency` and answers keep the prompts' order. 429, 5xx,
timeouts, dropped connections and malformed replies are retried with exponential backoff and
jitter (honouring `Retry-After`); after `max_tries` the call fails with a clear error. The API
key is read from the environment variable *named* in the config, never stored anywhere.
v2 also asks the server to constrain entity-list answers (`EntityListPrompt`) to a JSON schema
over the label set, in the dialect named by `structured_output`. v3 also scores labels by
log-probability: a choice prompt asks for one answer token and its `top_logprobs`
(`choice_logprobs.py`); a plain-text one (`PlainChoicePrompt`) goes to `/completions`, outside the
chat template, as the local teacher reads it.
"""
import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterable, Optional, Set, Tuple

from wasabi import msg

from ..errors import ConfigError, TeacherUnavailable
from ..llm_io import ChoicePrompt, EntityListPrompt, GreedyPrompt, PlainChoicePrompt, TeacherResponse, estimate_tokens
from ..registry import registry
from .choice_logprobs import begins_a_choice, chat_top_logprobs, completion_top_logprobs, scored_answer
from .request_settings import LeftOutSettings, without_local_settings
from .server_replies import TOO_LONG, prompt_text, read_usage, refusal_hint, refused_answer, retry_after, unsupported_setting
from .structured_output import STRUCTURED_OUTPUT, response_format

RETRY_STATUS = {408, 409, 425, 429} | set(range(500, 600)) - {501, 505}  # 5xx: overloaded (529), proxies (520-524)
SAMPLING_KEYS = ("temperature", "top_p", "top_k", "min_p", "seed")


class _Retry(Exception):
    def __init__(self, reason: str, wait: Optional[float] = None) -> None:
        super().__init__(reason)
        self.wait = wait


class _PaidReply(Exception):
    """A reply that was paid for but is not the answer: its tokens are charged to the answer asked next."""

    def __init__(self, tokens: Tuple[int, int] = (0, 0)) -> None:
        super().__init__()
        self.tokens = tokens

    def charge(self, answer: TeacherResponse) -> TeacherResponse:
        """`answer` with this reply's tokens and request added."""
        answer.prompt_tokens = (answer.prompt_tokens or 0) + self.tokens[0]
        answer.completion_tokens = (answer.completion_tokens or 0) + self.tokens[1]
        answer.extra_calls += 1
        return answer


class _NoLogprobs(_PaidReply):
    """The server answered a choice prompt without the log-probabilities it was asked for."""


class _Unsupported(Exception):
    """The server refused a setting of the request that this model does not take."""

    def __init__(self, setting: str) -> None:
        super().__init__(setting)
        self.setting = setting


class _Unmatched(_PaidReply):
    """The answer's listed first tokens begin none of the choices (e.g. a reasoning model thinking first)."""

    def __init__(self, first: str, tokens: Tuple[int, int] = (0, 0)) -> None:
        super().__init__(tokens)
        self.first = first


def check_url(base_url: str) -> None:
    """A ConfigError naming `base_url` when it is no valid URL (a bad port, an unclosed IPv6 bracket)."""
    import httpx

    try:
        httpx.URL(str(base_url))
    except (httpx.InvalidURL, ValueError) as err:
        raise ConfigError(f"[teacher.model] base_url = {base_url!r} is not a valid URL ({err}); e.g. 'http://127.0.0.1:8000/v1'.") from None


class OpenAICompatibleModel:
    """Chat-completions client with bounded concurrency, retries and token accounting."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key_env: Optional[str] = None,
        config: Optional[Dict[str, Any]] = None,
        timeout: float = 60.0,
        max_concurrency: int = 4,
        max_tries: int = 5,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        structured_output: str = "none",
        choice_logprobs: int = 0,
    ) -> None:
        if max_concurrency < 1 or max_tries < 1:
            raise ConfigError("[teacher.model] max_concurrency and max_tries must be >= 1.")
        if choice_logprobs < 0:
            raise ConfigError(f"[teacher.model] choice_logprobs must be >= 0 (0: labels are read from the answer text), not {choice_logprobs}.")
        if structured_output not in STRUCTURED_OUTPUT:
            raise ConfigError(f"[teacher.model] structured_output must be one of {', '.join(STRUCTURED_OUTPUT)}, not '{structured_output}'.")
        if not str(base_url).startswith(("http://", "https://")):
            raise ConfigError(f"[teacher.model] base_url = {base_url!r} needs its scheme, like 'http://127.0.0.1:8000/v1'.")
        check_url(base_url)
        self.structured_output = structured_output
        self.choice_logprobs = choice_logprobs
        self._logprobs_missing: Set[str] = set()  # the endpoints that answered a choice prompt without them
        self._unmatched_warned = False
        self.left_out = LeftOutSettings()  # request settings the server refused as unsupported by its model
        self.completions_url = base_url.rstrip("/") + "/completions"
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key_env = api_key_env
        self.config = without_local_settings(dict(config or {}))
        self.timeout = timeout
        self.max_concurrency = max_concurrency
        self.max_tries = max_tries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._local = threading.local()

    @property
    def scores_choices(self) -> bool:
        """Whether a choice prompt is answered with label scores now (asked for, and not given up on)."""
        return bool(self.choice_logprobs) and not {self.url, self.completions_url} <= self._logprobs_missing

    def _headers(self) -> Dict[str, str]:
        if not self.api_key_env:
            return {}
        key = os.environ.get(self.api_key_env)
        if not key:
            raise TeacherUnavailable(
                f"The teacher's API key is not set: export {self.api_key_env}=... (the config names the variable, "
                "never the key itself)."
            )
        return {"Authorization": f"Bearer {key}"}

    def _client(self) -> Any:
        import httpx

        if getattr(self._local, "client", None) is None:
            self._local.client = httpx.Client(timeout=self.timeout)
        return self._local.client

    def __call__(self, prompts: Iterable[Iterable[Any]]) -> Iterable[Iterable[Any]]:
        """Answer every doc's prompts; requests overlap, answers are yielded in order."""
        docs = [list(shards) for shards in prompts]
        headers = self._headers()
        with ThreadPoolExecutor(max_workers=self.max_concurrency) as pool:
            futures = [[pool.submit(self.complete, p, headers) for p in shards] for shards in docs]
            try:
                for doc_futures in futures:
                    yield [f.result() for f in doc_futures]
            finally:
                for doc_futures in futures:
                    for f in doc_futures:
                        f.cancel()

    def _request(self, prompt: Any, scored: bool = True) -> Tuple[str, Dict[str, Any], Optional[ChoicePrompt]]:
        """The URL and body of one prompt's request, and the choice prompt it scores (if any;
        never when not `scored`: the answer is read from its text), without the settings the
        server refused (`max_tokens` becomes `max_completion_tokens`)."""
        url, body, choice = self._full_request(prompt, scored)
        return url, self.left_out.applied(body), choice

    def _full_request(self, prompt: Any, scored: bool) -> Tuple[str, Dict[str, Any], Optional[ChoicePrompt]]:
        body = {"model": self.model, "messages": [{"role": "user", "content": str(prompt)}], **self.config}
        if isinstance(prompt, (GreedyPrompt, ChoicePrompt)):
            # labels and entities: the model's best answer, as the local teacher decodes them,
            # whatever temperature the config sets for generation
            body = {**{k: v for k, v in body.items() if k not in SAMPLING_KEYS}, "temperature": 0.0}
        elif getattr(prompt, "sample", 0):
            body["seed"] = int(self.config.get("seed", 0)) + prompt.sample  # a fresh sample of a repeated prompt
        if isinstance(prompt, EntityListPrompt):
            constraint = response_format(self.structured_output, prompt.labels)
            if constraint:
                body["response_format"] = constraint
        plain = isinstance(prompt, PlainChoicePrompt)
        endpoint = self.completions_url if plain else self.url
        if not (scored and isinstance(prompt, ChoicePrompt) and self.choice_logprobs and endpoint not in self._logprobs_missing):
            return self.url, body, None
        body["max_tokens"] = 1
        if plain:  # running text: no chat template
            body = {**{k: v for k, v in body.items() if k != "messages"}, "prompt": str(prompt), "logprobs": self.choice_logprobs}
            return self.completions_url, body, prompt
        return self.url, {**body, "logprobs": True, "top_logprobs": self.choice_logprobs}, prompt

    def complete(self, prompt: Any, headers: Optional[Dict[str, str]] = None, scored: bool = True) -> TeacherResponse:
        """One completion, retried as configured."""
        url, body, choice = self._request(prompt, scored)
        last = ""
        for attempt in range(1, self.max_tries + 1):
            try:
                answer = self._once(url, body, headers if headers is not None else self._headers(), choice)
                answer.retries = attempt - 1
                return answer
            except _NoLogprobs as err:
                self._without_logprobs(url)
                return err.charge(self.complete(prompt, headers))
            except _Unsupported as err:
                if err.setting in ("logprobs", "top_logprobs"):
                    self._without_logprobs(url)
                else:
                    self.left_out.add(err.setting, f"The teacher at {url}, model {self.model!r},")
                return self.complete(prompt, headers, scored)
            except _Unmatched as err:
                if not self._unmatched_warned:
                    self._unmatched_warned = True
                    msg.warn(f"The teacher's likeliest first answer tokens (first: {err.first!r}) begin none of the labels' "
                             "words, so such a label is read from the answer text. A reasoning model thinks first: turn "
                             "that off, e.g. [teacher.model.config.chat_template_kwargs] enable_thinking = false for "
                             "Qwen3 on vLLM or llama.cpp's server.")
                answer = err.charge(self.complete(prompt, headers, scored=False))
                answer.unscored = "unmatched"  # asked again next run, it would think first again
                return answer
            except _Retry as err:
                last = str(err)
                if attempt == self.max_tries:
                    break
                wait = err.wait if err.wait is not None else min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
                time.sleep(wait * (1.0 if err.wait is not None else random.uniform(0.5, 1.5)))
        raise TeacherUnavailable(
            f"The teacher at {url} failed {self.max_tries} times (last: {last}). Everything finished so far "
            "is saved: start the run again to continue once the server answers."
        )

    def _without_logprobs(self, url: str) -> None:
        """Read labels sent to `url` from their answer text from now on, with one warning."""
        if url in self._logprobs_missing:
            return
        self._logprobs_missing.add(url)
        fix = ("leave [teacher.label] plain_pattern unset so they are asked as chat messages"
               if url == self.completions_url else "set [teacher.model] choice_logprobs = 0 to stop asking for them")
        msg.warn(f"The teacher at {url} gave no log-probabilities for a label; labels sent there are now read "
                 f"from its answer text, without confidences or calibration. To avoid it, {fix}.")

    def _once(self, url: str, body: Dict[str, Any], headers: Dict[str, str], choice: Optional[ChoicePrompt] = None) -> TeacherResponse:
        import httpx

        try:
            response = self._client().post(url, json=body, headers=headers)
        except httpx.TimeoutException:
            raise _Retry("timeout") from None
        except httpx.TransportError as err:
            raise _Retry(f"connection error ({type(err).__name__})") from None
        if response.status_code in RETRY_STATUS:
            raise _Retry(f"HTTP {response.status_code} {response.text[:200]}".strip(), retry_after(response.headers.get("retry-after")))
        if response.status_code in (400, 413) and TOO_LONG.search(response.text or ""):
            return refused_answer(url, body, response.text)
        setting = unsupported_setting(response) if response.status_code == 400 else None
        if setting and (setting in body or setting == "top_logprobs" and "logprobs" in body):
            raise _Unsupported(setting)
        if response.status_code >= 400:
            hint = refusal_hint(url == self.completions_url, response.text or "") if choice else ""
            raise TeacherUnavailable(f"The teacher at {url} refused the request: HTTP {response.status_code} {response.text[:300]}{hint}")
        try:
            data = response.json()
            first = data["choices"][0]
            text = (first["text"] if "prompt" in body else first["message"]["content"]) or ""
            truncated = first.get("finish_reason") == "length"
        except (ValueError, KeyError, IndexError, TypeError):
            raise _Retry("malformed reply (no choices[0] answer)") from None
        usage = read_usage(data.get("usage"))
        prompt_tokens = usage.get("prompt_tokens", estimate_tokens(prompt_text(body)))
        if choice is not None:
            top = completion_top_logprobs(data) if "prompt" in body else chat_top_logprobs(data)
            paid = (int(prompt_tokens), int(usage.get("completion_tokens", 1)))
            if top is None:
                raise _NoLogprobs(paid)
            if not begins_a_choice(top, choice.choices):
                raise _Unmatched(top[0][0], paid)
            return scored_answer(choice, top, prompt_tokens, usage.get("completion_tokens", 1))
        return TeacherResponse(text, prompt_tokens=prompt_tokens, completion_tokens=usage.get("completion_tokens", estimate_tokens(text)), truncated=truncated)


@registry.llm_models("evokd.OpenAICompatible.v1")
def make_openai_compatible_model(
    base_url: str,
    model: str,
    api_key_env: Optional[str] = None,
    config: Dict[str, Any] = {},
    timeout: float = 60.0,
    max_concurrency: int = 4,
    max_tries: int = 5,
    backoff: float = 1.0,
    max_backoff: float = 30.0,
) -> OpenAICompatibleModel:
    """Teacher on an OpenAI-compatible server; `api_key_env` names the variable that holds the key."""
    return OpenAICompatibleModel(**{**locals(), "config": dict(config)})


@registry.llm_models("evokd.OpenAICompatible.v2")
def make_openai_compatible_model_v2(
    base_url: str,
    model: str,
    api_key_env: Optional[str] = None,
    config: Dict[str, Any] = {},
    timeout: float = 60.0,
    max_concurrency: int = 4,
    max_tries: int = 5,
    backoff: float = 1.0,
    max_backoff: float = 30.0,
    structured_output: str = "json_schema",
) -> OpenAICompatibleModel:
    """v1 plus structured output: entity-list answers (`evokd.NERLabel.v2`) are constrained by the
    server to a JSON schema over the label set; `structured_output` names the server's dialect
    ("json_schema", "json_object" for llama-cpp-python's server, or "none")."""
    return OpenAICompatibleModel(**{**locals(), "config": dict(config)})


@registry.llm_models("evokd.OpenAICompatible.v3")
def make_openai_compatible_model_v3(
    base_url: str,
    model: str,
    api_key_env: Optional[str] = None,
    config: Dict[str, Any] = {},
    timeout: float = 60.0,
    max_concurrency: int = 4,
    max_tries: int = 5,
    backoff: float = 1.0,
    max_backoff: float = 30.0,
    structured_output: str = "json_schema",
    choice_logprobs: int = 20,
) -> OpenAICompatibleModel:
    """v2 plus labels scored by log-probability: each choice prompt asks for one answer token and
    its `choice_logprobs` most likely first tokens, which score the labels' words, so labels get
    confidences and calibration as with the local teacher (0: labels read from the answer text,
    as v2). A plain-text choice prompt is sent to `/completions`, outside the chat template."""
    return OpenAICompatibleModel(**{**locals(), "config": dict(config)})
