"""Label-set handling shared by the tasks (spacy-llm's LabeledTask protocol)."""
from typing import Dict, Optional, Tuple


class LabelSet:
    """Holds labels and their descriptions; tasks learn them from config or at run time."""

    def __init__(self, labels: Optional[Dict[str, str]] = None, description: str = "") -> None:
        self._labels: Dict[str, str] = {}
        self.description = description
        for label, definition in (labels or {}).items():
            self.add_label(label, definition)

    @property
    def labels(self) -> Tuple[str, ...]:
        return tuple(self._labels)

    @property
    def label_definitions(self) -> Dict[str, str]:
        return dict(self._labels)

    def add_label(self, label: str, label_definition: Optional[str] = None) -> int:
        """Add a label (spacy-llm's LabeledTask API); returns 1 when it is new."""
        is_new = label not in self._labels
        self._labels[label] = label_definition or self._labels.get(label, "")
        return int(is_new)

    def clear(self) -> None:
        """Forget all labels."""
        self._labels = {}

    def check_ready(self, task_name: str) -> None:
        if not self._labels:
            raise ValueError(f"{task_name} has no labels: set `labels` in its config or call add_label().")
