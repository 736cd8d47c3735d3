"""Named-entity recognition as seen by the loop: gold entities on docs, predictions, correctness."""
from typing import Any, Dict, List, Sequence

from spacy.language import Language
from spacy.scorer import Scorer
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import filter_spans

from ...ty import Sample, TaskSpec


def describe_spans(text: str, spans: List[List[Any]]) -> str:
    """`pad thai (DISH), basil (INGREDIENT)`, or `(none)`."""
    return ", ".join(f"{text[s:e]} ({label})" for s, e, label in spans) or "(none)"


def spans_to_doc(nlp: Language, text: str, spans: List[List[Any]], unsure: Sequence[Sequence[int]] = ()) -> Doc:
    """A Doc whose entities are `spans` (spans off token boundaries are expanded to them) and whose
    other tokens are "outside", except the tokens of the `unsure` character ranges that are in no
    entity, which are left missing: spaCy's NER neither rewards nor penalises anything there."""
    doc = nlp.make_doc(text)
    ents = filter_spans([ent for ent in (doc.char_span(s, e, label=label, alignment_mode="expand") for s, e, label in spans) if ent is not None])
    taken = {i for ent in ents for i in range(ent.start, ent.end)}
    unsure_tokens = {i for s, e in unsure for h in [doc.char_span(s, e, alignment_mode="expand")] if h is not None
                     for i in range(h.start, h.end)} - taken
    doc.set_ents(ents, missing=_runs(doc, sorted(unsure_tokens)), default="outside")
    return doc


def _runs(doc: Doc, tokens: List[int]) -> List[Any]:
    """The spans of `doc` that the sorted token indices make up, each a run of neighbours."""
    runs: List[List[int]] = []
    for i in tokens:
        if runs and runs[-1][1] == i:
            runs[-1][1] = i + 1
        else:
            runs.append([i, i + 1])
    return [doc[start:end] for start, end in runs]


def unsure_drops(sample: Sample) -> List[Dict[str, Any]]:
    """The entities the teacher named that could not be kept but mark where an entity is (a label
    outside the set, a string named with two labels, a string off token boundaries or inside a
    word); none for a reviewed sample, whose spans are whole."""
    if sample.meta.get("reviewed"):
        return []
    return [drop for drop in sample.meta.get("entity_drops") or []
            if drop.get("reason") in ("unknown_label", "two_labels", "inside_word") and drop.get("ranges")
            or drop.get("reason") == "misaligned" and "end" in drop]


def unsure_ranges(sample: Sample) -> List[List[int]]:
    """Character ranges of `unsure_drops`: training leaves their tokens unannotated."""
    out: List[List[int]] = []
    for drop in unsure_drops(sample):
        out += [list(r) for r in drop["ranges"]] if "ranges" in drop else [[int(drop["start"]), int(drop["end"])]]
    return out


class NERKind:
    """The `ner` task kind."""

    name = "ner"
    main_score = "ents_f"
    per_label_score = "ents_per_type"
    allows_no_label = True

    def to_doc(self, nlp: Language, sample: Sample, spec: TaskSpec) -> Doc:
        return spans_to_doc(nlp, sample.text, sample.spans, unsure_ranges(sample))

    def from_doc(self, doc: Doc) -> Sample:
        spans = [[ent.start_char, ent.end_char, ent.label_] for ent in doc.ents]
        return Sample(text=doc.text, labels=sorted({s[2] for s in spans}), spans=spans)

    def prediction(self, doc: Doc, spec: TaskSpec) -> List[List[Any]]:
        return [[ent.start_char, ent.end_char, ent.label_] for ent in doc.ents]

    def is_correct(self, sample: Sample, prediction: List[List[Any]]) -> bool:
        return sorted(map(tuple, prediction)) == sorted(map(tuple, sample.spans))

    def describe(self, sample: Sample, prediction: List[List[Any]]) -> Dict[str, Any]:
        return {
            "text": sample.text,
            "gold": describe_spans(sample.text, sample.spans),
            "pred": describe_spans(sample.text, prediction),
            "gold_spans": sample.spans,
            "pred_spans": prediction,
        }

    def example(self, sample: Sample) -> Dict[str, Any]:
        return {"text": sample.text, "entities": [{"text": sample.text[s:e], "label": lab} for s, e, lab in sample.spans]}

    def score(self, examples: List[Example], spec: TaskSpec) -> Dict[str, Any]:
        """spaCy's entity P/R/F, overall and per type."""
        return Scorer.score_spans(examples, "ents")

    def labelled_fields(self, result: Dict[str, Any]) -> Dict[str, Any]:
        spans = result.get("spans", [])
        return {
            "spans": spans,
            "labels": sorted({s[2] for s in spans}),
            "confidence": None,
            "label_error": result.get("error", ""),
            "entity_drops": result.get("drops", []),
        }
