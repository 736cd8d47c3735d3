"""A spacy-llm model that runs a local instruct LLM in-process on CPU (or GPU) with transformers.

Loads an HF model directory, or a GGUF file (transformers de-quantises it at load). The model
is loaded lazily on the first call, so building a config never imports torch.
Plain prompts are answered by generation; a `ChoicePrompt` is answered by scoring each choice
by its log-probability after the prompt (the prompt runs once; its key/value cache is shared by
the choices); an `EntityListPrompt` is decoded greedily, constrained to a JSON entity list over
its text and labels. `prompt_tokens` counts the tokens of the prompts (and choices) the model was
given, as a hosted API would bill them, also when `reuse_prefix` spared it running some of them.
"""
import os
import zlib
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

from ..errors import TeacherUnavailable
from ..llm_io import ChoicePrompt, EntityListPrompt, GreedyPrompt, PlainChoicePrompt, TeacherResponse
from ..registry import registry
from .choice_scoring import ChoiceScoring
from .local_settings import DEFAULT_GENERATION, greedy_at_zero_temperature, greedy_settings, is_out_of_memory, model_path_problem
from .prefix_cache import PrefixCache

class LocalHFModel(ChoiceScoring):
    """Callable like any spacy-llm model: prompts per doc in, responses per doc out."""

    def __init__(
        self,
        path: str,
        config: Optional[Dict[str, Any]] = None,
        system_prompt: Optional[str] = None,
        seed: int = 0,
        device: str = "cpu",
        threads: Optional[int] = None,
        batch_size: int = 1,
        generation_batch_size: int = 0,
        reuse_prefix: bool = False,
    ) -> None:
        self.path = Path(path)
        self.batch_size = max(1, batch_size)
        # 0: sampled prompts one at a time through generate()'s own sampling (v1); >= 1: up to
        # that many in one batch, each with its own random stream (v2, batched_sampling.py)
        self.generation_batch_size = max(0, generation_batch_size)
        self.config = greedy_at_zero_temperature({**DEFAULT_GENERATION, **(config or {})})
        self.system_prompt = system_prompt
        self.seed = seed
        self.device = device
        self.threads = threads
        # scoring and greedy prompts continue the key/value cache of the opening they share with
        # the prompt before them (instructions, exemplars: prefix_cache.py)
        self._prefix = PrefixCache() if reuse_prefix else None
        self._model: Any = None
        self._tokenizer: Any = None

    def _load(self) -> None:
        if self._model is not None:
            return
        problem = model_path_problem(self.path)
        if problem:
            raise TeacherUnavailable(
                f"{problem}. For the default teacher run `python -m evokd_spacy prepare-teacher` (or `spacy project "
                "run teacher`), or set [teacher.model] path to an HF model directory (with its config.json) or a .gguf file."
            )
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        if self.threads:
            torch.set_num_threads(self.threads)
        kwargs: Dict[str, Any] = {}
        directory = self.path
        if self.path.is_file():
            directory, kwargs["gguf_file"] = self.path.parent, self.path.name
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(directory, **kwargs)
            self._model = AutoModelForCausalLM.from_pretrained(directory, **kwargs).to(self.device).eval()
        except (OSError, ValueError, ImportError, KeyError) as err:
            raise TeacherUnavailable(f"transformers could not load the teacher model at {self.path}: {err}. Give [teacher.model] "
                                     "path an instruct model's HF directory or a .gguf file it can read "
                                     "(`python -m evokd_spacy prepare-teacher` makes the default one).") from err
        if self._tokenizer.pad_token_id is None:
            self._tokenizer.pad_token = self._tokenizer.eos_token

    def _chat_ids(self, prompt: Any) -> List[int]:
        """The prompt's token ids in the model's chat template (a `PlainChoicePrompt`: as plain text)."""
        if isinstance(prompt, PlainChoicePrompt):
            return list(self._tokenizer(str(prompt)).input_ids)
        messages = [{"role": "system", "content": self.system_prompt}] if self.system_prompt else []
        messages.append({"role": "user", "content": str(prompt)})
        if getattr(self._tokenizer, "chat_template", None):
            return list(self._tokenizer.apply_chat_template(messages, add_generation_prompt=True))
        return list(self._tokenizer(str(prompt) + "\n").input_ids)

    def __call__(self, prompts: Iterable[Iterable[Any]]) -> Iterable[Iterable[Any]]:
        """Answer each doc's prompts, yielding each doc's answers as soon as they are ready.

        Consecutive docs whose prompts are all choice prompts (up to `batch_size`) are scored in
        one forward pass, and consecutive docs whose prompts are all sampled generation (up to
        `generation_batch_size`) are decoded in one batch; answers keep the docs' order.
        """
        self._load()
        try:
            yield from self._answers(prompts)
        except RuntimeError as err:  # torch.OutOfMemoryError is one
            if not is_out_of_memory(err):
                raise
            raise TeacherUnavailable(
                f"The local teacher ran out of memory on {self.device} ({str(err).splitlines()[0][:200]}). Everything answered "
                "so far is cached: lower [teacher.model] generation_batch_size or batch_size, or [teacher.model.config] "
                "max_new_tokens, or use a smaller model, and start the run again."
            ) from err

    def _answers(self, prompts: Iterable[Iterable[Any]]) -> Iterable[Iterable[Any]]:
        pending: List[List[Any]] = []
        pending_kind: Optional[str] = None
        for shards in prompts:
            shards = list(shards)
            kind = self._batch_kind(shards)
            if pending and kind != pending_kind:
                yield from self._answer_batch(pending, pending_kind)
                pending = []
            if kind is None:
                yield [self.respond(prompt) for prompt in shards]
                continue
            pending.append(shards)
            pending_kind = kind
            if len(pending) >= (self.batch_size if kind == "choices" else self.generation_batch_size):
                yield from self._answer_batch(pending, kind)
                pending = []
        if pending:
            yield from self._answer_batch(pending, pending_kind)

    def _batch_kind(self, shards: List[Any]) -> Optional[str]:
        """How a doc's prompts may be batched with the next docs': "choices", "sampled" or None."""
        if self.batch_size > 1 and all(isinstance(p, ChoicePrompt) and p.choices for p in shards):
            return "choices"
        if self.generation_batch_size > 1 and all(self._is_sampled(p) for p in shards):
            return "sampled"
        return None

    def _is_sampled(self, prompt: Any) -> bool:
        """Whether a prompt is answered by sampled generation (not scored, not greedy) that the
        batched decoder can do (a config with other generation settings uses generate())."""
        from .batched_sampling import SUPPORTED_KEYS

        plain = not isinstance(prompt, GreedyPrompt) and not (isinstance(prompt, ChoicePrompt) and prompt.choices)
        return plain and bool(self.config.get("do_sample")) and set(self.config) <= SUPPORTED_KEYS

    def _answer_batch(self, docs: List[List[Any]], kind: Optional[str]) -> Iterable[List[TeacherResponse]]:
        flat = [p for shards in docs for p in shards]
        answers = iter(self._score_choices_batch(flat) if kind == "choices" else self._sample_batch(flat))
        for shards in docs:
            yield [next(answers) for _ in shards]

    def respond(self, prompt: Any) -> TeacherResponse:
        """Generate for a plain prompt; score the choices of a ChoicePrompt."""
        self._load()
        if isinstance(prompt, ChoicePrompt) and prompt.choices:
            return self._score_choices(prompt)
        if isinstance(prompt, EntityListPrompt):
            return self._generate(str(prompt), greedy=True, entities=prompt)
        if self.generation_batch_size and self._is_sampled(prompt):
            return self._sample_batch([prompt])[0]
        return self._generate(str(prompt), int(getattr(prompt, "sample", 0)), greedy=isinstance(prompt, GreedyPrompt))

    def _generate(self, prompt: str, sample: int = 0, greedy: bool = False, entities: Optional[EntityListPrompt] = None) -> TeacherResponse:
        import torch

        ids = self._chat_ids(prompt)
        input_ids = torch.tensor([ids], device=self.device)
        torch.manual_seed(self._prompt_seed(prompt, sample))
        decoder = self._entity_decoder(entities, len(ids)) if entities is not None else None
        start, cache = self._prefix.lookup(ids) if self._prefix else (0, None)
        with torch.no_grad():
            output = self._model.generate(
                input_ids,
                attention_mask=torch.ones_like(input_ids),
                pad_token_id=self._tokenizer.pad_token_id,
                return_dict_in_generate=True,
                **self._decoding(greedy),
                **({"logits_processor": [decoder]} if decoder else {}),
                **({"past_key_values": cache} if cache is not None else {}),
            )
        if self._prefix and output.past_key_values is not None:
            self._prefix.store(output.sequences[0].tolist(), output.past_key_values)
        new = output.sequences[0, len(ids):]
        if decoder is not None:  # cut off: out of tokens, no allowed token left, or as many entities as allowed
            decoder.sync(new.tolist())
            text, truncated = decoder.answer(), not decoder.is_complete()
        else:
            text, truncated = self._tokenizer.decode(new, skip_special_tokens=True), self._cut_off(new.tolist())
        return TeacherResponse(text.strip(), prompt_tokens=len(ids), completion_tokens=int(new.shape[0]), truncated=truncated)

    def _prompt_seed(self, prompt: str, sample: int) -> int:
        return self.seed + zlib.crc32(prompt.encode("utf8")) + 1_000_003 * sample

    def _eos_ids(self) -> List[int]:
        eos = self._model.generation_config.eos_token_id
        return ([eos] if isinstance(eos, int) else list(eos or [])) or [self._tokenizer.eos_token_id]

    def _sample_batch(self, prompts: List[Any]) -> List[TeacherResponse]:
        """Sampled answers to plain prompts, decoded together, each from its own random stream."""
        from .batched_sampling import sample_batch

        rows = [self._chat_ids(str(p)) for p in prompts]
        seeds = [self._prompt_seed(str(p), int(getattr(p, "sample", 0))) for p in prompts]
        new = sample_batch(self._model, rows, seeds, self.config, self._tokenizer.pad_token_id, self._eos_ids(), self.device)
        return [
            TeacherResponse(self._tokenizer.decode(ids, skip_special_tokens=True).strip(), prompt_tokens=len(row), completion_tokens=len(ids),
                            truncated=self._cut_off(list(ids)))
            for row, ids in zip(rows, new)
        ]

    def _cut_off(self, new_ids: List[int]) -> bool:
        """Whether an answer stopped at `max_new_tokens` rather than at an end-of-sequence token."""
        limit = int(self.config.get("max_new_tokens", 0) or 0)
        return bool(limit) and len(new_ids) >= limit and int(new_ids[-1]) not in self._eos_ids()

    def _entity_decoder(self, prompt: EntityListPrompt, prompt_length: int) -> Any:
        from .constrained import GrammarDecoder
        from .entity_grammar import EntityListGrammar

        return GrammarDecoder(self._tokenizer, EntityListGrammar(prompt.source, prompt.labels), prompt_length, self._eos_ids())

    def _decoding(self, greedy: bool) -> Dict[str, Any]:
        return greedy_settings(self.config) if greedy else self.config


@registry.llm_models("evokd.LocalHF.v1")
def make_local_hf_model(
    path: str,
    config: Dict[str, Any] = {},
    system_prompt: Optional[str] = None,
    seed: int = 0,
    device: str = "cpu",
    threads: Optional[int] = None,
    batch_size: int = 1,
) -> LocalHFModel:
    """Local instruct LLM from an HF directory or a .gguf file; `config` holds generation parameters.

    `batch_size` > 1 scores that many labelling (choice) prompts in one forward pass.
    """
    return LocalHFModel(
        path=str(path), config=dict(config), system_prompt=system_prompt, seed=seed, device=device, threads=threads, batch_size=batch_size
    )


@registry.llm_models("evokd.LocalHF.v2")
def make_local_hf_model_v2(
    path: str,
    config: Dict[str, Any] = {},
    system_prompt: Optional[str] = None,
    seed: int = 0,
    device: str = "cpu",
    threads: Optional[int] = None,
    batch_size: int = 1,
    generation_batch_size: int = 8,
) -> LocalHFModel:
    """v1, with sampled generation decoded `generation_batch_size` prompts at a time, each prompt
    with its own random stream (so its answer does not depend on its batch): a round's generation
    requests, one per label, then cost about one request's time on a CPU."""
    return LocalHFModel(**locals())


@registry.llm_models("evokd.LocalHF.v3")
def make_local_hf_model_v3(
    path: str,
    config: Dict[str, Any] = {},
    system_prompt: Optional[str] = None,
    seed: int = 0,
    device: str = "cpu",
    threads: Optional[int] = None,
    batch_size: int = 1,
    generation_batch_size: int = 8,
    reuse_prefix: bool = True,
) -> LocalHFModel:
    """v2, where a labelling (scored) or entity (greedy) prompt continues the key/value cache of
    the opening it shares with the prompt before it (`reuse_prefix`): with few-shot exemplars the
    model then runs little more than each new text. Answers are v2's up to float rounding."""
    return LocalHFModel(**locals())
