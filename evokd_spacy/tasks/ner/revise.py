"""Revision (ELAD) for NER: the teacher sees the student's entities and returns the corrected
list; the result says whether it `accepted` the student's entities or `corrected` them."""
import json
from pathlib import Path
from typing import Any, Dict, List, Optional

from spacy.tokens import Doc

from ...llm_io import GreedyPrompt
from ...registry import registry
from ..base import examples_for_prompt
from ..request import request_of, result_of, set_result
from ..revision import RevisionMixin
from .kind import describe_spans
from .label import NERLabelTask
from .parse import parse_entities


class NERReviseTask(RevisionMixin, NERLabelTask):
    """Docs carry the request {"student": [[start, end, label], ...]}."""

    default_template = "revise.jinja"
    template_dir = Path(__file__).parent

    def __init__(self, reason_template: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.load_reason_template(reason_template)

    def prompt_for(self, doc: Doc) -> GreedyPrompt:
        student = request_of(doc).get("student") or []
        found = [{"text": doc.text[s:e], "label": label} for s, e, label in student]
        shown = examples_for_prompt(self.examples, self.n_examples)
        examples = [{**ex, "entities_json": json.dumps(ex.get("entities", []), ensure_ascii=False)} for ex in shown]
        return GreedyPrompt(self.render(text=doc.text, examples=examples, student_json=json.dumps(found, ensure_ascii=False)))

    def parse_one(self, doc: Doc, response: Any) -> None:
        super().parse_one(doc, response)
        if not keep_student_when_repeated(doc, response):
            keep_student_where_unplaced(doc)
        self.add_verdict(doc, "spans")

    def reason_prompt(self, text: str, student: List[List[Any]], spans: List[List[Any]]) -> str:
        """A plain prompt asking what the student got wrong."""
        return self.render_reason(text, describe_spans(text, student), describe_spans(text, spans))


def keep_student_when_repeated(doc: Doc, response: Any) -> bool:
    """Keep the student's entities when the answer repeats the list it was shown (the same strings
    and labels): the prompt shows no positions, so a string the student labelled at one of its
    occurrences would otherwise be labelled at all of them and called a correction."""
    result = result_of(doc)
    if result.get("error") or getattr(response, "truncated", False):
        return False
    student = request_of(doc).get("student") or []
    shown = sorted((doc.text[s:e].strip().casefold(), str(label).lower()) for s, e, label in student)
    entities, _ = parse_entities(str(response or ""))
    named = sorted((str(e.get("text", "")).strip().strip("\"'`").strip().casefold(), str(e.get("label", "")).strip().lower()) for e in entities)
    if named != shown or sorted(map(list, result.get("spans", []))) == sorted(map(list, student)):
        return False
    spans = sorted([list(span) for span in student])
    doc.ents = [doc.char_span(s, e, label=lab) for s, e, lab in spans]
    set_result(doc, {**result, "spans": spans, "drops": []})
    return True


UNPLACED = ("unknown_label", "two_labels", "misaligned")  # the teacher named an entity there, but not one we can keep


def keep_student_where_unplaced(doc: Doc) -> None:
    """Keep a student's entity that the revision named with a label outside the set ("PERSON" for
    PER) or a string off the token boundaries: the teacher did not say it is no entity, and
    dropping it would train the sentence with that entity as not an entity."""
    result = result_of(doc)
    unplaced = {str(d.get("text", "")).strip().lower() for d in result.get("drops", []) if d.get("reason") in UNPLACED}
    spans = [list(span) for span in result.get("spans", [])]
    taken = [False] * len(doc.text)
    for start, end, _ in spans:
        taken[start:end] = [True] * (end - start)
    for start, end, label in request_of(doc).get("student") or []:
        if doc.text[start:end].strip().lower() in unplaced and not any(taken[start:end]):
            spans.append([start, end, label])
            taken[start:end] = [True] * (end - start)
    if len(spans) > len(result.get("spans", [])):
        spans.sort()
        doc.ents = [doc.char_span(s, e, label=lab) for s, e, lab in spans]
        set_result(doc, {**result, "spans": spans})


@registry.llm_tasks("evokd.NERRevise.v1")
def make_ner_revise_task(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: Optional[str] = None,
    reason_template: Optional[str] = None,
    examples: Optional[List[Dict[str, Any]]] = None,
    n_examples: int = 3,
) -> NERReviseTask:
    """Revision task for NER: keep or correct the student's entities (ELAD)."""
    return NERReviseTask(
        labels=labels, description=description, template=template, reason_template=reason_template,
        examples=examples, n_examples=n_examples,
    )
