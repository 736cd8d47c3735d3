"""Sentence generation for NER: hard and easy sentences that mention the target entity type."""
from pathlib import Path
from typing import Dict, Optional

from ...registry import registry
from ..textcat.generate import TextCatGenerateTask


class NERGenerateTask(TextCatGenerateTask):
    """Same request and answer format as text classification, with the NER template."""

    template_dir = Path(__file__).parent


@registry.llm_tasks("evokd.NERGenerate.v1")
def make_ner_generate_task(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: Optional[str] = None,
    n_hard: int = 3,
    n_easy: int = 2,
    max_examples: int = 0,
) -> NERGenerateTask:
    """Generation task for NER: `n_hard` + `n_easy` sentences per call."""
    return NERGenerateTask(
        labels=labels, description=description, template=template, n_hard=n_hard, n_easy=n_easy, max_examples=max_examples
    )
