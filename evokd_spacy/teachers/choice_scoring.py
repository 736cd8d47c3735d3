"""How the local teacher answers a `ChoicePrompt`: by the log-probability of each choice after the
prompt, summed over the choice's tokens. One prompt at a time, the prompt runs once and its
key/value cache is shared by the choices (continuing the opening it shares with the prompt before
it, with `reuse_prefix`); with `batch_size` > 1, all prompts and choices run in padded passes, as
many rows at a time as LOGIT_BUDGET allows."""
from typing import Any, Callable, List

from ..llm_io import ChoicePrompt, PlainChoicePrompt, TeacherResponse

LOGIT_BUDGET = 2**28  # floats of full-vocabulary logits one batched pass may hold (1 GiB in float32)


class ChoiceScoring:
    """Choice scoring for `LocalHFModel`, which provides the model, tokenizer, device, chat
    template (`_chat_ids`) and prefix cache (`_prefix`)."""

    _model: Any
    _tokenizer: Any
    _prefix: Any
    device: str
    _chat_ids: Callable[[Any], List[int]]

    def _score_choices(self, prompt: ChoicePrompt) -> TeacherResponse:
        """Log-probability of every choice after one prompt: the prompt is run once and its
        key/value cache is shared by the choices, so k choices cost about one prompt, not k."""
        import torch

        ids = self._chat_ids(prompt)
        conts = [self._choice_ids(prompt, ids, choice) for choice in prompt.choices]
        with torch.no_grad():
            out = self._run_prompt(ids)
            first = torch.log_softmax(out.logits[0, -1].float(), dim=-1)
            scores = {choice: float(first[cids[0]]) for choice, cids in zip(prompt.choices, conts)}
            longer = [(choice, cids) for choice, cids in zip(prompt.choices, conts) if len(cids) > 1]
            if longer:
                width = max(len(cids) - 1 for _, cids in longer)
                pad = self._tokenizer.pad_token_id
                inputs = [cids[:-1] + [pad] * (width - len(cids) + 1) for _, cids in longer]
                mask = [[1] * len(ids) + [1] * (len(cids) - 1) + [0] * (width - len(cids) + 1) for _, cids in longer]
                cache = out.past_key_values
                cache.batch_repeat_interleave(len(longer))
                logits = self._model(
                    input_ids=torch.tensor(inputs, device=self.device),
                    attention_mask=torch.tensor(mask, device=self.device),
                    past_key_values=cache,
                ).logits
                logprobs = torch.log_softmax(logits.float(), dim=-1)
                for row, (choice, cids) in enumerate(longer):
                    scores[choice] += float(sum(logprobs[row, k - 1, tok] for k, tok in enumerate(cids) if k > 0))
        best = max(scores, key=scores.get)
        processed = len(ids) + sum(len(cids) for cids in conts)
        return TeacherResponse(best, scores=scores, prompt_tokens=processed, completion_tokens=0)

    def _choice_ids(self, prompt: ChoicePrompt, ids: List[int], choice: str) -> List[int]:
        """A choice's token ids as they follow the prompt. A `PlainChoicePrompt` is running text, so
        its choice is read off the tokens of prompt and choice together: a SentencePiece tokenizer
        (Llama 2, Mistral) gives " positive" alone a lone "▁" before "▁positive"."""
        alone = list(self._tokenizer(choice, add_special_tokens=False).input_ids)
        if not isinstance(prompt, PlainChoicePrompt):
            return alone
        joint = list(self._tokenizer(str(prompt) + choice).input_ids)
        return joint[len(ids):] if joint[:len(ids)] == ids and len(joint) > len(ids) else alone

    def _run_prompt(self, ids: List[int]) -> Any:
        """One forward pass over a prompt, keeping its key/value cache; with `reuse_prefix`, over
        only the tokens after the opening it shares with the prompt run before it."""
        import torch

        start, cache = self._prefix.lookup(ids) if self._prefix else (0, None)
        out = self._model(input_ids=torch.tensor([ids[start:]], device=self.device), past_key_values=cache, use_cache=True)
        if self._prefix:
            self._prefix.store(ids, out.past_key_values)
        return out

    def _score_choices_batch(self, prompts: List[ChoicePrompt]) -> List[TeacherResponse]:
        """Log-probability of every choice after its prompt, all prompts in one padded forward pass
        (one row per prompt and choice: for `batch_size` > 1; a single prompt uses the cache)."""
        import torch

        rows, spans = [], []
        for prompt in prompts:
            ids = self._chat_ids(prompt)
            for choice in prompt.choices:
                cids = self._choice_ids(prompt, ids, choice)
                spans.append((len(ids), cids))
                rows.append(ids + cids)
        width = max(len(r) for r in rows)
        pad = self._tokenizer.pad_token_id
        # full-vocabulary logits of every position: at most LOGIT_BUDGET floats at a time
        per_row = width * int(self._model.config.vocab_size)
        step = max(1, LOGIT_BUDGET // max(1, per_row))
        row_scores: List[float] = []
        with torch.no_grad():
            for first in range(0, len(rows), step):
                chunk = rows[first:first + step]
                mask = [[1] * len(r) + [0] * (width - len(r)) for r in chunk]
                padded = [r + [pad] * (width - len(r)) for r in chunk]
                logits = self._model(
                    input_ids=torch.tensor(padded, device=self.device), attention_mask=torch.tensor(mask, device=self.device)
                ).logits
                logprobs = torch.log_softmax(logits.float(), dim=-1)
                for i in range(len(chunk)):
                    start, cids = spans[first + i]
                    row_scores.append(float(sum(logprobs[i, start - 1 + k, tok] for k, tok in enumerate(cids))))
                del logits, logprobs
        answers, row = [], 0
        for prompt in prompts:
            scores = {choice: row_scores[row + j] for j, choice in enumerate(prompt.choices)}
            mine = spans[row:row + len(prompt.choices)]
            row += len(prompt.choices)
            best = max(scores, key=scores.get)
            # billed as the single-prompt path (and a hosted API) would: the prompt once, then each choice
            processed = mine[0][0] + sum(len(cids) for _, cids in mine)
            answers.append(TeacherResponse(best, scores=scores, prompt_tokens=processed, completion_tokens=0))
        return answers
