"""Choose on dev whether the labeller shows the seed exemplars (`[loop] choose_exemplars`) and
whether it reads each text twice (`[loop] choose_echo`, TextCatLabel.v7).

With the 0.5B local teacher, seed exemplars in the labelling prompt helped on SST-2 and hurt on
TREC-6 and TweetEval emotion (BENCHMARKS.md, teacher alone). With `choose_exemplars = n`, a run
labels n dev texts with and without them before its first round and keeps the better way; ties
keep none. The choice and both scores are saved to `<output>/label_choice.json`, so a resumed
run keeps its choice without asking again. `choose_echo = n` does the same for reading each text
once or twice (`<output>/echo_choice.json`), after the exemplar choice.
"""
import random
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence, Tuple

from spacy.training import Example
from wasabi import msg

from ..errors import ConfigError
from ..student.language import text_nlp
from ..ty import Sample, TaskKind, TaskSpec
from ..util.io import atomic_write_json, read_json
from .teacher import Teacher, calibrate

CHOICE_FILE = "label_choice.json"
ECHO_FILE = "echo_choice.json"


def label_and_score(teacher: Teacher, kind: TaskKind, spec: TaskSpec, samples: Sequence[Sample], desc: str) -> Tuple[Dict[str, Any], List[Any]]:
    """Label `samples` with the teacher's labelling task (one call); spaCy's scores and the docs."""
    nlp = text_nlp(spec)
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


def choose_setting(teacher: Teacher, kind: TaskKind, spec: TaskSpec, dev: Sequence[Sample], n: int, path: Path, seed: int,
                   key: str, ways: Sequence[Any], apply: Callable[[Any], None], describe: Callable[[Any], str]) -> Dict[str, Any]:
    """Label the same `n` dev texts with each way of `key` (the first is the plain one), `apply`
    the one that scores best (a tie keeps the first) and save the choice and scores to `path`;
    a saved choice is applied without asking again."""
    if path.exists():
        choice = read_json(path)
    else:
        sample = random.Random(seed).sample(list(dev), min(n, len(dev)))
        scores = {}
        for way in ways:
            apply(way)
            scored, _ = label_and_score(teacher, kind, spec, sample, f"label {len(sample)} dev texts, {describe(way)}")
            scores[str(way)] = float(scored.get(kind.main_score) or 0.0)
        best = max(ways, key=lambda way: (scores[str(way)], -list(ways).index(way)))
        choice = {key: best, "scores": scores, "n_dev": len(sample), "metric": kind.main_score}
        atomic_write_json(path, choice)
        tried = ", ".join(f"{describe(way)} {scores[str(way)]:.3f}" for way in ways)
        msg.info(f"Labelling chosen on {len(sample)} dev texts: {describe(best)} ({kind.main_score}: {tried}; saved in {path.name})")
    apply(choice[key])
    return choice


def choose_exemplars(
    teacher: Teacher, kind: TaskKind, spec: TaskSpec, examples: List[Dict[str, Any]], dev: Sequence[Sample], n: int, path: Path, seed: int = 0
) -> Dict[str, Any]:
    """Set the labeller's `few_shot` to what labels `n` dev texts better, its own or 0 (saved in `path`)."""
    task = teacher.label
    shown = check_choice(teacher)
    if hasattr(task, "few_shot_max_labels"):
        task.few_shot_max_labels = 0  # TextCatLabel.v6: the dev choice replaces its label-count rule

    def show(few_shot: Any) -> None:
        task.few_shot = int(few_shot)
        task.set_examples(examples)
        calibrate(teacher, task)  # the prior of the exemplars now shown

    return choose_setting(teacher, kind, spec, dev, n, path, seed, "few_shot", (0, shown), show, lambda k: f"{k} exemplars")


def choose_echo(teacher: Teacher, kind: TaskKind, spec: TaskSpec, dev: Sequence[Sample], n: int, path: Path, seed: int = 0) -> Dict[str, Any]:
    """Set the labeller's `echo` (TextCatLabel.v7) to what labels `n` dev texts better: each text
    read once (false) or twice (true); saved in `path`."""
    task = teacher.label
    if not hasattr(task, "echo"):
        raise ConfigError('[loop] choose_echo compares reading each text once and twice: use [teacher.label] @llm_tasks = '
                          '"evokd.TextCatLabel.v7", or set choose_echo = 0.')

    def read(echo: Any) -> None:
        task.echo = bool(echo)
        calibrate(teacher, task)  # a content-free prior is of the prompts as now shown

    return choose_setting(teacher, kind, spec, dev, n, path, seed, "echo", (False, True), read,
                          lambda echo: "each read twice" if echo else "each read once")


def make_choices(teacher: Teacher, kind: TaskKind, spec: TaskSpec, examples: List[Dict[str, Any]], dev: Sequence[Sample],
                 loop: Dict[str, Any], output: Path, seed: int) -> None:
    """The dev choices the [loop] section asks for, exemplars first: `choose_exemplars` and `choose_echo`."""
    if loop["choose_exemplars"]:
        choose_exemplars(teacher, kind, spec, examples, dev, int(loop["choose_exemplars"]), output / CHOICE_FILE, seed)
    if loop["choose_echo"]:
        choose_echo(teacher, kind, spec, dev, int(loop["choose_echo"]), output / ECHO_FILE, seed)


def apply_saved_choices(teacher: Teacher, kind: TaskKind, spec: TaskSpec, examples: List[Dict[str, Any]],
                        loop: Dict[str, Any], output: Path) -> Dict[str, Any]:
    """The dev choices the [loop] section asks for that the run has already made (saved in
    `output`), applied to the labeller as the run applies them; none is made here. Returns them."""
    applied: Dict[str, Any] = {}
    if loop["choose_exemplars"] and (output / CHOICE_FILE).exists():
        applied["few_shot"] = choose_exemplars(teacher, kind, spec, examples, [], 0, output / CHOICE_FILE)["few_shot"]
    if loop["choose_echo"] and (output / ECHO_FILE).exists():
        applied["echo"] = choose_echo(teacher, kind, spec, [], 0, output / ECHO_FILE)["echo"]
    return applied
