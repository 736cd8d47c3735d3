"""Labelling that can show each text twice (`evokd.TextCatLabel.v7`).

A decoder-only teacher reads the first copy of a text without what follows it; a second copy
attends to all of the first ("re-reading", Xu et al. 2023; "echo embeddings", Springer et al.
2024). With Qwen2.5-Coder-0.5B (BENCHMARKS.md, session 15), showing every text twice moved TREC-6
from 0.572 to 0.644 macro F on its whole dev split and from 0.592 to 0.624 on 500 unseen
training questions, but cost SST-2 1.7 points and TweetEval emotion 2.9. So v7 is v6 with
`echo = false` by default, and `[loop] choose_echo = n` lets a run choose it on n dev texts.
"""
from typing import Any, Dict, List, Optional, Sequence

from ...registry import registry
from ..templating import load_template
from .calibrated_label import CONTENT_FREE
from .small_set_label import SmallSetClozeTextCatLabelTask

ECHO_TEMPLATE = "label_cloze_echo.jinja"


class EchoClozeTextCatLabelTask(SmallSetClozeTextCatLabelTask):
    """TextCatLabel.v6 whose prompt can show each text (exemplars too) a second time."""

    def __init__(self, echo: bool = False, echo_template: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.echo = bool(echo)
        self.echo_template = load_template(self.template_dir, ECHO_TEMPLATE, echo_template)

    @property
    def prompt_template(self) -> str:
        """The echo template when `echo` is on, else v6's."""
        return self.echo_template if self.echo else self.template


@registry.llm_tasks("evokd.TextCatLabel.v7")
def make_textcat_label_task_v7(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: Optional[str] = None,
    echo_template: Optional[str] = None,
    echo: bool = False,
    exclusive: bool = True,
    verbalizers: Optional[Dict[str, List[str]]] = None,
    few_shot: int = 6,
    few_shot_max_labels: int = 2,
    calibration: str = "batch",
    min_batch: int = 8,
    content_free: Sequence[str] = CONTENT_FREE,
    multilabel_threshold: float = 0.35,
) -> EchoClozeTextCatLabelTask:
    """v6 (one-word answers, verbalisers, batch calibration, seed exemplars for small label sets)
    that shows each text, and each exemplar, twice when `echo` is true (`echo_template` replaces
    that prompt). `[loop] choose_echo = n` sets `echo` by labelling n dev texts both ways."""
    return EchoClozeTextCatLabelTask(**locals())
