"""The pool steps of a round (ELAD): score the unlabelled pool with the student, select, and have
the teacher revise the student's answers. Plain data in and out, like steps.py."""
import random
from typing import Any, Dict, List, Sequence, Set, Tuple

from spacy.language import Language

from ..pool.context import SelectionContext
from ..pool.ner_beam import beam_ner, beam_scored_docs
from ..tasks.request import REQUEST_KEY, result_of
from ..teachers.cache import IO_KEY
from ..ty import PoolCandidate, Sample, TaskKind, TaskSpec
from . import steps
from .filters import normalise
from .teacher import Teacher


def score_pool(nlp: Language, texts: Dict[int, str], spec: TaskSpec, kind: TaskKind) -> List[PoolCandidate]:
    """The student's prediction and scores for each pool text: textcat's label scores, or for NER
    the probabilities of its top beam analyses (`pool/ner_beam.py`; None without a beam-capable NER)."""
    indices = list(texts)
    ordered = [texts[i] for i in indices]
    if kind.name == "ner" and beam_ner(nlp) is not None:
        scored = beam_scored_docs(nlp, ordered)
    else:
        scored = [(doc, {label: float(doc.cats.get(label, 0.0)) for label in spec.label_names} if kind.name == "textcat" else None)
                  for doc in nlp.pipe(ordered, batch_size=64)]
    return [PoolCandidate(index=index, text=doc.text, prediction=kind.prediction(doc, spec), probs=probs)
            for index, (doc, probs) in zip(indices, scored)]


def candidate_texts(pool: Sequence[str], taken: Set[int], max_candidates: int, seed: int, r: int,
                    known: Set[str] = frozenset()) -> Dict[int, str]:
    """Pool texts not `taken` (by index) nor `known` to the run (normalised texts it trains on,
    picked before or wrote this round); a seeded random subset of `max_candidates` (0: all). A
    known text would be revised, paid for, then dropped as a duplicate."""
    free = [i for i in range(len(pool)) if i not in taken and normalise(pool[i]) not in known]
    if max_candidates and len(free) > max_candidates:
        free = sorted(random.Random(seed * 7919 + r).sample(free, k=max_candidates))
    return {i: pool[i] for i in free}


def short_pool_warning(r: int, left: int, per_round: int, generate: bool) -> str:
    """What to say when fewer pool texts are left than a round selects, and what to do about it."""
    then = ("the round adds only generated texts" if generate else "the round retrains on the same data as the last") if not left else \
        f"the round selects {left}"
    return (f"Round {r}: {left} pool text(s) left to select, [pool] per_round = {per_round}: {then}. "
            "Give a larger pool (--pool.path) or fewer rounds (--loop.rounds).")


def select(strategy: Any, candidates: List[PoolCandidate], n: int, context: SelectionContext) -> Dict[str, Any]:
    """Run the strategy; each selected row carries the text and the student's answer."""
    by_index = {c.index: c for c in candidates}
    rows = strategy.select(candidates, n, context)
    selected = [{**row, "text": by_index[row["index"]].text, "student": by_index[row["index"]].prediction,
                 "student_probs": by_index[row["index"]].probs} for row in rows]
    return {"strategy": getattr(strategy, "name", type(strategy).__name__), "n_candidates": len(candidates), "selected": selected}


def revise(teacher: Teacher, kind: TaskKind, nlp: Language, selected: Sequence[Dict[str, Any]], r: int, reasons: bool) -> List[Dict[str, Any]]:
    """The teacher keeps or corrects the student's answer on each selected text (ELAD revision);
    with `reasons`, a corrected answer also gets a one-sentence reason."""
    docs = []
    for row in selected:
        doc = nlp.make_doc(row["text"])
        doc.user_data[REQUEST_KEY] = {"student": row["student"]}
        docs.append(doc)
    revised = teacher.client.run(teacher.revise, docs, desc=f"round {r} revise")
    items = []
    for row, doc in zip(selected, revised):
        result, io = result_of(doc), doc.user_data[IO_KEY]
        revision = result.get("revision", "")
        student_correct = None if revision == "error" else revision == "accepted"  # unknown when the answer was unreadable
        items.append({**pool_item(row), **kind.labelled_fields(result), "revision": revision, "student_correct": student_correct,
                      "label_prompt": io["prompt"], "label_response": io["response"]})
    if reasons:
        add_reasons(teacher, kind, items, r)
    return items


def label_from_scratch(teacher: Teacher, kind: TaskKind, nlp: Language, selected: Sequence[Dict[str, Any]], r: int) -> List[Dict[str, Any]]:
    """Ablation of revision: the teacher labels the selected texts without seeing the student's
    answer; an answer that could not be read is an `error`, as in revision, not a correction."""
    items = steps.label(teacher, kind, nlp, [pool_item(row) for row in selected], r)
    for item in items:
        item["student_correct"] = kind.is_correct(as_sample(item), item["student"])
        item["revision"] = "error" if item.get("label_error") else "accepted" if item["student_correct"] else "corrected"
    return items


def pool_item(row: Dict[str, Any]) -> Dict[str, Any]:
    """A selected pool text as a batch item (tag `pool`, no generation target)."""
    return {"text": row["text"], "tag": "pool", "target": None, "student": row["student"],
            "selection_score": row.get("score"), "strategy": row.get("strategy")}


def add_reasons(teacher: Teacher, kind: TaskKind, items: List[Dict[str, Any]], r: int) -> None:
    """Ask for a one-sentence reason for every corrected answer (in place)."""
    corrected = [item for item in items if item.get("revision") == "corrected" and not item.get("label_error")]
    if not corrected or not hasattr(teacher.revise, "reason_prompt"):
        return
    prompts = [teacher.revise.reason_prompt(item["text"], item["student"], _answer(kind, item)) for item in corrected]
    for item, answer in zip(corrected, teacher.client.ask(prompts, desc=f"round {r} reasons")):
        item["reason"] = " ".join(str(answer).split())[:300]


def _answer(kind: TaskKind, item: Dict[str, Any]) -> List[Any]:
    return item.get("spans") or [] if kind.name == "ner" else item.get("labels") or []


def as_sample(item: Dict[str, Any]) -> Sample:
    """A labelled item's teacher answer as a Sample (to compare a student's prediction with it)."""
    return Sample(text=item["text"], labels=list(item.get("labels") or []), spans=[list(s) for s in item.get("spans") or []])


def drop_known(pool_kept: List[Dict[str, Any]], pool_dropped: List[Dict[str, Any]], known: Set[str],
               generated_kept: Sequence[Dict[str, Any]]) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """Pool items kept and dropped, with those whose text the teacher also wrote (this round's kept
    texts or a `known` one from before) moved to dropped as duplicates: trained on once, as written."""
    seen = set(known) | {normalise(item["text"]) for item in generated_kept}
    duplicates = [{**item, "reason": "duplicate"} for item in pool_kept if normalise(item["text"]) in seen]
    return [item for item in pool_kept if normalise(item["text"]) not in seen], pool_dropped + duplicates


def source_counts(items: Sequence[Dict[str, Any]], kept: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    """Counts of one source of a round's samples, with the student's error rate on the kept ones:
    how often the round-before student's answer differs from the teacher's final one (for pool
    texts, how often the teacher corrected it)."""
    wrong = [item for item in kept if item.get("student_correct") is False]
    return {
        "candidates": len(items),
        "kept": len(kept),
        "student_wrong": len(wrong),
        "student_error_rate": round(len(wrong) / len(kept), 4) if kept else None,
    }


def mark_student_errors(nlp: Language, kind: TaskKind, spec: TaskSpec, items: List[Dict[str, Any]]) -> None:
    """Set `student_correct` on labelled items: whether the round-before student's answer matches the teacher's."""
    for item, doc in zip(items, nlp.pipe([item["text"] for item in items], batch_size=64)):
        item["student_correct"] = kind.is_correct(as_sample(item), kind.prediction(doc, spec))
