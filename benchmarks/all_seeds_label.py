"""A benchmark-only labeller: TextCatLabel.v6 whose prompts show every exemplar `few_shot` allows.

The package's labellers show at most 8 exemplars a prompt (`max_shown`); with 5 seeds a label that
is 8 of SST-2's 10 and 8 of TREC-6's 30 (ABBR and DESC twice, the rest once). This one shows them
all, to measure whether more seeds make better exemplars before a released version does so.
"""
from typing import Any, Dict, List, Optional, Sequence

from evokd_spacy.registry import registry
from evokd_spacy.tasks.textcat.calibrated_label import CONTENT_FREE
from evokd_spacy.tasks.textcat.small_set_label import SmallSetClozeTextCatLabelTask


class AllSeedsClozeTextCatLabelTask(SmallSetClozeTextCatLabelTask):
    """v6 without the cap of 8 exemplars a prompt."""

    @property
    def max_shown(self) -> int:  # type: ignore[override]
        return self.few_shot


@registry.llm_tasks("benchmarks.TextCatLabelAllSeeds.v1")
def make_all_seeds_label_task(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    verbalizers: Optional[Dict[str, List[str]]] = None,
    few_shot: int = 64,
    few_shot_max_labels: int = 0,
    calibration: str = "batch",
    content_free: Sequence[str] = CONTENT_FREE,
) -> AllSeedsClozeTextCatLabelTask:
    """v6 that shows up to `few_shot` seed exemplars (not at most 8), whatever the label count."""
    kwargs: Dict[str, Any] = dict(locals())
    return AllSeedsClozeTextCatLabelTask(**kwargs)
