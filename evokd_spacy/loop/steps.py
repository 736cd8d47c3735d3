"""The teacher-facing steps of a round: split, analyse, generate, label, filter.

Each step takes plain data and returns plain data (JSON-ready), so that the runner can save
it as the step's output and a restarted run can pick it up.
"""
from typing import Any, Dict, List, Optional, Sequence

from spacy.language import Language

from ..tasks.request import make_request_doc, result_of
from ..teachers.cache import IO_KEY, TOKENS_KEY
from ..ty import Sample, TaskKind, TaskSpec
from .attributes import request_style
from .settings import REPEAT_LIMIT
from .teacher import Teacher


def split_predictions(kind: TaskKind, batch: Sequence[Sample], predicted: Sequence[Any]) -> Dict[str, List[Dict[str, Any]]]:
    """Split the newest labelled batch into the student's correct and wrong predictions."""
    split: Dict[str, List[Dict[str, Any]]] = {"correct": [], "wrong": []}
    for sample, pred in zip(batch, predicted):
        split["correct" if kind.is_correct(sample, pred) else "wrong"].append(kind.describe(sample, pred))
    return split


def analyse(teacher: Teacher, split: Dict[str, Any], r: int) -> Dict[str, Any]:
    """Ask the teacher to analyse the student's weaknesses from its correct and wrong predictions."""
    counted = {"n_correct": split["n_correct"]} if "n_correct" in split else {}  # right ones not shown (an ablation)
    doc = make_request_doc({"correct": split["correct"], "wrong": split["wrong"], "round": r, **counted})
    [doc] = teacher.client.run(teacher.analyse, [doc], desc=f"round {r} analyse", sample_offset=r)
    return {**result_of(doc), **doc.user_data[IO_KEY]}


def generation_requests(
    spec: TaskSpec,
    analysis: str,
    split: Dict[str, Any],
    seeds: Sequence[Sample],
    requests_per_label: int,
    styles: Sequence[str],
    attributes: Optional[Dict[str, Sequence[str]]] = None,
    r: int = 0,
) -> List[Dict[str, Any]]:
    """One request per label and repeat; repeats differ by style so that their prompts differ,
    and each request of round `r` names its own attribute values (`attributes`).

    The examples shown are the newest batch (the student's mistakes first), then the seeds, so
    each round's prompt builds on the last round's data.
    """
    shown = [{"text": row["text"], "label": row["gold"]} for row in split["wrong"] + split["correct"]]
    shown += [{"text": s.text, "label": ", ".join(s.labels)} for s in seeds]
    requests = []
    for j in range(max(1, requests_per_label)):
        for label in spec.label_names:
            style = request_style(styles, attributes or {}, r, label, j)
            requests.append({"analysis": analysis, "target": label, "examples": shown, "style": style})
    return requests


def requests_for(
    task: Any, spec: TaskSpec, analysis: str, split: Dict[str, Any], seeds: Sequence[Sample], loop: Dict[str, Any], r: int = 0
) -> List[Dict[str, Any]]:
    """Round `r`'s generation requests: per label (EvoKD, static), or per seed for a task that
    rewrites seeds (`requests_per_seed`, e.g. paraphrase augmentation)."""
    if getattr(task, "requests_per_seed", False):
        return [  # the prompt names the seed's first label; its rewrites keep all of them (`targets`)
            {"target": seed.labels[0], "targets": list(seed.labels), "source": seed.text, "examples": [], "analysis": "", "style": None}
            for _ in range(max(1, loop["requests_per_label"]))
            for seed in seeds
            if seed.labels
        ]
    return generation_requests(spec, analysis, split, seeds, loop["requests_per_label"], loop["styles"], loop["attributes"], r)


def label_by_target(items: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Label each text with the label it was generated for, without a teacher call."""
    return [
        {**item, "labels": list(item.get("targets") or [item["target"]]), "confidence": None}
        if item.get("target")
        else {**item, "labels": [], "label_error": "no_target"}
        for item in items
    ]


REPEAT_STRIDE = REPEAT_LIMIT  # sample indices per round; a round asks a prompt at most requests_per_label times


def generate(
    teacher: Teacher, requests: Sequence[Dict[str, Any]], r: int, repeat_size: int = 0, round_tokens: int = 0
) -> Dict[str, Any]:
    """Ask for new hard and easy texts; returns parsed items and rejected lines, with the raw I/O.

    With `round_tokens`, the requests are asked one repeat (`repeat_size` requests) at a time,
    and the next repeat only while the mean cost of the repeats so far still fits in the round's
    tokens; without it, all at once.
    """
    # Sample indices of their own per round: a prompt that does not change between rounds (static
    # generation, paraphrases) and is asked once per repeat must not get an earlier round's cached
    # answers. Within one call the cache numbers a prompt's copies up from the offset; asked repeat
    # by repeat, each repeat (one request per label or seed, no prompt twice) moves the offset by 1.
    if round_tokens <= 0 or repeat_size <= 0:
        docs = teacher.client.run(
            teacher.generate, [make_request_doc(req) for req in requests], desc=f"round {r} generate", sample_offset=r * REPEAT_STRIDE
        )
        return _generated(docs)
    docs, spent = [], 0
    for j, start in enumerate(range(0, len(requests), repeat_size)):
        chunk = [make_request_doc(req) for req in requests[start : start + repeat_size]]
        docs += teacher.client.run(teacher.generate, chunk, desc=f"round {r} generate {j + 1}", sample_offset=r * REPEAT_STRIDE + j)
        spent += sum(doc.user_data.get(TOKENS_KEY, 0) for doc in docs[start:])
        if spent + spent / (j + 1) > round_tokens:
            break
    return {**_generated(docs), "repeats": j + 1, "tokens": spent}


def _generated(docs: Sequence[Any]) -> Dict[str, Any]:
    items, rejects = [], []
    for doc in docs:
        result, io = result_of(doc), doc.user_data[IO_KEY]
        items += [{**item, **io} for item in result.get("items", [])]
        rejects += [{**rej, "response": io["response"]} for rej in result.get("rejects", [])]
    return {"items": items, "rejects": rejects}


def label(teacher: Teacher, kind: TaskKind, nlp: Language, items: Sequence[Dict[str, Any]], r: int) -> List[Dict[str, Any]]:
    """Label every generated text in a separate teacher call."""
    docs = teacher.client.run(teacher.label, [nlp.make_doc(item["text"]) for item in items], desc=f"round {r} label")
    labelled = []
    for item, doc in zip(items, docs):
        io = doc.user_data[IO_KEY]
        fields = kind.labelled_fields(result_of(doc))
        labelled.append({**item, **fields, "label_prompt": io["prompt"], "label_response": io["response"]})
    return labelled
