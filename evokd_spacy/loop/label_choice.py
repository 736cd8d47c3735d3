"""Choose on dev whether the labeller shows the seed exemplars (`[loop] choose_exemplars`).

With the 0.5B local teacher, seed exemplars in the labelling prompt helped on SST-2 and hurt on
TREC-6 and TweetEval emotion (BENCHMARKS.md, teacher alone). With `choose_exemplars = n`, a run
labels n dev texts with and without them before its first round and keeps the better way; ties
keep none. The choice and both scores are saved to `<output>/label_choice.json`, so a resumed
run keeps its choice without asking again.
"""
import random
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

from spacy.training import Example

from ..errors import ConfigError
from ..ty import Sample, TaskKind, TaskSpec
from ..util.io import atomic_write_json, read_json
from .teacher import Teacher, calibrate

CHOICE_FILE = "label_choice.json"


def label_and_score(teacher: Teacher, kind: TaskKind, spec: TaskSpec, samples: Sequence[Sample], desc: str) -> Tuple[Dict[str, Any], List[Any]]:
    """Label `samples` with the teacher's labelling task (one call); spaCy's scores and the docs."""
    import spacy

    nlp = spacy.blank("en")
    predicted = teacher.client.run(teacher.label, [nlp.make_doc(s.text) for s in samples], desc=desc)
    examples = [Example(pred, kind.to_doc(nlp, sample, spec)) for pred, sample in zip(predicted, samples)]
    return kind.score(examples, spec), predicted


def check_choice(teacher: Teacher) -> int:
    """The exemplar count the choice compares against none; an error that names the fix if the
    labeller shows no exemplars."""
    shown = int(getattr(teacher.label, "few_shot", 0) or 0)
    if shown <= 0 or not hasattr(teacher.label, "set_examples"):
        raise ConfigError(
            "[loop] choose_exemplars compares labelling with and without seed exemplars: give the labeller some, "
            "e.g. [teacher.label] few_shot = 6 (evokd.TextCatLabel.v2 to v5), or set choose_exemplars = 0."
        )
    return shown


def choose_exemplars(
    teacher: Teacher, kind: TaskKind, spec: TaskSpec, examples: List[Dict[str, Any]], dev: Sequence[Sample], n: int, path: Path, seed: int = 0
) -> Dict[str, Any]:
    """Set the labeller's `few_shot` to what labels `n` dev texts better, its own or 0 (saved in `path`)."""
    task = teacher.label
    shown = check_choice(teacher)
    if hasattr(task, "few_shot_max_labels"):
        task.few_shot_max_labels = 0  # TextCatLabel.v6: the dev choice replaces its label-count rule
    if path.exists():
        choice = read_json(path)
    else:
        sample = random.Random(seed).sample(list(dev), min(n, len(dev)))
        scores = {}
        for few_shot in (0, shown):
            task.few_shot = few_shot
            task.set_examples(examples)
            calibrate(teacher, task)  # the prior of the exemplars now shown
            scored, _ = label_and_score(teacher, kind, spec, sample, f"label {len(sample)} dev texts, {few_shot} exemplars")
            scores[str(few_shot)] = float(scored.get(kind.main_score) or 0.0)
        choice = {"few_shot": shown if scores[str(shown)] > scores["0"] else 0, "scores": scores, "n_dev": len(sample), "metric": kind.main_score}
        atomic_write_json(path, choice)
    task.few_shot = int(choice["few_shot"])
    task.set_examples(examples)
    calibrate(teacher, task)
    return choice
