"""Reuse of the key/value cache over the opening that consecutive prompts share.

A labelling call sends one prompt per text, and every prompt opens the same way: the chat
template, the instructions and, with few-shot labelling, the exemplars. Only the text and the
few lines after it differ. `PrefixCache` keeps the key/value cache of the last prompt the model
ran; the next prompt then runs only the tokens after the longest opening the two share. With
exemplars that opening is most of the prompt.
"""
import copy
from typing import Any, List, Optional, Sequence, Tuple


def shared_length(first: Sequence[int], second: Sequence[int]) -> int:
    """How many leading token ids two sequences have in common."""
    n = 0
    for a, b in zip(first, second):
        if a != b:
            break
        n += 1
    return n


class PrefixCache:
    """The key/value cache of the last prompt run, to be continued by the next prompt."""

    def __init__(self, min_tokens: int = 16) -> None:
        # a shorter shared opening is run again: a cache copy would cost more than it saves
        self.min_tokens = min_tokens
        self._ids: List[int] = []
        self._cache: Any = None
        self.reused_tokens = 0

    def lookup(self, ids: Sequence[int]) -> Tuple[int, Optional[Any]]:
        """(n, cache): a copy of the stored cache cut to the first n tokens of `ids`, which the
        model then need not run; (0, None) when too little is shared. At least the last token of
        `ids` is always left to run, since its logits are the ones wanted."""
        if self._cache is None:
            return 0, None
        n = min(shared_length(self._ids, ids), len(ids) - 1)
        if n < self.min_tokens:
            return 0, None
        cache = copy.deepcopy(self._cache)
        cache.crop(n)
        self.reused_tokens += n
        return n, cache

    def store(self, ids: Sequence[int], cache: Any) -> None:
        """Keep a copy of `cache`, the keys and values of the first tokens of `ids` (as many as
        the cache holds), for the next lookup."""
        length = int(cache.get_seq_length())
        self._ids = list(ids[:length])
        self._cache = copy.deepcopy(cache)
