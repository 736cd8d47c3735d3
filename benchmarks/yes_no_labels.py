"""Labelling by asking yes or no of each label's description, alone and averaged with v6 (issue #9, session 16).

    python -m benchmarks.yes_no_labels [--datasets sst2] [--teacher-path ...]

The default labeller (`evokd.TextCatLabel.v6`, read once) asks for one word naming the label.
Here the teacher is instead asked, for each label, whether the label's description is true of the
text, and the label's score is log P(yes) − log P(no). That reads the text against each label's
own sentence rather than against a short answer word: another signal, which may rank texts
differently from v6 even where it is no better alone. Fixed before the first run:

- prompt (the teacher's chat template around it; no exemplars):
  "{task description}\\n\\nText: {text}\\n\\nStatement: {label description}\\nIs the statement true
  of the text? Answer yes or no."
- choices "yes", "Yes", "no", "No"; score = logsumexp(yes, Yes) − logsumexp(no, No);
- label probabilities: softmax of the scores over the labels, then batch calibration (as v6);
- the ensemble: the mean of the batch-calibrated yes/no and v6 probabilities, then the argmax;
- SST-2's whole dev split (872 texts) and its two fixed random halves; v6's own prompts are asked
  again through the same cache, so v6's score (0.838 before) is re-measured beside them.

Writes benchmarks/results/yes_no_labels.json and prints the table.
"""
import argparse
import json
import math
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

from wasabi import msg

from . import datasets
from .calibration_strength import calibrate, label_distribution, macro_f, split_halves
from .exemplar_orders import seed_examples
from .prior_estimation import argmax_labels
from .report import RESULTS
from .run import RUNS, Bench
from .suites import SUITES

QUESTION = "{description}\n\nText: {text}\n\nStatement: {statement}\nIs the statement true of the text? Answer yes or no."
YES, NO = ("yes", "Yes"), ("no", "No")


def yes_no_prompts(ds: datasets.Dataset, texts: Sequence[str]) -> List[Any]:
    """One yes/no choice prompt per text and label, texts outer, labels in `ds.labels` order."""
    from evokd_spacy.llm_io import ChoicePrompt

    return [ChoicePrompt(QUESTION.format(description=ds.description, text=text, statement=statement), YES + NO)
            for text in texts for statement in ds.labels.values()]


def yes_no_distribution(scores: Sequence[Dict[str, float]]) -> List[float]:
    """Uncalibrated label probabilities of one text from its labels' yes/no answer scores."""
    from evokd_spacy.tasks.textcat.verbalised_label import logsumexp

    margins = [logsumexp([s[w] for w in YES]) - logsumexp([s[w] for w in NO]) for s in scores]
    top = max(margins)
    exp = [math.exp(m - top) for m in margins]
    return [e / sum(exp) for e in exp]


def score_ways(ways: Dict[str, List[List[float]]], gold: List[str], labels: List[str]) -> Dict[str, Dict[str, float]]:
    """Macro F of each way (batch-calibrated per part) and of the ensemble, on all texts and two halves."""
    rows: Dict[str, Dict[str, float]] = {name: {} for name in (*ways, "ensemble")}
    for part, index in split_halves(len(gold)).items():
        golds = [gold[i] for i in index]
        calibrated = {name: calibrate([probs[i] for i in index], 1.0) for name, probs in ways.items()}
        for name, rows_ in calibrated.items():
            rows[name][part] = macro_f(argmax_labels(rows_, labels), golds, labels)
        mean = [[sum(vals) / len(vals) for vals in zip(*each)] for each in zip(*calibrated.values())]
        rows["ensemble"][part] = macro_f(argmax_labels(mean, labels), golds, labels)
    return rows


def quick_teacher(ds: datasets.Dataset, teacher_path: str, runs: Path = RUNS) -> Any:
    """The quick suite's local teacher for this dataset, answering through its shared cache."""
    from evokd_spacy.loop.state import RunFolder
    from evokd_spacy.loop.teacher import build_teacher

    settings = Bench(ds, SUITES["quick"], "local", "trf", teacher_path, runs).settings("teacher_yes_no", 1, 0, {})
    return build_teacher(settings.teacher_config, settings.spec, RunFolder(settings.output, settings.corpus, settings.cache).cache)


def v6_distributions(ds: datasets.Dataset, texts: Sequence[str], teacher_path: str, runs: Path = RUNS) -> Tuple[List[List[float]], Any]:
    """v6's uncalibrated label probabilities of each text (1-shot seeds as exemplars), asked
    through the quick suite's teacher cache; also returns the teacher, to ask more of it."""
    import spacy

    from evokd_spacy.registry import registry

    teacher = quick_teacher(ds, teacher_path, runs)
    task = registry.llm_tasks.get("evokd.TextCatLabel.v6")(labels=ds.labels, description=ds.description)
    task.set_examples(seed_examples(ds))
    nlp = spacy.blank("en")
    v6 = teacher.client.ask([task.prompt_for(nlp.make_doc(t)) for t in texts], desc=f"{ds.name}: v6")
    return [label_distribution(task, a.scores, list(ds.labels)) for a in v6], teacher


def measure(name: str, data: Path, teacher_path: str, runs: Path = RUNS, n: int = 0) -> Dict[str, Any]:
    """Ask v6's prompts and the yes/no prompts of every dev text (a fixed random n of them, n > 0);
    macro F of each and of their mean."""
    ds = datasets.load(name, data)
    dev = datasets.cap(ds.dev, n, seed=3)
    labels = list(ds.labels)
    texts = [s.text for s in dev]
    v6, teacher = v6_distributions(ds, texts, teacher_path, runs)
    answers = teacher.client.ask(yes_no_prompts(ds, texts), desc=f"{name}: yes/no")
    per_text = [answers[i * len(labels):(i + 1) * len(labels)] for i in range(len(texts))]
    ways = {"v6": v6, "yes_no": [yes_no_distribution([a.scores for a in text]) for text in per_text]}
    return {"n": len(texts), "macro_f": score_ways(ways, [s.labels[0] for s in dev], labels)}

def main(names: List[str], data: Path, teacher_path: str, results: Path = RESULTS, n: int = 0) -> Dict[str, Any]:
    """Measure each dataset, merge into the results JSON and print the table."""
    path = Path(results) / ("yes_no_labels.json" if n <= 0 else f"yes_no_labels_n{n}.json")
    out: Dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    for name in names:
        out[name] = measure(name, data, teacher_path, n=n)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(out, indent=2) + "\n")
    rows = [(name, way, r["n"], *(f"{by[p]:.3f}" for p in ("all", "half_1", "half_2"))) for name, r in out.items() for way, by in r["macro_f"].items()]
    msg.table(rows, header=("dataset", "labelling", "n", "macro F", "half 1", "half 2"), divider=True)
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="*", default=["sst2"])
    parser.add_argument("--data", type=Path, default=datasets.ROOT.parent / "shared" / "data")
    parser.add_argument("--teacher-path", default=str(datasets.ROOT / "assets" / "teacher" / "qwen2.5-coder-0.5b-instruct"))
    parser.add_argument("--n", type=int, default=0, help="a fixed random n dev texts (a smoke run); 0: all")
    args = parser.parse_args()
    main(args.datasets, args.data, args.teacher_path, n=args.n)
