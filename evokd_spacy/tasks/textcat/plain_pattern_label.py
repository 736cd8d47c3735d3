"""Labelling that also reads the teacher as a plain language model (`evokd.TextCatLabel.v8`).

v6 and v7 put the prompt in the teacher's chat template and score the first word of its answer.
An instruct model is still a language model of running text underneath, and the classic recipe
for sentiment scores the word that follows a plain pattern after the text ("Review: <text>
\\nSentiment:" then " positive" or " negative"; Brown et al., 2020). With Qwen2.5-Coder-0.5B and
the 1-shot seeds as demonstrations, that pattern alone labelled SST-2 at 0.839 on 500 training
sentences and 0.844 on dev; the mean of its and v6's batch-calibrated label probabilities, chosen
on the training sentences, at 0.843 and **0.851** (BENCHMARKS.md, session 17; v6: 0.833 / 0.838).

v8 is v7 with `plain_pattern`: when set, each text is asked twice, v7's prompt and the pattern
(`{text}` marks the text) as a `PlainChoicePrompt` after the exemplars v7 shows, each exemplar
answered with its label's answer word. The two label distributions are batch-calibrated each
(as `calibration` says) and averaged. Off by default (`plain_pattern = null`): v8 then asks what
v7 asks. A local teacher reads the pattern as plain text, as does a server through
`evokd.OpenAICompatible.v3` (its `/completions`); v1 and v2 send it as a chat message.
"""
from typing import Any, Dict, Iterable, List, Optional, Sequence

from spacy.tokens import Doc

from ...errors import ConfigError
from ...llm_io import PlainChoicePrompt, softmax
from ...registry import registry
from ..base import examples_for_prompt
from .calibrated_label import CONTENT_FREE
from .echo_label import EchoClozeTextCatLabelTask
from ..request import result_of, set_result

TEXT_MARK = "{text}"


class PlainPatternTextCatLabelTask(EchoClozeTextCatLabelTask):
    """TextCatLabel.v7 that, with `plain_pattern`, also scores each label's answer word after the
    text in a plain pattern and averages the two calibrated label distributions."""

    def __init__(self, plain_pattern: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if plain_pattern is not None and TEXT_MARK not in plain_pattern:
            raise ConfigError(f"[teacher.label] plain_pattern must mark where the text goes with {TEXT_MARK}, "
                              f'e.g. "Review: {TEXT_MARK}\\nSentiment:" (got {plain_pattern!r}).')
        self.plain_pattern = plain_pattern

    def plain_prompt_for(self, doc: Doc) -> PlainChoicePrompt:
        """The plain pattern after the shown exemplars, each followed by its answer word and a
        blank line; the choices are the labels' answer words, each after a space."""
        shown = examples_for_prompt(self.examples, self.max_shown)
        opening = "".join(self._fill(ex["text"]) + " " + self.example_answer(ex["label"]) + "\n\n" for ex in shown)
        return PlainChoicePrompt(opening + self._fill(doc.text), [" " + self.answer_word(label) for label in self.labels])

    def _fill(self, text: str) -> str:
        return str(self.plain_pattern).replace(TEXT_MARK, text)

    def generate_prompts(self, docs: Iterable[Doc]) -> Iterable[Any]:
        """v7's prompt per doc, or with `plain_pattern` a list of v7's prompt and the plain one."""
        if not self.plain_pattern:
            yield from super().generate_prompts(docs)
            return
        self.check_ready(type(self).__name__)
        for doc in docs:
            yield [self.prompt_for(doc), self.plain_prompt_for(doc)]

    def parse_responses(self, docs: Iterable[Doc], responses: Iterable[Any]) -> Iterable[Doc]:
        """v7's labels from each doc's first answer; with a plain answer too, the labels of the
        mean of the two calibrated distributions."""
        docs, responses = list(docs), [list(r) if isinstance(r, (list, tuple)) else [r] for r in responses]
        parsed = list(super().parse_responses(docs, [r[:1] for r in responses]))
        plain = [r[1] if len(r) > 1 else None for r in responses]
        if not self.plain_pattern or not any(getattr(a, "scores", None) for a in plain):
            yield from parsed
            return
        plain_probs = self.plain_distributions(plain)
        for doc, probs in zip(parsed, plain_probs):
            result = result_of(doc)
            if probs is not None and result.get("scores"):
                mean = {label: (result["scores"][label] + probs[label]) / 2 for label in self.labels}
                chosen, confidence, margin = self.choose(mean)
                doc.cats = {label: float(label in chosen) for label in self.labels}
                set_result(doc, {**result, "labels": chosen, "scores": mean, "confidence": confidence, "margin": margin,
                                 "chat_scores": result["scores"], "plain_scores": probs})
            yield doc

    def plain_distributions(self, answers: Sequence[Any]) -> List[Optional[Dict[str, float]]]:
        """Each plain answer's label probabilities, batch-calibrated as v7's are (None: no scores)."""
        words = {label: " " + self.answer_word(label) for label in self.labels}
        probs = [softmax({label: a.scores[w] for label, w in words.items()}) if getattr(a, "scores", None) else None for a in answers]
        scored = [p for p in probs if p is not None]
        if self.calibration != "batch" or len(scored) < self.min_batch:
            return probs
        prior = {label: sum(p[label] for p in scored) / len(scored) for label in self.labels}
        out: List[Optional[Dict[str, float]]] = []
        for p in probs:
            raw = {label: p[label] / max(prior[label], 1e-6) for label in self.labels} if p is not None else None
            out.append({label: v / sum(raw.values()) for label, v in raw.items()} if raw else None)
        return out


@registry.llm_tasks("evokd.TextCatLabel.v8")
def make_textcat_label_task_v8(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: Optional[str] = None,
    echo_template: Optional[str] = None,
    echo: bool = False,
    plain_pattern: Optional[str] = None,
    exclusive: bool = True,
    verbalizers: Optional[Dict[str, List[str]]] = None,
    few_shot: int = 6,
    few_shot_max_labels: int = 2,
    calibration: str = "batch",
    min_batch: int = 8,
    content_free: Sequence[str] = CONTENT_FREE,
    multilabel_threshold: float = 0.35,
) -> PlainPatternTextCatLabelTask:
    """v7 (v6 that can read each text twice) that, with `plain_pattern` (e.g. "Review: {text}\\n
    Sentiment:"), also scores the labels' answer words after the text as plain running text and
    averages the two batch-calibrated label distributions."""
    return PlainPatternTextCatLabelTask(**locals())
