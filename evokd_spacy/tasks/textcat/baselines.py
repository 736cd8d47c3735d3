"""Generation tasks for the baselines EvoKD is measured against (benchmarks/):

- static, label-conditioned generation without feedback (ZeroGen-style): `evokd.TextCatStaticGenerate.v2`
  (v1 asks a multi-label task for texts "whose correct label is" the target, as if it were their only one);
- paraphrase augmentation, the teacher rewrites each seed (AugGPT-style): `evokd.TextCatParaphrase.v1`.

Both answer `TEXT n: <text>` lines, parsed like EvoKD's generation; the items are tagged
"static" or "paraphrase" and carry the label asked for as their target.
"""
from typing import Any, Dict, Optional

from spacy.tokens import Doc

from ...registry import registry
from ..base import PromptTask, examples_for_prompt
from ..request import request_of, result_of, set_result
from .generate import TextCatGenerateTask


class TextCatStaticGenerateTask(TextCatGenerateTask):
    """Request: {"target", "examples", "style"}; `n` texts per call, no analysis, no hard/easy."""

    default_template = "static.jinja"
    tag = "static"
    requests_per_seed = False

    def __init__(self, n: int = 6, max_examples: int = 0, **kwargs: Any) -> None:
        PromptTask.__init__(self, **kwargs)
        if n <= 0:
            raise ValueError("n must be > 0")
        self.n, self.n_hard, self.n_easy, self.max_examples = n, 0, 0, max_examples

    def prompt_for(self, doc: Doc) -> str:
        request = request_of(doc)
        return self.render(
            target=request.get("target"),
            seed_text=request.get("source", ""),
            examples=examples_for_prompt(request.get("examples", []), self.max_examples),
            n=self.n,
            style=request.get("style"),
        )

    def tagged_counts(self) -> Dict[str, int]:
        return {"n_hard": 0, "n_easy": 0, "n_text": self.n}

    def parse_one(self, doc: Doc, response: Any) -> None:
        super().parse_one(doc, response)
        result = result_of(doc)
        set_result(doc, {**result, "items": [{**item, "tag": self.tag} for item in result["items"]]})


class TextCatStaticGenerateTaskV2(TextCatStaticGenerateTask):
    """v1 whose prompt, in a multi-label task, asks for texts whose labels include the target."""

    default_template = "static_v2.jinja"


class TextCatParaphraseTask(TextCatStaticGenerateTask):
    """Request: {"target", "source"}: `n` rewrites of one seed text."""

    default_template = "paraphrase.jinja"
    tag = "paraphrase"
    requests_per_seed = True


@registry.llm_tasks("evokd.TextCatStaticGenerate.v1")
def make_textcat_static_generate_task(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: Optional[str] = None,
    n: int = 6,
    max_examples: int = 0,
) -> TextCatStaticGenerateTask:
    """Static label-conditioned generation (a baseline): `n` texts of the target label per call."""
    return TextCatStaticGenerateTask(labels=labels, description=description, template=template, n=n, max_examples=max_examples)


@registry.llm_tasks("evokd.TextCatStaticGenerate.v2")
def make_textcat_static_generate_task_v2(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: Optional[str] = None,
    n: int = 6,
    max_examples: int = 0,
) -> TextCatStaticGenerateTaskV2:
    """v1 that asks a multi-label task for texts whose labels include the target; an exclusive
    task gets v1's prompt."""
    return TextCatStaticGenerateTaskV2(labels=labels, description=description, template=template, n=n, max_examples=max_examples)


@registry.llm_tasks("evokd.TextCatParaphrase.v1")
def make_textcat_paraphrase_task(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: Optional[str] = None,
    n: int = 6,
) -> TextCatParaphraseTask:
    """Paraphrase augmentation (a baseline): `n` rewrites of each seed, keeping its label."""
    return TextCatParaphraseTask(labels=labels, description=description, template=template, n=n)
