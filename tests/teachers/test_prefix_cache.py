"""PrefixCache: which part of a stored key/value cache the next prompt may continue."""
from evokd_spacy.teachers.prefix_cache import PrefixCache, shared_length


class FakeCache:
    """Stands in for transformers' DynamicCache: a list of per-token entries."""

    def __init__(self, tokens):
        self.tokens = list(tokens)

    def crop(self, n):
        self.tokens = self.tokens[:n]

    def get_seq_length(self):
        return len(self.tokens)


def test_shared_length_counts_leading_equal_ids():
    assert shared_length([1, 2, 3, 4], [1, 2, 9, 4]) == 2
    assert shared_length([], [1]) == 0
    assert shared_length([1, 2], [1, 2, 3]) == 2


def test_lookup_returns_a_cropped_copy_and_leaves_the_stored_cache_whole():
    cache = PrefixCache(min_tokens=2)
    assert cache.lookup([1, 2, 3]) == (0, None)
    stored = FakeCache(range(5))
    cache.store([0, 1, 2, 3, 4, 5], stored)  # the cache holds the first 5 of the 6 ids
    n, copy = cache.lookup([0, 1, 2, 7, 8])
    assert n == 3 and copy.tokens == [0, 1, 2]
    assert stored.tokens == list(range(5)) and cache.reused_tokens == 3
    n, again = cache.lookup([0, 1, 2, 3, 4, 5, 6])
    assert n == 5 and again.tokens == list(range(5))  # only as far as the stored cache reaches


def test_the_last_token_is_always_left_to_run_and_short_openings_are_not_reused():
    cache = PrefixCache(min_tokens=2)
    cache.store([1, 2, 3, 4], FakeCache(range(4)))
    n, copy = cache.lookup([1, 2, 3, 4])  # the same prompt again: its last token's logits are needed
    assert n == 3 and copy.tokens == [0, 1, 2]
    assert cache.lookup([1, 9, 9]) == (0, None)  # 1 shared token < min_tokens
