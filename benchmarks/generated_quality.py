"""What a run's generated texts look like, apart from the student: how many were kept, how often the
labelling call agreed with the label a text was generated for, and how varied the kept texts are.

With one seed and about ten kept texts a run, the student's test score cannot tell generation
techniques apart (BENCHMARKS.md); these numbers show whether a technique does what it is for
(attribute prompts and near-duplicate removal should make the texts more varied; verification
should raise agreement) on the same few texts.
"""
from typing import Any, Dict, List

import srsly

from evokd_spacy.loop.filters import normalise
from evokd_spacy.loop.near_duplicates import jaccard, shingles
from evokd_spacy.loop.state import RunFolder

GENERATED_TAGS = ("hard", "easy")


def generated_rows(folder: RunFolder, rounds: int) -> List[Dict[str, Any]]:
    """The kept generated texts (tags "hard" and "easy") of rounds 1..rounds, as saved."""
    return [row for r in range(1, rounds + 1) if folder.round_jsonl(r).exists()
            for row in srsly.read_jsonl(folder.round_jsonl(r)) if row.get("tag") in GENERATED_TAGS]


def distinct_bigrams(keys: List[str]) -> float:
    """Distinct word bigrams over all word bigrams of the texts (distinct-2; 1.0 = no bigram repeats)."""
    split = [key.split() for key in keys]
    bigrams = [pair for words in split for pair in zip(words, words[1:])]
    return len(set(bigrams)) / len(bigrams) if bigrams else 0.0


def mean_nearest_similarity(keys: List[str]) -> float:
    """Mean over the texts of the bigram Jaccard similarity to the most similar other text
    (0 = no two texts share a bigram; 1 = every text has an exact copy)."""
    if len(keys) < 2:
        return 0.0
    sets = [shingles(key) for key in keys]
    nearest = [max(jaccard(a, b) for j, b in enumerate(sets) if j != i) for i, a in enumerate(sets)]
    return sum(nearest) / len(nearest)


def generated_quality(folder: RunFolder, rounds: int) -> Dict[str, Any]:
    """Kept generated texts: count, share labelled as their target, distinct-2, nearest similarity, words."""
    rows = generated_rows(folder, rounds)
    keys = [normalise(row["text"]) for row in rows]
    targeted = [row for row in rows if row.get("target")]
    agree = sum(row["target"] in row.get("labels", []) for row in targeted)
    return {
        "kept": len(rows),
        "target_agreement": round(agree / len(targeted), 3) if targeted else None,
        "distinct_2": round(distinct_bigrams(keys), 3),
        "nearest_similarity": round(mean_nearest_similarity(keys), 3),
        "mean_words": round(sum(len(k.split()) for k in keys) / len(keys), 1) if keys else 0.0,
    }
