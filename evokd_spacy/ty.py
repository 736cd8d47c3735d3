"""Shared types and Protocols. The loop talks to these, never to HTTP, torch or spaCy training."""
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Protocol, Sequence, runtime_checkable

from spacy.tokens import Doc

# A spacy-llm model: one list of prompt shards per doc in, one list of responses per doc out.
PromptExecutor = Any


@runtime_checkable
class TeacherTask(Protocol):
    """A spacy-llm (non-sharding) task: one prompt per doc, responses parsed back onto docs."""

    def generate_prompts(self, docs: Iterable[Doc]) -> Iterable[Any]:
        ...

    def parse_responses(self, docs: Iterable[Doc], responses: Iterable[Any]) -> Iterable[Doc]:
        ...


@runtime_checkable
class LabelledTask(Protocol):
    """A task that learns its label set at run time, as spacy-llm's LabeledTask does."""

    def add_label(self, label: str, label_definition: Optional[str] = None) -> int:
        ...

    def clear(self) -> None:
        ...


@dataclass
class TaskSpec:
    """What is being distilled: task kind, description and labels with their descriptions."""

    kind: str
    description: str
    labels: Dict[str, str]
    exclusive: bool = True

    @property
    def label_names(self) -> List[str]:
        return list(self.labels)


@dataclass
class Sample:
    """One labelled text: a seed, or a generated text with its teacher label."""

    text: str
    labels: List[str]
    tag: str = "seed"  # seed | hard | easy
    round: int = 0
    target: Optional[str] = None
    confidence: Optional[float] = None
    meta: Dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> Dict[str, Any]:
        return {
            "text": self.text,
            "labels": list(self.labels),
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
            tag=data.get("tag", "seed"),
            round=int(data.get("round", 0)),
            target=data.get("target"),
            confidence=data.get("confidence"),
            meta=dict(data.get("meta") or {}),
        )


@runtime_checkable
class Student(Protocol):
    """A trainable student: trains on samples, predicts labels, scores on a dev set."""

    def train(self, train: Sequence[Sample], dev: Sequence[Sample], output_dir: Any, warm_start: Optional[Any]) -> Dict[str, Any]:
        ...

    def predict(self, model_dir: Any, texts: Sequence[str]) -> List[List[str]]:
        ...
