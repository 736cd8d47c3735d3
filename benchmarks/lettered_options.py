"""Labels as lettered options: can a server's first-token log-probabilities score them exactly? (issue #9)

    python -m benchmarks.teacher_techniques --datasets trec --variants cloze_lettered

A served teacher scores only the first token of an answer (`evokd.OpenAICompatible.v3`), and
TREC-6's label words start with tokens that are not among the likeliest or that several words
share, so v3 labels TREC-6 at 0.258 where the local teacher reaches 0.572 (BENCHMARKS.md).
Listing the labels as options A to F and scoring the letter makes every answer one token that
no other label shares. This benchmark-only task (`benchmarks.TextCatLabelLettered.v1`) is v6
with such a prompt and each label's letter as its only verbaliser; it is measured with the local
teacher first, since a served teacher scores a one-token answer the same way.
"""
from typing import Any, Dict, List, Optional, Sequence

from evokd_spacy.registry import registry
from evokd_spacy.tasks.textcat.calibrated_label import CONTENT_FREE
from evokd_spacy.tasks.textcat.small_set_label import SmallSetClozeTextCatLabelTask

LETTERED_TEMPLATE = """{{ description }}

Text: {{ text }}

Options:
{% for option in options %}
{{ option.letter }}. {{ option.word }}: {{ option.definition }}
{% endfor %}

Answer with the letter of one option.
"""


class LetteredTextCatLabelTask(SmallSetClozeTextCatLabelTask):
    """v6 with the labels listed as lettered options, each scored by its letter."""

    def letter(self, label: str) -> str:
        """The option letter of a label: A for the first, B for the second, ..."""
        return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[self.labels.index(label)]

    def words(self, label: str) -> List[str]:
        """Only the label's letter."""
        return [self.letter(label)]

    def example_answer(self, label: str) -> str:
        return self.letter(label)

    def render(self, **values: Any) -> str:
        options = [{"letter": self.letter(label), "word": self.answer_word(label), "definition": self.label_definitions.get(label, "")}
                   for label in self.labels]
        return super().render(**values, options=options)


@registry.llm_tasks("benchmarks.TextCatLabelLettered.v1")
def make_lettered_label_task(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: str = LETTERED_TEMPLATE,
    few_shot: int = 6,
    few_shot_max_labels: int = 2,
    calibration: str = "batch",
    content_free: Sequence[str] = CONTENT_FREE,
) -> LetteredTextCatLabelTask:
    """v6 with lettered options (benchmark only)."""
    return LetteredTextCatLabelTask(**dict(locals()))
