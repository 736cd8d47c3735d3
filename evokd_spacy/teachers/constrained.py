"""Greedy decoding kept to a grammar, as a logits processor for transformers' `generate`.

At each step the highest-scoring token whose text the grammar accepts is the only one left;
once the grammar is complete only end-of-sequence is. Works for batch size 1 and greedy decoding
(labelling prompts are greedy). Nothing here imports torch at module import time.
"""
from typing import Any, Dict, Iterable, Optional

from .entity_grammar import EntityListGrammar, GrammarState

REPLACEMENT = "\ufffd"  # what a token holding part of a multi-byte character decodes to alone


class GrammarDecoder:
    """Callable as a transformers logits processor: `(input_ids, scores) -> scores`."""

    def __init__(self, tokenizer: Any, grammar: EntityListGrammar, prompt_length: int, eos_ids: Iterable[int],
                 max_candidates: int = 2000) -> None:
        self.tokenizer = tokenizer
        self.grammar = grammar
        self.prompt_length = prompt_length
        self.eos_ids = [int(i) for i in eos_ids]
        self.max_candidates = max_candidates
        self.special = set(getattr(tokenizer, "all_special_ids", []) or [])
        self.state: GrammarState = grammar.start()
        self.text = ""
        self.consumed = 0
        self._pieces: Dict[int, str] = {}
        self._anchor: Optional[int] = None  # a one-token word decoded before each token (-1: none)

    def piece(self, token_id: int) -> Optional[str]:
        """The token's text, or None for special tokens and partial characters."""
        if token_id not in self._pieces:
            text = "" if token_id in self.special else self._decode_after_anchor(token_id)
            self._pieces[token_id] = text
        text = self._pieces[token_id]
        return text if text and REPLACEMENT not in text else None

    def _decode_after_anchor(self, token_id: int) -> str:
        """The token's text as it reads after another token. SentencePiece tokenizers (Llama,
        Mistral) drop a token's leading space when it is decoded alone ("▁York" -> "York"), which
        would glue "New" and "York" into "NewYork"; byte-level ones (Qwen, SmolLM2) do not."""
        if self._anchor is None:
            try:
                ids = list(self.tokenizer.encode("a", add_special_tokens=False))
            except (AttributeError, TypeError):
                ids = []
            self._anchor = ids[0] if len(ids) == 1 else -1
        alone = self.tokenizer.decode([token_id])
        if self._anchor < 0:
            return alone
        base, both = self.tokenizer.decode([self._anchor]), self.tokenizer.decode([self._anchor, token_id])
        return both[len(base):] if both.startswith(base) else alone

    def sync(self, generated: Iterable[int]) -> None:
        """Feed the tokens generated since the last call into the grammar state."""
        generated = [int(t) for t in generated]
        for token_id in generated[self.consumed:]:
            self.consumed += 1
            piece = self.piece(token_id)
            if token_id in self.eos_ids or piece is None:
                continue
            state = self.grammar.feed(self.state, piece)
            if state is not None:  # always, since only accepted tokens are left to choose from
                self.state, self.text = state, self.text + piece

    def allowed_token(self, scores: Any) -> int:
        """The best-scoring token the grammar accepts next (end-of-sequence when complete or stuck)."""
        import torch

        if self.state.done:
            return self.eos_ids[0]
        order = torch.argsort(scores, descending=True)[: self.max_candidates].tolist()
        for token_id in order:
            piece = self.piece(token_id)
            if piece is not None and self.grammar.feed(self.state, piece) is not None:
                return token_id
        return self.eos_ids[0]

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch

        self.sync(input_ids[0, self.prompt_length:].tolist())
        choice = self.allowed_token(scores[0])
        masked = torch.full_like(scores, float("-inf"))
        masked[0, choice] = 0.0
        return masked

    def is_complete(self) -> bool:
        """Whether the answer closed of its own accord: not out of tokens, and not closed because it
        reached the grammar's `max_entities` (the entities after those would be trained as none)."""
        return self.state.done and self.state.entities < self.grammar.max_entities

    def answer(self) -> str:
        """The decoded answer, closed into valid JSON if it stopped early (max_new_tokens)."""
        return self.grammar.close(self.text, self.state)
