"""Teacher calls with a persistent cache and usage accounting.

Every answered call is written at once, atomically, to `cache_dir/<k[:2]>/<k>.json`, where the
key hashes the model's config (name and generation parameters), the prompt, its choices and a
sample index. A re-run, or a restart after a crash, answers finished calls from disk.
"""
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from spacy.tokens import Doc
from wasabi import msg

from ..errors import BudgetExhausted, TeacherUnavailable
from ..llm_io import TeacherResponse, estimate_tokens, with_sample
from ..ty import TeacherTask
from ..util.io import atomic_write_json
from .budget import Budget, TeacherUsage
from .cache_keys import TRANSPORT_KEYS, CacheKeys, answer_settings  # noqa: F401 (TRANSPORT_KEYS, answer_settings: their old home)

IO_KEY = "evokd_io"
TOKENS_KEY = "evokd_tokens"  # prompt + completion tokens of the doc's call, cached or not


class TeacherClient:
    """Sends prompts to a spacy-llm model through the cache, counting calls, tokens and time."""

    def __init__(
        self,
        model: Any,
        model_config: Any,
        cache_dir: Path,
        progress: bool = True,
        budget: Optional[Budget] = None,
    ) -> None:
        self.model = model
        self.keys = CacheKeys(model_config)
        self.model_id = self.keys.generated_id
        self.cache_dir = Path(cache_dir)
        self.usage = TeacherUsage()
        self.progress = progress
        self.budget = budget or Budget()
        self._probed_unscored = False  # a cached text-read label was asked again and still came back unscored

    def key(self, prompt: Any, sample: int) -> str:
        """Cache key of one call (see `cache_keys.py`)."""
        return self.keys.key(prompt, sample)

    def _path(self, key: str) -> Path:
        return self.cache_dir / key[:2] / f"{key}.json"

    def _load(self, key: str) -> Optional[TeacherResponse]:
        path = self._path(key)
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf8"))
            answer = TeacherResponse(
                data["response"], data.get("scores"), data.get("prompt_tokens"), data.get("completion_tokens"), data.get("truncated", False)
            )
            answer.unscored = str(data.get("unscored", ""))
            return answer
        except (ValueError, KeyError):
            msg.warn(f"Ignoring a corrupt teacher-cache entry (it will be asked again): {path}")
            return None

    def _load_legacy(self, prompt: Any, key: str, sample: int) -> Optional[TeacherResponse]:
        """An answer cached under the key an earlier version gave this call; copied to its key now."""
        old = self.keys.legacy_key(prompt, sample)
        if old is None or not self._path(old).exists():
            return None
        answer = self._load(old)
        if answer is not None:
            self._path(key).parent.mkdir(parents=True, exist_ok=True)
            atomic_write_json(self._path(key), json.loads(self._path(old).read_text(encoding="utf8")))
        return answer

    def ask(self, prompts: Sequence[Any], desc: str = "teacher", sample_offset: int = 0) -> List[TeacherResponse]:
        """Answers to `prompts`, in order; cached answers are not asked again.

        A prompt's sample index is `sample_offset` plus the number of times the same prompt came
        before it in `prompts`; a different index asks a sampling model for a fresh answer.
        """
        seen: Counter = Counter()
        keys, samples = [], []
        for prompt in prompts:
            samples.append(sample_offset + seen[str(prompt)])
            keys.append(self.key(prompt, samples[-1]))
            seen[str(prompt)] += 1
        answers: List[Optional[TeacherResponse]] = [self._load(k) or self._load_legacy(p, k, s) for p, k, s in zip(prompts, keys, samples)]
        asked = self._drop_unscored(prompts, keys, samples, answers)
        cached = [a for i, a in enumerate(answers) if a is not None and i != asked]
        self.usage.cached += len(cached)
        self.usage.cached_tokens += sum((a.prompt_tokens or 0) + (a.completion_tokens or 0) for a in cached)
        todo = [i for i, a in enumerate(answers) if a is None]
        allowed = self.budget.calls_left()
        stopped = allowed is not None and allowed < len(todo)
        todo = todo[: allowed if stopped else None]
        if todo and hasattr(self.model, "complete") and getattr(self.model, "max_concurrency", 1) > 1:
            stopped = self._ask_concurrently(todo, prompts, keys, samples, answers, desc) or stopped
        elif todo:
            stream = self._answers([with_sample(prompts[i], samples[i]) for i in todo])
            if self.progress:
                from tqdm import tqdm

                stream = tqdm(stream, total=len(todo), desc=desc, unit="call", leave=False)
            start = time.perf_counter()
            for i, response in zip(todo, stream):
                elapsed = time.perf_counter() - start
                answer = self._record(prompts[i], response, elapsed)
                self._charge_and_save(keys[i], prompts[i], samples[i], answer, elapsed)
                answers[i] = answer
                if self.budget.exhausted() and any(a is None for a in answers):
                    stopped = True
                    break
                start = time.perf_counter()
        if stopped:
            raise BudgetExhausted(self.budget.describe())
        missing = [i for i, a in enumerate(answers) if a is None]
        if missing:
            raise TeacherUnavailable(f"The teacher returned no answer for {len(missing)} of {len(prompts)} prompts.")
        return [a for a in answers if a is not None]

    def _answers(self, prompts: List[Any]) -> Iterable[Any]:
        """The model's answers, in order. Our models stream a batch; another model (spacy-llm's
        REST models answer a batch only when every request in it is done) is asked one prompt at
        a time, so each paid answer is cached as it arrives, and its errors name the teacher."""
        if type(self.model).__module__.startswith("evokd_spacy."):
            yield from self.model([[p] for p in prompts])
            return
        for prompt in prompts:
            try:
                answer = next(iter(self.model([[prompt]])))
            except Exception as err:
                raise TeacherUnavailable(
                    f"The teacher ({type(self.model).__name__}) failed: {err}. Everything answered so far is saved: "
                    "start the run again to continue once it answers."
                ) from err
            yield answer

    def _drop_unscored(
        self, prompts: Sequence[Any], keys: List[str], samples: List[int], answers: List[Optional[TeacherResponse]]
    ) -> Optional[int]:
        """Forget cached label answers that were read as text (a served teacher gave no
        log-probabilities then) when the model scores labels: one of them is asked again first, and
        only if that answer comes back scored are the rest asked again too. A server that still
        gives none costs that one call, once a run, and its cached text answers stand. Returns the
        index of the answer asked again, if any."""
        if not getattr(self.model, "scores_choices", False) or self._probed_unscored:
            return None
        unscored = [i for i, a in enumerate(answers) if a is not None and a.scores is None and getattr(prompts[i], "choices", None)
                    and a.unscored != "unmatched"]  # a reasoning model's: it would think first again
        if not unscored or self.budget.exhausted():
            return None
        first = unscored[0]
        start = time.perf_counter()
        response = next(iter(self.model([[with_sample(prompts[first], samples[first])]])))
        answer = self._record(prompts[first], response, time.perf_counter() - start)
        self.budget.spend(answer)
        if answer.scores is None:  # not asked again in this run: each probe is a paid call
            self._probed_unscored = True
            return first
        self._save(keys[first], prompts[first], samples[first], answer, 0.0)
        answers[first] = answer
        for i in unscored[1:]:
            answers[i] = None
        msg.info(f"Asking {len(unscored)} cached labels again: they were read as text when the teacher gave no "
                 "log-probabilities, and it gives them now.")
        return first

    def _ask_concurrently(
        self,
        todo: List[int],
        prompts: Sequence[Any],
        keys: List[str],
        samples: List[int],
        answers: List[Optional[TeacherResponse]],
        desc: str,
    ) -> bool:
        """For models that answer one prompt at a time concurrently (`complete`, `max_concurrency`):
        save every answer the moment it arrives, whatever its order, so a crash loses none that
        came back. Returns True when the budget stopped the calls."""
        from concurrent.futures import ThreadPoolExecutor, as_completed

        def timed(prompt: Any) -> Tuple[Any, float]:
            start = time.perf_counter()
            return self.model.complete(prompt), time.perf_counter() - start

        wall, error, stopped = time.perf_counter(), None, False
        pool = ThreadPoolExecutor(max_workers=self.model.max_concurrency)
        try:
            futures = {pool.submit(timed, with_sample(prompts[i], samples[i])): i for i in todo}
            done = as_completed(futures)
            if self.progress:
                from tqdm import tqdm

                done = tqdm(done, total=len(futures), desc=desc, unit="call", leave=False)
            for future in done:
                i = futures[future]
                if future.cancelled():
                    continue
                try:
                    response, elapsed = future.result()
                except Exception as err:  # save the calls in flight, start no new one, re-raise the first error
                    if error is None:
                        error = err
                        for other in futures:
                            other.cancel()
                    continue
                answer = self._record(prompts[i], response, 0.0)
                self._charge_and_save(keys[i], prompts[i], samples[i], answer, elapsed)
                answers[i] = answer
                if self.budget.exhausted() and not stopped and any(answers[j] is None for j in todo):
                    stopped = True
                    for other in futures:
                        other.cancel()
        finally:  # on an interrupt (Ctrl-C) too: calls not yet started are never made
            pool.shutdown(wait=True, cancel_futures=True)
        self.usage.seconds += time.perf_counter() - wall
        if error is not None:
            raise error
        return stopped

    def run(self, task: TeacherTask, docs: Iterable[Doc], desc: str = "teacher", sample_offset: int = 0) -> List[Doc]:
        """Run a spacy-llm task on docs: render prompts, ask (through the cache), parse.

        Like spacy-llm's `save_io`, each doc keeps its prompt and raw response in `user_data`.
        A task may give a doc several prompts (a list); the doc's answers then reach the task
        together, in that order, as spacy-llm passes the answers to a doc's shards.
        """
        docs = list(docs)
        per_doc = [list(p) if isinstance(p, (list, tuple)) else [p] for p in task.generate_prompts(docs)]
        flat = self.ask([p for prompts in per_doc for p in prompts], desc=desc, sample_offset=sample_offset)
        answers, start = [], 0
        for prompts in per_doc:
            answers.append(flat[start:start + len(prompts)])
            start += len(prompts)
        parsed = list(task.parse_responses(docs, answers))
        for doc, prompts, mine in zip(parsed, per_doc, answers):
            doc.user_data[IO_KEY] = {"prompt": "\n\n".join(str(p) for p in prompts), "response": "\n\n".join(str(a) for a in mine)}
            doc.user_data[TOKENS_KEY] = sum((a.prompt_tokens or 0) + (a.completion_tokens or 0) for a in mine)
        return parsed

    def _record(self, prompt: Any, response: Any, seconds: float) -> TeacherResponse:
        if isinstance(response, (list, tuple)):
            response = response[0] if response else ""
        text = str(response if response is not None else "")
        prompt_tokens = getattr(response, "prompt_tokens", None)
        completion_tokens = getattr(response, "completion_tokens", None)
        answer = TeacherResponse(
            text,
            getattr(response, "scores", None),
            prompt_tokens if prompt_tokens is not None else estimate_tokens(str(prompt)),
            completion_tokens if completion_tokens is not None else estimate_tokens(text),
            bool(getattr(response, "truncated", False)),
            str(getattr(response, "refused", "") or ""),
        )
        answer.extra_calls = int(getattr(response, "extra_calls", 0) or 0)
        answer.unscored = str(getattr(response, "unscored", "") or "")
        self.usage.calls += 1 + answer.extra_calls
        self.usage.retries += int(getattr(response, "retries", 0) or 0)
        self.usage.prompt_tokens += answer.prompt_tokens or 0
        self.usage.completion_tokens += answer.completion_tokens or 0
        self.usage.seconds += seconds
        return answer

    def _charge_and_save(self, key: str, prompt: Any, sample: int, answer: TeacherResponse, seconds: float) -> None:
        """Charge the budget for a paid answer, then cache it: a kill between the two leaves a call
        charged that a resume asks again, never a cached answer that was not charged."""
        self.budget.spend(answer)
        self._save(key, prompt, sample, answer, seconds)

    def _save(self, key: str, prompt: Any, sample: int, answer: TeacherResponse, seconds: float) -> None:
        """Cache an answer, unless the server refused its prompt (a later run asks it again)."""
        if not answer.refused:
            atomic_write_json(self._path(key), {**self._entry(prompt, sample, answer), "seconds": round(seconds, 3)})

    def _entry(self, prompt: Any, sample: int, answer: TeacherResponse) -> Dict[str, Any]:
        return {
            "prompt": str(prompt),
            "sample": sample,
            "choices": list(getattr(prompt, "choices", []) or []),
            "response": str(answer),
            "scores": answer.scores,
            "prompt_tokens": answer.prompt_tokens,
            "completion_tokens": answer.completion_tokens,
            **({"truncated": True} if answer.truncated else {}),
            **({"unscored": answer.unscored} if answer.unscored else {}),
        }
