"""Undoing Penn Treebank tokenisation for the teacher."""
from benchmarks.datasets import Dataset, Sample
from benchmarks.detokenize import detokenize_ptb, detokenized


def test_spacing_clitics_brackets_and_quotes_are_undone():
    assert detokenize_ptb("it 's a -lrb- very -rrb- funny movie , but i do n't know .") == "It's a (very) funny movie, but I don't know."
    assert detokenize_ptb("What does `` PSI '' stand for ?") == 'What does "PSI" stand for?'
    assert detokenize_ptb("How can I find a list of celebrities ' real names ?") == "How can I find a list of celebrities' real names?"
    assert detokenize_ptb("it costs $ 5 ... or 10 % more") == "It costs $5... or 10% more"


def test_only_a_text_without_capitals_is_recapitalised():
    assert detokenize_ptb("a dull film . i left early !") == "A dull film. I left early!"
    assert detokenize_ptb("What is iPod ?") == "What is iPod?"
    assert detokenize_ptb("what is the i-95 ?") == "What is the i-95?", "only the pronoun i"


def test_every_split_is_detokenised():
    ds = Dataset("x", "textcat", "d", {"A": "a"}, [Sample(text="a , b", labels=["A"])], [Sample(text="c .", labels=["A"])], [])
    out = detokenized(ds)
    assert [s.text for s in out.train + out.dev] == ["A, b", "C."] and out.dev[0].labels == ["A"]
