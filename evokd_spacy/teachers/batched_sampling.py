"""Sampled generation of several prompts in one batch, each prompt with its own random stream.

On a CPU, one decoding step of a small model costs much less per row for a few rows than for
one (reading the weights dominates), so answering a round's generation requests together saves
time (BENCHMARKS.md, `benchmarks.local_batching`). A row leaves the batch when it ends, so the
longest answer is not decoded at the batch's cost. Each row draws its tokens from its own
generator, seeded from its prompt and sample index, and its repetition penalty sees its own
tokens only, so a prompt's answer does not depend on which other prompts share its batch (up to
float rounding in the padded batch).
"""
from typing import Any, Dict, List, Sequence

# The generation settings this decoder applies; a config with others is decoded by generate().
SUPPORTED_KEYS = {"max_new_tokens", "do_sample", "temperature", "top_p", "top_k", "repetition_penalty"}


class RowSampler:
    """Draws each row's next token with the row's own generator, after temperature, top-k and top-p
    (the distribution of transformers' warpers). The nucleus is looked for among the `CANDIDATES`
    likeliest tokens (a full sort of a 150k vocabulary per row costs as much as a quarter of a
    decoding step), and in the whole vocabulary only when they hold less than `top_p`."""

    CANDIDATES = 1024

    def __init__(self, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0) -> None:
        self.temperature = float(temperature or 1.0)
        self.top_k = int(top_k or 0)
        self.top_p = float(top_p if top_p is not None else 1.0)

    def draw(self, scores: Any, generators: Sequence[Any]) -> List[int]:
        """One token id per row of `scores` (rows × vocabulary logits), row i from `generators[i]`."""
        import torch

        probs = torch.softmax(scores.float() / self.temperature, dim=-1)
        values, index = probs, None
        if self.top_k > 0 or self.top_p < 1.0:
            values, index = torch.topk(probs, min(self.top_k or self.CANDIDATES, probs.shape[-1]), dim=-1)
            if self.top_k <= 0 and bool((values.sum(dim=-1) < self.top_p).any()):
                values, index = torch.sort(probs, descending=True, dim=-1)
            if self.top_p < 1.0:
                if self.top_k > 0:  # as in transformers, top-p after top-k measures mass within the top k
                    values = values / values.sum(dim=-1, keepdim=True)
                values = values * ((values.cumsum(dim=-1) - values) <= self.top_p)  # keep the token that crosses top_p
            # draw in vocabulary order: float rounding may swap near-equal probabilities in the
            # ranking, but not their token ids
            index, order = torch.sort(index, dim=-1)
            values = values.gather(-1, order)
        picks = []
        for i, generator in enumerate(generators):
            # inverse CDF with one uniform draw: the pick depends on the kept tokens only, not on
            # how many zero-probability entries surround them (torch.multinomial's would)
            cdf = values[i].cumsum(dim=0)
            u = torch.rand((), generator=generator, dtype=cdf.dtype, device=cdf.device) * cdf[-1]  # a CUDA generator draws on CUDA
            j = min(int(torch.searchsorted(cdf, u.reshape(1), right=True)), cdf.shape[0] - 1)
            picks.append(j if index is None else int(index[i, j]))
        return picks


def sampling_settings(config: Dict[str, Any], defaults: Any) -> Dict[str, Any]:
    """Temperature, top-k, top-p and repetition penalty as generate() would use them: from
    `config`, else from the model's generation config `defaults` (whose own defaults include
    top_k = 50), so batched sampling draws from the same distribution as v1."""
    names = ("temperature", "top_k", "top_p", "repetition_penalty")
    neutral = {"temperature": 1.0, "top_k": 0, "top_p": 1.0, "repetition_penalty": 1.0}
    out = {}
    for name in names:
        value = config[name] if config.get(name) is not None else getattr(defaults, name, None)
        out[name] = neutral[name] if value is None else value
    return out


def penalise_repeats(scores: Any, histories: Sequence[Sequence[int]], penalty: float) -> Any:
    """transformers' repetition penalty, each row over its own prompt and answer (no padding)."""
    import torch

    if penalty == 1.0:
        return scores
    for i, history in enumerate(histories):
        ids = torch.tensor(sorted(set(history)), dtype=torch.long, device=scores.device)
        seen = scores[i, ids]
        scores[i, ids] = torch.where(seen < 0, seen * penalty, seen / penalty)
    return scores


def sample_batch(model: Any, rows: List[List[int]], seeds: Sequence[int], config: Dict[str, Any], pad_id: int,
                 eos_ids: Sequence[int], device: str = "cpu") -> List[List[int]]:
    """New token ids per row: `rows` (prompt ids) left-padded into one batch, each row sampled
    with the generator seeded by its `seeds` entry; a row's ids end at its first end token."""
    import torch
    from transformers import DynamicCache

    width = max(len(r) for r in rows)
    input_ids = torch.tensor([[pad_id] * (width - len(r)) + r for r in rows], device=device)
    mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows], device=device)
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    generators = [torch.Generator(device=device).manual_seed(int(seed) % (2**63)) for seed in seeds]
    settings = sampling_settings(config, model.generation_config)
    sampler = RowSampler(settings["temperature"], settings["top_k"], settings["top_p"])
    penalty, limit, ends = float(settings["repetition_penalty"]), int(config.get("max_new_tokens", 200)), set(eos_ids)
    answers: List[List[int]] = [[] for _ in rows]
    active = list(range(len(rows)))  # rows still decoding, in batch order
    cache = DynamicCache()
    with torch.no_grad():
        while active:
            # logits of the last position only, as generate() asks: over the whole prompt they
            # would be rows x prompt length x vocabulary (gigabytes for six 600-token prompts)
            logits = model(input_ids=input_ids, attention_mask=mask, position_ids=positions, past_key_values=cache, use_cache=True,
                           logits_to_keep=1).logits
            scores = penalise_repeats(logits[:, -1, :].float(), [rows[i] + answers[i] for i in active], penalty)
            picks = sampler.draw(scores, [generators[i] for i in active])
            for i, token in zip(active, picks):
                answers[i].append(token)
            keep = [b for b, i in enumerate(active) if picks[b] not in ends and len(answers[i]) < limit]
            if len(keep) < len(active):
                if keep:
                    cache.batch_select_indices(torch.tensor(keep, device=device))
                mask, positions = mask[keep], positions[keep]
                picks = [picks[b] for b in keep]
                active = [active[b] for b in keep]
            input_ids = torch.tensor([[t] for t in picks], device=device, dtype=torch.long)
            mask = torch.cat([mask, torch.ones((len(active), 1), dtype=mask.dtype, device=device)], dim=-1)
            positions = positions[:, -1:] + 1
    return answers
