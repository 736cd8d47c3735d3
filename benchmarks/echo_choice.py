"""Choosing on a few dev texts whether the labeller reads each text twice (issue #9, session 15).

    python -m benchmarks.teacher_techniques --variants cloze_batch cloze_few_shot_batch cloze_echo --subset all
    python -m benchmarks.echo_choice [--datasets sst2 trec emotion] [--n 100]

Showing each text twice (`cloze_echo`, `evokd.TextCatLabel.v7` with echo) moved the 0.5B teacher
from 0.572 to 0.644 on TREC-6 and cost SST-2 1.7 and emotion 2.9 points (whole dev splits). A run
cannot know in advance which kind of task it has, but it has a dev split: `[loop] choose_echo = n`
labels n dev texts both ways and keeps the better. This measures that choice from the cached
answers: `DRAWS` times, n random dev texts choose (echo only if its macro F there is higher), and
the choice is scored on the other dev texts; each part is batch-calibrated on its own texts.
Settings fixed before the first run: n = 100, 50 draws (seeds 0 to 49); `--n 40` (the shipped
`choose_echo`) was run after it. No teacher call is made. Writes benchmarks/results/echo_choice.json
(echo_choice_n<n>.json for another n) and prints the table.
"""
import json
import random
import statistics
from pathlib import Path
from typing import Any, Dict, List, Sequence

from wasabi import msg

from . import datasets
from .calibration_strength import cached_scores, calibrate, label_distribution, macro_f, rescore_cli, teacher_cache
from .exemplar_orders import seed_examples
from .prior_estimation import argmax_labels
from .report import RESULTS
from .run import RUNS
from .teacher_techniques import ECHO_TEMPLATE

N_CHOOSE, DRAWS = 100, 50


def both_ways(ds: datasets.Dataset, scores: Dict[str, Dict[str, float]]) -> Dict[str, Any]:
    """Uncalibrated v6 label probabilities of each dev text read once and read twice (texts with both cached)."""
    import spacy

    from evokd_spacy.registry import registry

    nlp, labels = spacy.blank("en"), list(ds.labels)
    tasks = {}
    for way, extra in (("once", {}), ("twice", {"template": ECHO_TEMPLATE})):
        tasks[way] = registry.llm_tasks.get("evokd.TextCatLabel.v6")(labels=ds.labels, description=ds.description, **extra)
        tasks[way].set_examples(seed_examples(ds))
    out: Dict[str, Any] = {"once": [], "twice": [], "gold": []}
    for sample in ds.dev:
        found = {way: scores.get(str(task.prompt_for(nlp.make_doc(sample.text)))) for way, task in tasks.items()}
        if all(found.values()):
            for way, task in tasks.items():
                out[way].append(label_distribution(task, found[way], labels))
            out["gold"].append(sample.labels[0])
    return out


def score_choice(found: Dict[str, Any], labels: List[str], n: int = N_CHOOSE, draws: int = DRAWS) -> Dict[str, Any]:
    """Over `draws` random splits: how often n texts choose echo, and the macro F on the other texts
    of reading once, reading twice and the choice."""
    gold = found["gold"]

    def score(way: str, index: Sequence[int]) -> float:
        predicted = argmax_labels(calibrate([found[way][i] for i in index], 1.0), labels)
        return macro_f(predicted, [gold[i] for i in index], labels)

    rows: Dict[str, List[float]] = {"once": [], "twice": [], "chosen": []}
    picked = 0
    for seed in range(draws):
        order = list(range(len(gold)))
        random.Random(seed).shuffle(order)
        choose, rest = order[:n], order[n:]
        echo = score("twice", choose) > score("once", choose)
        picked += echo
        once, twice = score("once", rest), score("twice", rest)
        rows["once"].append(once)
        rows["twice"].append(twice)
        rows["chosen"].append(twice if echo else once)
    return {"n": len(gold), "n_choose": n, "draws": draws, "echo_chosen": picked,
            "macro_f_rest": {way: {"mean": statistics.mean(values), "min": min(values), "max": max(values)} for way, values in rows.items()}}


def main(names: List[str], data: Path, n: int = N_CHOOSE, runs: Path = RUNS, results: Path = RESULTS) -> Dict[str, Any]:
    """Score the choice on n texts on each dataset's cached answers; write and print the table."""
    out = {}
    for name in names:
        ds = datasets.load(name, data)
        found = both_ways(ds, cached_scores(teacher_cache(runs, name)))
        if len(found["gold"]) > n:
            out[name] = score_choice(found, list(ds.labels), n)
    path = Path(results) / ("echo_choice.json" if n == N_CHOOSE else f"echo_choice_n{n}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2) + "\n")
    rows = [(name, way, f"{m['mean']:.3f}", f"{m['min']:.3f}", f"{m['max']:.3f}", r["echo_chosen"] if way == "chosen" else "")
            for name, r in out.items() for way, m in r["macro_f_rest"].items()]
    msg.table(rows, header=("dataset", "reading", "macro F on the rest", "min", "max", f"echo chosen (of {DRAWS})"), divider=True)
    return out


if __name__ == "__main__":
    args = rescore_cli(__doc__, ["sst2", "trec", "emotion"], n=N_CHOOSE)
    main(args.datasets, args.data, args.n)
