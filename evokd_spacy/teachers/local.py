"""A spacy-llm model that runs a local instruct LLM in-process on CPU (or GPU) with transformers.

Loads an HF model directory, or a GGUF file (transformers de-quantises it at load). The model
is loaded lazily on the first call, so building a config never imports torch.
Plain prompts are answered by generation; a `ChoicePrompt` is answered by scoring each choice
by its log-probability after the prompt.
"""
import os
import zlib
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

from ..errors import TeacherUnavailable
from ..llm_io import ChoicePrompt, GreedyPrompt, TeacherResponse
from ..registry import registry

DEFAULT_GENERATION = {
    "max_new_tokens": 200,
    "do_sample": True,
    "temperature": 0.7,
    "top_p": 0.95,
    "repetition_penalty": 1.1,
}


class LocalHFModel:
    """Callable like any spacy-llm model: prompts per doc in, responses per doc out."""

    def __init__(
        self,
        path: str,
        config: Optional[Dict[str, Any]] = None,
        system_prompt: Optional[str] = None,
        seed: int = 0,
        device: str = "cpu",
        threads: Optional[int] = None,
    ) -> None:
        self.path = Path(path)
        self.config = {**DEFAULT_GENERATION, **(config or {})}
        self.system_prompt = system_prompt
        self.seed = seed
        self.device = device
        self.threads = threads
        self._model: Any = None
        self._tokenizer: Any = None

    def _load(self) -> None:
        if self._model is not None:
            return
        if not self.path.exists():
            raise TeacherUnavailable(
                f"Teacher model not found at {self.path}. For the default teacher run "
                "`python -m evokd_spacy prepare-teacher` (or `spacy project run teacher`), or set "
                "[teacher.model] path to an HF model directory or a .gguf file."
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
        self._tokenizer = AutoTokenizer.from_pretrained(directory, **kwargs)
        self._model = AutoModelForCausalLM.from_pretrained(directory, **kwargs).to(self.device).eval()
        if self._tokenizer.pad_token_id is None:
            self._tokenizer.pad_token = self._tokenizer.eos_token

    def _chat_ids(self, prompt: str) -> List[int]:
        messages = [{"role": "system", "content": self.system_prompt}] if self.system_prompt else []
        messages.append({"role": "user", "content": str(prompt)})
        if getattr(self._tokenizer, "chat_template", None):
            return list(self._tokenizer.apply_chat_template(messages, add_generation_prompt=True))
        return list(self._tokenizer(str(prompt) + "\n").input_ids)

    def __call__(self, prompts: Iterable[Iterable[Any]]) -> Iterable[Iterable[Any]]:
        """Answer each doc's prompts; responses are yielded as soon as they are ready."""
        self._load()
        for shards in prompts:
            yield [self.respond(prompt) for prompt in shards]

    def respond(self, prompt: Any) -> TeacherResponse:
        """Generate for a plain prompt; score the choices of a ChoicePrompt."""
        self._load()
        if isinstance(prompt, ChoicePrompt) and prompt.choices:
            return self._score_choices(prompt)
        return self._generate(str(prompt), int(getattr(prompt, "sample", 0)), greedy=isinstance(prompt, GreedyPrompt))

    def _generate(self, prompt: str, sample: int = 0, greedy: bool = False) -> TeacherResponse:
        import torch

        ids = self._chat_ids(prompt)
        input_ids = torch.tensor([ids], device=self.device)
        torch.manual_seed(self.seed + zlib.crc32(prompt.encode("utf8")) + 1_000_003 * sample)
        with torch.no_grad():
            output = self._model.generate(
                input_ids,
                attention_mask=torch.ones_like(input_ids),
                pad_token_id=self._tokenizer.pad_token_id,
                **self._decoding(greedy),
            )
        new = output[0, len(ids):]
        text = self._tokenizer.decode(new, skip_special_tokens=True)
        return TeacherResponse(text.strip(), prompt_tokens=len(ids), completion_tokens=int(new.shape[0]))

    def _decoding(self, greedy: bool) -> Dict[str, Any]:
        if not greedy:
            return self.config
        sampling = ("do_sample", "temperature", "top_p", "top_k")
        return {**{k: v for k, v in self.config.items() if k not in sampling}, "do_sample": False}

    def _score_choices(self, prompt: ChoicePrompt) -> TeacherResponse:
        import torch

        ids = self._chat_ids(str(prompt))
        choice_ids = [self._tokenizer(choice, add_special_tokens=False).input_ids for choice in prompt.choices]
        width = len(ids) + max(len(c) for c in choice_ids)
        pad = self._tokenizer.pad_token_id
        rows = [ids + c + [pad] * (width - len(ids) - len(c)) for c in choice_ids]
        mask = [[1] * (len(ids) + len(c)) + [0] * (width - len(ids) - len(c)) for c in choice_ids]
        with torch.no_grad():
            logits = self._model(
                input_ids=torch.tensor(rows, device=self.device), attention_mask=torch.tensor(mask, device=self.device)
            ).logits
            logprobs = torch.log_softmax(logits.float(), dim=-1)
        scores = {}
        for row, (choice, cids) in enumerate(zip(prompt.choices, choice_ids)):
            positions = range(len(ids) - 1, len(ids) - 1 + len(cids))
            scores[choice] = float(sum(logprobs[row, pos, tok] for pos, tok in zip(positions, cids)))
        best = max(scores, key=scores.get)
        return TeacherResponse(best, scores=scores, prompt_tokens=len(ids) * len(choice_ids), completion_tokens=0)


@registry.llm_models("evokd.LocalHF.v1")
def make_local_hf_model(
    path: str,
    config: Dict[str, Any] = {},
    system_prompt: Optional[str] = None,
    seed: int = 0,
    device: str = "cpu",
    threads: Optional[int] = None,
) -> LocalHFModel:
    """Local instruct LLM from an HF directory or a .gguf file; `config` holds generation parameters."""
    return LocalHFModel(path=str(path), config=dict(config), system_prompt=system_prompt, seed=seed, device=device, threads=threads)
