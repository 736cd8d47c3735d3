"""Shared types and Protocols. The loop talks to these, never to HTTP, torch or spaCy training."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Protocol, runtime_checkable

if TYPE_CHECKING:  # for the annotations only: these types need no spaCy at run time
    from spacy.tokens import Doc

@runtime_checkable
class TeacherTask(Protocol):
    """A spacy-llm (non-sharding) task: one prompt per doc, responses parsed back onto docs."""

    def generate_prompts(self, docs: Iterable[Doc]) -> Iterable[Any]:
        ...

    def parse_responses(self, docs: Iterable[Doc], responses: Iterable[Any]) -> Iterable[Doc]:
        ...


@dataclass
class TaskSpec:
    """What is being distilled: task kind, description and labels with their descriptions."""

    kind: str
    description: str
    labels: Dict[str, str]
    exclusive: bool = True
    lang: str = "en"  # the spaCy language whose tokenizer splits the texts (the student's)
    tokenizer: str = ""  # the student config's [nlp.tokenizer] as JSON ("": the language's default)

    @property
    def label_names(self) -> List[str]:
        return list(self.labels)


@dataclass
class Sample:
    """One labelled text: a seed, or a generated text with its teacher label."""

    text: str
    labels: List[str]  # textcat: the gold labels; ner: the entity types present
    spans: List[List[Any]] = field(default_factory=list)  # ner: [start_char, end_char, label]
    tag: str = "seed"  # seed | hard | easy | pool (selected from the unlabelled pool)
    round: int = 0
    target: Optional[str] = None
    confidence: Optional[float] = None
    meta: Dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> Dict[str, Any]:
        return {
            "text": self.text,
            "labels": list(self.labels),
            "spans": [list(span) for span in self.spans],
            "tag": self.tag,
            "round": self.round,
            "target": self.target,
            "confidence": self.confidence,
            "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Sample":
        return cls(
            text=data["text"],
            labels=list(data["labels"]),
            spans=[list(span) for span in data.get("spans") or []],
            tag=data.get("tag", "seed"),
            round=int(data.get("round", 0)),
            target=data.get("target"),
            confidence=data.get("confidence"),
            meta=dict(data.get("meta") or {}),
        )


@runtime_checkable
class TaskKind(Protocol):
    """What the loop needs to know about a task kind (text classification, NER, ...)."""

    name: str
    main_score: str  # key in spaCy's scores, e.g. "cats_score" or "ents_f"
    per_label_score: str  # e.g. "cats_f_per_type" or "ents_per_type"
    allows_no_label: bool  # may a sample carry no label at all (NER: a sentence without entities)?

    def to_doc(self, nlp: Any, sample: Sample, spec: TaskSpec) -> Doc:
        """A Doc with the sample's gold annotation."""

    def from_doc(self, doc: Doc) -> Sample:
        """A Sample from an annotated Doc."""

    def prediction(self, doc: Doc, spec: TaskSpec) -> Any:
        """The student's prediction on a processed Doc, as JSON-ready data."""

    def is_correct(self, sample: Sample, prediction: Any) -> bool:
        """Whether a prediction matches the sample's gold annotation exactly."""

    def describe(self, sample: Sample, prediction: Any) -> Dict[str, Any]:
        """A row for the analysis prompt: text, gold and predicted annotation."""

    def example(self, sample: Sample) -> Dict[str, Any]:
        """A few-shot example for the labelling prompt."""

    def score(self, examples: List[Any], spec: TaskSpec) -> Dict[str, Any]:
        """spaCy-style scores of predicted against reference docs (spacy.training.Example)."""

    def labelled_fields(self, result: Dict[str, Any]) -> Dict[str, Any]:
        """Sample fields (labels, spans, confidence, label_error, ...) from a labelling result."""


@dataclass
class PoolCandidate:
    """An unlabelled pool document as the current student sees it."""

    index: int  # position in the pool file (stable across rounds)
    text: str
    prediction: Any  # textcat: predicted labels; ner: predicted [start, end, label] spans
    probs: Optional[Dict[str, float]] = None  # textcat: the student's label scores


@runtime_checkable
class Selector(Protocol):
    """A pool selection strategy (registered as `evokd.Select*.v*` in spaCy's `misc` registry).

    A strategy that asks the teacher also has `teacher_calls(n) -> {"generated": .., "scored": ..}`,
    the most calls selecting `n` texts takes, for the dry-run estimate.
    """

    name: str

    def select(self, candidates: List[PoolCandidate], n: int, context: Any) -> List[Dict[str, Any]]:
        """Pick up to `n` candidates, most useful first: rows {"index", "score", ...details}.

        `context` is a `evokd_spacy.pool.context.SelectionContext` (spec, kind, seed, round, and
        the teacher for strategies that ask it).
        """
