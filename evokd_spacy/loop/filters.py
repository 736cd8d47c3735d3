"""Validation of generated samples: every drop is counted by reason and kept with its raw text.

Text checks (empty, duplicate, dev/test leakage) run before labelling, so no teacher call is
spent on a text that would be dropped anyway; label checks (label set, confidence, agreement
with the requested label) run after it.
"""
import re
import unicodedata
from collections import Counter
from typing import Any, Dict, Iterable, List, Sequence, Set, Tuple

from ..ty import Sample, TaskSpec
from .near_duplicates import NearDuplicateIndex

_SPLIT_CLITIC = re.compile(r"\s+(n't|'(?:s|re|ve|ll|d|m))\b")  # Penn Treebank tokenisation: "do n't", "it 's"
# Generated "inputs" that carry template syntax, chat-control tokens or instructions aimed at a
# model: kept out of training (they are not in-domain text) and counted as "injection". They are
# inert either way (teacher output is never rendered or evaluated), this keeps them out of prompts.
_INJECTION = re.compile(
    r"\{\{|\{%|\{#|<\|[a-z_]+\|>|\[/?INST\]|^\s*#{2,}\s*(instruction|system|response)"
    r"|\b(ignore|disregard|forget)\s+(all\s+|any\s+)?(the\s+)?(previous|prior|above|earlier)\s+(instructions|prompts?|rules)"
    r"|\b(system prompt|new instructions?:)|\byou are now (an? )?(\w+ )?(assistant|ai|language model|chatbot|bot)\b",
    re.IGNORECASE | re.MULTILINE,
)


def looks_like_injection(text: str) -> bool:
    """True for text with template syntax, chat-control tokens or instructions to a model."""
    return bool(_INJECTION.search(text))
Split = Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]


def normalise(text: str) -> str:
    """Key for duplicate and leakage checks: Unicode-normalised (NFKC) and case-folded, punctuation
    and spacing removed, and clitics joined, so a tokenised dev sentence ("I do n't know .") matches
    the running text. Combining marks (Devanagari vowel signs) are kept: they tell words apart."""
    folded = _SPLIT_CLITIC.sub(r"\1", unicodedata.normalize("NFKC", text).casefold())
    kept = "".join(ch if ch.isalnum() or unicodedata.category(ch).startswith("M") else " " for ch in folded)
    return " ".join(kept.split())


def filter_texts(items: Sequence[Dict[str, Any]], known: Set[str], held_out: Set[str], near_duplicate: float = 0.0) -> Split:
    """Split generated items into (kept, dropped) by their text alone: empty, injection, leak,
    duplicate or (with `near_duplicate` > 0) near-duplicate.

    `known` holds normalised texts already in the data (seeds, earlier rounds); `held_out` the
    normalised dev/test texts that must never leak into training. A text whose word-bigram
    Jaccard similarity to a known or kept text is at least `near_duplicate` is a near-duplicate.
    """
    kept, dropped = [], []
    seen = set(known)
    index = NearDuplicateIndex(near_duplicate, sorted(seen)) if near_duplicate > 0 else None
    for item in items:
        key = normalise(item.get("text", ""))
        if not key:
            reason = "empty"
        elif looks_like_injection(item.get("text", "")):
            reason = "injection"
        else:
            reason = "leak" if key in held_out else "duplicate" if key in seen else ""
            if not reason and index and index.match(key):
                reason = "near_duplicate"
        if reason:
            dropped.append({**item, "reason": reason})
        else:
            seen.add(key)
            if index:
                index.add(key)
            kept.append(item)
    return kept, dropped


def filter_labels(
    items: Sequence[Dict[str, Any]],
    spec: TaskSpec,
    min_confidence: float = 0.0,
    require_target_agreement: bool = False,
    allows_no_label: bool = False,
) -> Split:
    """Split labelled items into (kept, dropped) by the teacher's label.

    With `allows_no_label` (NER), a text without any label is kept: a sentence with no entity.
    """
    kept, dropped = [], []
    for item in items:
        reason = _label_drop_reason(item, spec, min_confidence, require_target_agreement, allows_no_label)
        if reason:
            dropped.append({**item, "reason": reason})
        else:
            kept.append(item)
    return kept, dropped


def _label_drop_reason(
    item: Dict[str, Any], spec: TaskSpec, min_confidence: float, require_target_agreement: bool, allows_no_label: bool
) -> str:
    if item.get("label_error"):
        return item["label_error"]
    labels = item.get("labels") or []
    if (not labels and not allows_no_label) or any(label not in spec.labels for label in labels):
        return "off_label"
    confidence = item.get("confidence")
    if confidence is not None and confidence < min_confidence:
        return "low_confidence"
    if require_target_agreement and item.get("target") and item["target"] not in labels:
        return "disagree"
    return ""


def count_reasons(dropped: Iterable[Dict[str, Any]]) -> Dict[str, int]:
    """Drops counted by reason."""
    return dict(Counter(d["reason"] for d in dropped))


def items_to_samples(items: Iterable[Dict[str, Any]], r: int) -> List[Sample]:
    """Kept items as Samples that keep the teacher's prompts and responses."""
    samples = []
    for item in items:
        keys = ("prompt", "response", "label_prompt", "label_response", "scores", "entity_drops",
                "revision", "student", "student_correct", "reason", "strategy", "selection_score")
        meta = {k: item[k] for k in keys if k in item}
        samples.append(
            Sample(
                text=item["text"],
                labels=list(item["labels"]),
                spans=[list(span) for span in item.get("spans") or []],
                tag=item["tag"],
                round=r,
                target=item.get("target"),
                confidence=item.get("confidence"),
                meta=meta,
            )
        )
    return samples
