"""Does averaging over the exemplars' order help? Re-score cached dev answers (issue #9).

    python -m benchmarks.teacher_techniques --datasets sst2 --subset all --variants cloze_few_shot_batch cloze_reversed_exemplars
    python -m benchmarks.exemplar_orders [--datasets sst2]

On SST-2 the default labeller (`evokd.TextCatLabel.v6`) shows the two 1-shot seeds as exemplars,
one order only, and the order and choice of exemplars move its score by about 2 points
(BENCHMARKS.md). A small model leans towards the answer of the exemplar it read last. Showing
each text in both orders and averaging the two calibrated label distributions cancels that lean
(at twice the labelling cost). Before a released labeller does it, this measures it from the
teacher-alone benchmark's cache: the text's v6 answer (forward) and its answer with the
exemplars reversed (`benchmarks.TextCatLabelReversedExemplars.v1`, registered here), each
batch-calibrated over the split as v6 does, and their mean. No teacher call is made. Writes
benchmarks/results/exemplar_orders.json and prints the table.
"""
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from evokd_spacy.registry import registry
from evokd_spacy.tasks.textcat.calibrated_label import CONTENT_FREE
from evokd_spacy.tasks.textcat.small_set_label import SmallSetClozeTextCatLabelTask

from . import datasets
from .calibration_strength import calibrate, label_distribution, macro_f, rescore_cached, rescore_cli, split_halves
from .report import RESULTS
from .run import RUNS


class ReversedExemplarsClozeTextCatLabelTask(SmallSetClozeTextCatLabelTask):
    """v6 whose exemplars are shown in the opposite order."""

    def set_examples(self, examples: List[Dict[str, Any]]) -> None:
        """v6's exemplars, last first."""
        super().set_examples(examples)
        self.examples = list(reversed(self.examples))


@registry.llm_tasks("benchmarks.TextCatLabelReversedExemplars.v1")
def make_reversed_exemplars_label_task(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    verbalizers: Optional[Dict[str, List[str]]] = None,
    few_shot: int = 6,
    few_shot_max_labels: int = 2,
    calibration: str = "batch",
    content_free: Sequence[str] = CONTENT_FREE,
) -> ReversedExemplarsClozeTextCatLabelTask:
    """v6 with its exemplars in reverse order (benchmark only)."""
    kwargs: Dict[str, Any] = dict(locals())
    return ReversedExemplarsClozeTextCatLabelTask(**kwargs)


ORDERS = {"forward": "evokd.TextCatLabel.v6", "reversed": "benchmarks.TextCatLabelReversedExemplars.v1"}


def seed_examples(ds: datasets.Dataset, k: int = 1, seed: int = 0) -> List[Dict[str, Any]]:
    """The k-shot seeds the teacher-alone benchmark's runs draw, as labelling exemplars."""
    from evokd_spacy.data.kshot import sample_k_shot
    from evokd_spacy.loop.kinds import get_kind

    kind = get_kind(ds.kind)
    return [kind.example(s) for s in sample_k_shot(ds.train, list(ds.labels), k, seed)]


def order_probabilities(ds: datasets.Dataset, scores: Dict[str, Dict[str, float]]) -> Dict[str, Any]:
    """Uncalibrated label probabilities of each dev text in both exemplar orders (texts cached in both)."""
    import spacy

    nlp, labels, examples = spacy.blank("en"), list(ds.labels), seed_examples(ds)
    tasks = {}
    for order, name in ORDERS.items():
        tasks[order] = registry.llm_tasks.get(name)(labels=ds.labels, description=ds.description)
        tasks[order].set_examples(examples)
    probs: Dict[str, List[List[float]]] = {order: [] for order in ORDERS}
    gold = []
    for sample in ds.dev:
        doc = nlp.make_doc(sample.text)
        found = {order: scores.get(str(task.prompt_for(doc))) for order, task in tasks.items()}
        if any(f is None for f in found.values()):
            continue
        for order, task in tasks.items():
            probs[order].append(label_distribution(task, found[order], labels))
        gold.append(sample.labels[0])
    return {"probs": probs, "gold": gold}


def ensemble(rows: Sequence[Sequence[Sequence[float]]]) -> List[List[float]]:
    """The mean, text by text, of several label distributions."""
    return [[sum(values) / len(values) for values in zip(*per_text)] for per_text in zip(*rows)]


def score_orders(probs: Dict[str, List[List[float]]], gold: List[str], labels: List[str]) -> Dict[str, Any]:
    """Macro F of each order and of their mean, each order batch-calibrated within the part scored."""
    out: Dict[str, Any] = {"n": len(gold), "macro_f": {}}
    for part, index in split_halves(len(gold)).items():
        calibrated = {order: calibrate([rows[i] for i in index], 1.0) for order, rows in probs.items()}
        candidates = {**calibrated, "mean_of_orders": ensemble(list(calibrated.values()))}
        part_gold = [gold[i] for i in index]
        for name, rows in candidates.items():
            predicted = [labels[max(range(len(labels)), key=row.__getitem__)] for row in rows]
            out["macro_f"].setdefault(name, {})[part] = macro_f(predicted, part_gold, labels)
    return out


def main(names: List[str], data: Path, runs: Path = RUNS, results: Path = RESULTS) -> Dict[str, Any]:
    """Score both orders and their mean on each dataset's cached dev answers; write and print the table."""
    return rescore_cached(names, data, runs, Path(results) / "exemplar_orders.json", "labelling", order_probabilities,
                          lambda ds, found: score_orders(found["probs"], found["gold"], list(ds.labels)))


if __name__ == "__main__":
    args = rescore_cli(__doc__, ["sst2"])
    main(args.datasets, args.data)
