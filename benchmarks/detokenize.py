"""Penn-Treebank-tokenised corpora back to running text, for the teacher (issue #9, session 15).

SST-2 and TREC-6 come tokenised the Penn Treebank way ("does n't", "France ?", "`` quoted ''",
"-lrb-"), and SST-2 also lower-cased. A language model has read little text written like that.
`detokenize_ptb` undoes the spacing and bracket codes, and in a text with no capital letter at all
capitalises its first letter, each sentence's and the pronoun "i". The rules were fixed before the
first run that scored them (`python -m benchmarks.teacher_techniques --detokenize`); proper nouns
that lower-casing lost stay lost.
"""
import dataclasses
import re

from .datasets import Dataset

BRACKETS = {"-lrb-": "(", "-rrb-": ")", "-lsb-": "[", "-rsb-": "]", "-lcb-": "{", "-rcb-": "}"}
CLITIC = re.compile(r" (n't|'s|'re|'ve|'ll|'d|'m)\b|(?<=s) (')(?= )", re.IGNORECASE)
BEFORE_SPACE = re.compile(r" (\.\.\.|[.,!?;:%)\]}])")
AFTER_SPACE = re.compile(r"([(\[{$]) ")
PRONOUN_I = re.compile(r"(?<![\w'-])i(?=[\s'.,!?;:]|$)")
SENTENCE_START = re.compile(r"(^|(?<!\.\.)[.!?] +)([a-z])")  # not after an ellipsis


def detokenize_ptb(text: str) -> str:
    """`text` with Penn Treebank tokenisation undone (and re-capitalised if it has no capitals)."""
    words = [BRACKETS.get(word.lower(), word) for word in text.split()]
    out = " ".join(words)
    out = re.sub(r"`` ?", '"', out)
    out = re.sub(r" ?''", '"', out)
    out = CLITIC.sub(lambda m: m.group(1) or m.group(2), out)
    out = BEFORE_SPACE.sub(r"\1", out)
    out = AFTER_SPACE.sub(r"\1", out)
    if not any(ch.isupper() for ch in out):
        out = PRONOUN_I.sub("I", out)
        out = SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), out)
    return out


def detokenized(ds: Dataset) -> Dataset:
    """The dataset with every text of every split detokenised (text classification only)."""
    def each(samples):
        return [dataclasses.replace(s, text=detokenize_ptb(s.text)) for s in samples]

    return dataclasses.replace(ds, train=each(ds.train), dev=each(ds.dev), test=each(ds.test))
