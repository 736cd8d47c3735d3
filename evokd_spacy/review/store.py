"""Reviewed answers, kept apart from the run's own data so that no re-run overwrites them.

`<output>/reviewed/round_<r>.jsonl` holds the latest answer per text. When the loop reads a
round's batch, accepted answers replace the teacher's annotation, rejected texts are removed,
ignored ones stay as the teacher labelled them, and accepted texts that the round did not have
are added (tag "reviewed").
"""
import json
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set

from wasabi import msg

from ..errors import DataError
from ..loop.filters import normalise
from ..loop.state import RunFolder
from ..ty import Sample, TaskSpec
from ..util.io import atomic_write_jsonl, read_jsonl_lenient
from .prodigy import Review, from_prodigy


def reviewed_path(folder: RunFolder, r: int) -> Path:
    """Where the reviewed answers of round r live."""
    return folder.output / "reviewed" / f"round_{r}.jsonl"


def read_reviews(folder: RunFolder, r: int) -> List[Review]:
    """The stored reviewed answers of round r (none when nothing was imported)."""
    return [Review(**row) for row in read_jsonl_lenient(reviewed_path(folder, r))]


def import_reviews(folder: RunFolder, path: Path, spec: TaskSpec, round_: Optional[int] = None) -> Dict[int, Dict[str, int]]:
    """Store the reviewed Prodigy tasks in `path`, by round (from each task's `meta.round`, or
    `round_`). A later answer on the same text replaces the earlier one. Returns counts per round."""
    if not path.exists():
        raise DataError(f"Reviewed file not found: {path}")
    by_round: Dict[int, Dict[str, Review]] = {}
    overruled = 0
    for i, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise DataError(f"{path}, line {i}: not valid JSON ({err.msg}).") from None
        if not isinstance(record, dict):
            raise DataError(f"{path}, line {i}: a reviewed task is a JSON object with \"text\" and \"answer\", one a line.")
        review = from_prodigy(record, spec, f"{path}, line {i}")
        overruled += round_ is not None and review.round is not None and review.round != round_
        r = review.round if review.round is not None else round_  # a task's own meta.round wins
        if r is None:
            raise DataError(f"{path}, line {i}: no meta.round in the task; import with --round N.")
        review.round = r
        by_round.setdefault(r, {})[normalise(review.text)] = review
    if overruled:
        msg.warn(f"{overruled} task(s) carry their own meta.round, which --round {round_} does not change: it is the round of "
                 "tasks without one.")
    warn_unmatched(folder, by_round)
    counts = {}
    for r, reviews in sorted(by_round.items()):
        stored = {normalise(old.text): old for old in read_reviews(folder, r)}
        stored.update(reviews)
        atomic_write_jsonl(reviewed_path(folder, r), [rev.to_dict() for rev in stored.values()])
        counts[r] = {answer: sum(rev.answer == answer for rev in reviews.values()) for answer in ("accept", "reject", "ignore")}
    return counts


def warn_unmatched(folder: RunFolder, by_round: Dict[int, Dict[str, Review]]) -> None:
    """Warn of reviews that change nothing (a reject or ignore of a text its round does not hold)
    and of accepted texts that another round holds (added to this round, they are trained twice)."""
    written, r = {}, 0
    while folder.round_jsonl(r).exists():  # the round's texts, and those earlier accepted reviews added to it
        written[r] = {normalise(str(row.get("text", ""))) for row in read_jsonl_lenient(folder.round_jsonl(r))}
        written[r] |= {normalise(rev.text) for rev in read_reviews(folder, r) if rev.answer == "accept"}
        r += 1
    for r, reviews in sorted(by_round.items()):
        if r not in written:
            continue  # a round not run yet: the import says so
        idle = [rev for key, rev in reviews.items() if rev.answer != "accept" and key not in written[r]]
        elsewhere = sorted({k for key, rev in reviews.items() if rev.answer == "accept" and key not in written[r]
                            for k, texts in written.items() if k != r and key in texts})
        if idle:
            msg.warn(f"Round {r}: {len(idle)} rejected or ignored text(s) are not in the round, so they change nothing "
                     f"(e.g. {idle[0].text[:60]!r}); is meta.round right?")
        if elsewhere:
            msg.warn(f"Round {r}: accepted text(s) that round(s) {', '.join(map(str, elsewhere))} hold are added to round {r} "
                     "too, so they are trained on twice; is meta.round right?")


def read_batch(folder: RunFolder, r: int) -> List[Sample]:
    """The samples kept in round r (round 0: the seeds), with reviewed answers applied."""
    samples = [Sample.from_dict(row) for row in read_jsonl_lenient(folder.round_jsonl(r))]
    return apply_reviews(samples, read_reviews(folder, r), r)


def apply_reviews(samples: List[Sample], reviews: List[Review], r: int) -> List[Sample]:
    """Round r's samples with the reviewers' answers applied (see the module docstring). A review
    applies to every sample whose text it matches (after `normalise`); an accepted NER review keeps
    its own text, on which its entity offsets were measured."""
    if not reviews:
        return samples
    by_text = {normalise(rev.text): rev for rev in reviews}
    used, out = set(), []
    for sample in samples:
        key = normalise(sample.text)
        review = by_text.get(key)
        if review is not None:
            used.add(key)
        if review is None or review.answer == "ignore":
            out.append(sample)
        elif review.answer == "accept":
            meta = {**sample.meta, "reviewed": True, "teacher_labels": sample.labels, "teacher_spans": sample.spans}
            text = review.text if review.spans else sample.text
            out.append(Sample(text, review.labels, review.spans, sample.tag, sample.round, sample.target, 1.0, meta))
    for key, review in by_text.items():
        if key not in used and review.answer == "accept":
            out.append(Sample(review.text, review.labels, review.spans, "reviewed", r, None, 1.0, {"reviewed": True}))
    return out


def reviewed_texts(folder: RunFolder, rounds: Iterable[int]) -> Set[str]:
    """The normalised texts of every stored review of these rounds, whatever its answer: texts a
    later round must not bring back (a rejected text generated again is still rejected)."""
    return {normalise(rev.text) for r in rounds for rev in read_reviews(folder, r)}
