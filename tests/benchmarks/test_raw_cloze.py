"""Raw-completion labelling: plain patterns after demonstrations, next-word scores, the choice's ensemble."""
import math

import pytest

from benchmarks.raw_cloze import next_word_distributions, raw_prompts, score, with_ensemble

LABELS = ["POSITIVE", "NEGATIVE"]


def test_demonstrations_are_answered_with_their_labels_word_and_the_text_is_left_open():
    demos = [{"text": "loved it .", "label": "POSITIVE"}, {"text": "dull .", "label": "NEGATIVE"}]
    prompt = raw_prompts("it_was", ["a film ."], demos)[0]
    assert prompt == "loved it . It was great\n\ndull . It was terrible\n\na film . It was"
    assert raw_prompts("review", ["a film ."], [])[0] == "Review: a film .\nSentiment:"


class _Tokenizer:
    padding_side = "right"

    def __call__(self, texts, return_tensors=None, padding=False):
        import torch

        if isinstance(texts, str):
            return type("Enc", (), {"input_ids": [{" great": 1, " terrible": 2}.get(texts, 0), 3][: 1 if texts in (" great", " terrible") else 2]})()
        return {"input_ids": torch.tensor([[0] if "good" in t else [4] for t in texts])}


class _Model:
    def __call__(self, input_ids):
        import torch

        logits = torch.zeros(len(input_ids), 1, 5)
        logits[:, -1, 1] = (input_ids[:, -1] == 0).float() * 3  # "good" texts favour " great"
        return type("Out", (), {"logits": logits})()


def test_next_word_distributions_softmax_over_the_words_only():
    pytest.importorskip("torch")
    probs = next_word_distributions(_Model(), _Tokenizer(), ["good .", "bad ."], [" great", " terrible"])
    assert probs[0][0] > 0.9 and math.isclose(probs[1][0], 0.5) and all(math.isclose(sum(p), 1.0, rel_tol=1e-6) for p in probs)


def test_a_word_of_several_tokens_is_refused():
    with pytest.raises(ValueError, match="one token"):
        next_word_distributions(_Model(), _Tokenizer(), ["x"], [" great", " awful stuff"])


def test_the_ensemble_averages_v6_and_the_chosen_raw_variant():
    gold = LABELS * 10
    right = [[0.9, 0.1] if g == "POSITIVE" else [0.1, 0.9] for g in gold]
    wrong = [[0.45, 0.55] if g == "POSITIVE" else [0.55, 0.45] for g in gold]
    rows = score(with_ensemble({"v6": right, "it_was_zero": wrong}, "it_was_zero"), gold, LABELS)
    assert rows["v6"]["all"] == 1.0 and rows["it_was_zero"]["all"] == 0.0 and rows["v6_and_raw"]["all"] == 1.0
