"""Benchmark EvoKD against its baselines and ablations on real corpora.

    python -m benchmarks.run --suite quick [--data ../shared/data] [--datasets sst2 trec]
                             [--teacher local|scripted] [--student trf|cnn]
                             [--methods seed_only static evokd] [--seeds 0 1 2] [--label NAME]

For each dataset, shot count k and seed it runs every method of benchmarks/methods.py (each one
an ordinary, resumable EvoKD run under benchmarks/runs/), the teacher alone on the test set, and
the student trained on the real training set (the full-shot ceiling). Scores are on the test
split; the best round is chosen on dev. Writes benchmarks/results/<suite>/<dataset>.json, plots,
and the suite's tables into BENCHMARKS.md.
"""
import argparse
import dataclasses
import statistics
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import srsly
from wasabi import msg

from evokd_spacy.errors import BudgetExhausted
from evokd_spacy.loop.kinds import get_kind
from evokd_spacy.loop.runner import EvoKDRunner
from evokd_spacy.loop.settings import check_settings, load_config
from evokd_spacy.ty import Sample
from evokd_spacy.util.config import set_dotted
from evokd_spacy.util.io import atomic_write_jsonl

from . import datasets
from .methods import methods
from .report import RESULTS, write_outputs
from .suites import SUITES, Suite

ROOT = Path(__file__).resolve().parent.parent
RUNS = ROOT / "benchmarks" / "runs"
MAX_REPEATS = 100  # per label and round, for the equal-token baselines (their tokens stop them first)


def write_split(path: Path, samples: List[Sample], kind: str) -> str:
    """A split as JSONL our readers take (Prodigy style)."""
    if kind == "ner":
        rows = [{"text": s.text, "spans": [{"start": a, "end": b, "label": lab} for a, b, lab in s.spans]} for s in samples]
    else:
        rows = [{"text": s.text, "accept": s.labels} for s in samples]
    atomic_write_jsonl(path, rows)  # atomic: a concurrent benchmark process may be reading it
    return str(path)


def usage_tokens(usage: Dict[str, Any]) -> int:
    """Teacher tokens of a run's calls, whether sent or answered from the (shared) cache."""
    return usage["prompt_tokens"] + usage["completion_tokens"] + usage.get("cached_tokens", 0)


def line_tokens(line: Dict[str, Any]) -> int:
    """Teacher tokens of one round's metrics line."""
    return usage_tokens(line["teacher"])


def lexicon_of(ds: datasets.Dataset) -> Dict[str, List[str]]:
    """Words typical of each label (for the scripted teacher of the smoke suite)."""
    from collections import Counter

    counts = {label: Counter() for label in ds.labels}
    for s in ds.train[:3000]:
        words = [s.text[a:b] for a, b, _ in s.spans] if ds.kind == "ner" else s.text.lower().split()
        for label in (sorted({sp[2] for sp in s.spans}) if ds.kind == "ner" else s.labels):
            counts[label].update(w for w in words if len(w) > 3)
    return {label: [w for w, _ in c.most_common(6)] or [label.lower()] for label, c in counts.items()}



def eval_frequency(steps: int) -> int:
    """About three dev evaluations a round: the largest divisor of `steps` from steps // 3 down to
    4 (a run refuses steps after the last evaluation), or `steps` when there is none."""
    return next((every for every in range(max(4, steps // 3), 3, -1) if steps % every == 0), steps)

class Bench:
    """One dataset of one suite: data files, settings per method, and the measurements.

    The methods of one shot count and seed share a teacher cache (`shared_cache`): a call that two
    methods make alike, such as an ablation's rounds before it departs from EvoKD, is asked once.
    Its tokens still count for both (`usage_tokens`); only the time is saved.
    """

    shared_cache = True

    def __init__(
        self, ds: datasets.Dataset, suite: Suite, teacher: str, student: str, teacher_path: Optional[str], runs: Path = RUNS
    ) -> None:
        self.ds, self.suite, self.teacher, self.student, self.teacher_path = ds, suite, teacher, student, teacher_path
        self.dir = Path(runs) / suite.name / ds.name
        self.kind = get_kind(ds.kind)
        self.test = datasets.cap(ds.test, suite.test_cap, seed=1)
        self.paths = {
            "paths.seeds": write_split(self.dir / "data" / "train.jsonl", ds.train, ds.kind),
            "paths.dev": write_split(self.dir / "data" / "dev.jsonl", datasets.cap(ds.dev, suite.dev_cap), ds.kind),
            "paths.test": write_split(self.dir / "data" / "test.jsonl", self.test, ds.kind),
            "paths.labels": str(self.dir / "data" / "labels.json"),
        }
        srsly.write_json(self.paths["paths.labels"], ds.labels)

    def settings(self, name: str, k: int, seed: int, overrides: Dict[str, Any]) -> Any:
        """Checked settings of one method run; `teacher.*` overrides replace parts of the teacher blocks."""
        suite = self.suite
        values: Dict[str, Any] = {
            **self.paths,
            "paths.output": str(self.dir / f"k{k}_s{seed}" / name / "training"),
            "paths.corpus": str(self.dir / f"k{k}_s{seed}" / name / "corpus"),
            "paths.cache": str(self.dir / f"k{k}_s{seed}" / "teacher_cache") if self.shared_cache else None,
            "task.description": self.ds.description,
            "task.k_shot": k,
            "task.seed": seed,
            "loop.rounds": suite.rounds,
            "loop.progress": False,
            "student.preset": self.student,
            "student.max_steps": suite.student_steps,
            "student.eval_frequency": eval_frequency(suite.student_steps),
        }
        if self.ds.kind == "textcat":  # the settings every recorded run used: v7 without echo is v6
            values["loop.choose_echo"] = 0
        if self.teacher_path:
            values["paths.teacher"] = self.teacher_path
        values.update({key: v for key, v in overrides.items() if not key.startswith("teacher.")})
        config = load_config(ROOT / "configs" / ("evokd_ner.cfg" if self.ds.kind == "ner" else "evokd.cfg"), values)
        config["teacher"]["generate"].update(n_hard=suite.n_hard, n_easy=suite.n_easy)
        if self.teacher == "scripted":
            config["teacher"]["model"] = {"@llm_models": "evokd.ScriptedTeacher.v1", "lexicon": lexicon_of(self.ds)}
        for key, value in overrides.items():
            if key.startswith("teacher."):
                set_dotted(config, key, value, "benchmark override")
        return check_settings(config)

    def run_method(self, name: str, k: int, seed: int, overrides: Dict[str, Any], budget: int = 0) -> Dict[str, Any]:
        """Run (or resume) one method; its test score, per-round dev scores, tokens and times."""
        settings = self.settings(name, k, seed, {**overrides, **({"loop.max_teacher_tokens": budget, "loop.rounds": 20} if budget else {})})
        done = settings.output / "benchmark.json"
        earlier = srsly.read_json(done) if done.exists() else None
        if earlier and (budget or earlier["rounds"] >= settings.loop["rounds"]):
            return earlier  # finished; a run asked for more rounds than it has is continued below
        runner = EvoKDRunner(settings, quiet=True)
        start = time.perf_counter()
        try:
            runner.run()
        except BudgetExhausted:
            pass  # the equal-token baselines stop here; the best finished round counts
        metrics = runner.folder.counted_metrics()
        score, docs_per_s = self.score_model(settings.output / "model-best", settings.spec)
        seconds = {part: sum(m["seconds"][part] for m in metrics) for part in ("teacher", "training", "other")}
        result = {
            "test_score": score,
            "student_docs_per_s": docs_per_s,
            "dev_scores": [m["dev_score"] for m in metrics],
            "tokens": [line_tokens(m) for m in metrics],
            "teacher_tokens": sum(line_tokens(m) for m in metrics),
            "kept": sum(m["kept"] for m in metrics[1:]),
            "rounds": len(metrics) - 1,
            "seconds": {**seconds, "wall": round(time.perf_counter() - start + (earlier["seconds"]["wall"] if earlier else 0), 1)},
        }
        srsly.write_json(done, result)
        return result

    def spread_budget(self, budget: int) -> Dict[str, Any]:
        """Overrides that spend `budget` over the suite's rounds, as EvoKD does: each round asks
        repeats of its generation requests while its share of the tokens lasts, so the student
        is trained as often as EvoKD's and no round is cut off by the budget. (`run_method`'s
        `budget` instead runs rounds until the budget stops the run: the pool methods' way.)"""
        rounds = max(1, self.suite.rounds)
        return {"loop.rounds": rounds, "loop.round_tokens": budget // rounds, "loop.requests_per_label": MAX_REPEATS}

    def score_model(self, model: Path, spec: Any) -> Any:
        """Test score of a saved pipeline and its speed (docs/s) on the test texts."""
        import spacy
        from spacy.training import Example

        nlp = spacy.load(model)
        blank = spacy.blank("en")
        texts = [s.text for s in self.test]
        docs = list(nlp.pipe(texts[:64], batch_size=64))  # warm-up: the first batch pays for lazy set-up
        start = time.perf_counter()
        docs = list(nlp.pipe(texts, batch_size=64))
        seconds = time.perf_counter() - start
        examples = [Example(doc, self.kind.to_doc(blank, s, spec)) for doc, s in zip(docs, self.test)]
        return float(self.kind.score(examples, spec).get(self.kind.main_score) or 0.0), len(docs) / seconds

    def teacher_alone(self) -> Dict[str, Any]:
        """The teacher's own labelling on (a fixed subset of) the test set."""
        from evokd_spacy.loop.teacher_eval import evaluate_teacher

        settings = self.settings("teacher_zero_shot", 1, 0, {})
        done = settings.output / "benchmark.json"
        if done.exists():
            return srsly.read_json(done)
        settings.paths["dev"] = write_split(self.dir / "data" / "teacher_test.jsonl", self.test[: self.suite.teacher_test_cap], self.ds.kind)
        result = evaluate_teacher(settings)
        out = {"test_score": result["score"], "docs_per_s": result["docs_per_second"], "n_docs": result["n_docs"],
               "teacher_tokens": usage_tokens(result["usage"])}
        srsly.write_json(done, out)
        return out

    def full_shot(self) -> Dict[str, Any]:
        """The student trained on the real training set (capped in the quick suite): the ceiling."""
        from evokd_spacy.student.docs import write_docbin
        from evokd_spacy.student.train import train_student
        import spacy

        settings = self.settings("full_shot", 1, 0, {})
        done = settings.output / "benchmark.json"
        if done.exists():
            return srsly.read_json(done)
        nlp = spacy.blank("en")
        train = datasets.cap(self.ds.train, self.suite.full_train_cap, seed=2)
        corpus = settings.corpus
        write_docbin(corpus / "train.spacy", nlp, train, settings.spec, self.kind)
        write_docbin(corpus / "dev.spacy", nlp, datasets.cap(self.ds.dev, self.suite.dev_cap), settings.spec, self.kind)
        student = {**settings.student, "max_steps": self.suite.full_steps, "eval_frequency": max(20, self.suite.full_steps // 5)}
        trained = train_student(settings.spec, student, corpus / "train.spacy", corpus / "dev.spacy", settings.output / "model")
        score, docs_per_s = self.score_model(settings.output / "model" / "model-best", settings.spec)
        out = {"test_score": score, "n_train": len(train), "student_docs_per_s": docs_per_s, "training_seconds": trained["seconds"]}
        srsly.write_json(done, out)
        return out


def run_dataset(bench: Bench, only: Optional[List[str]] = None) -> Dict[str, Any]:
    """Every method (or those in `only`), shot count and seed of one dataset, aggregated as the results JSON."""
    suite, runs = bench.suite, {}
    for k in suite.shots:
        for seed in suite.seeds:
            evokd_tokens = None
            for name, method in methods(suite.n_hard, suite.n_easy).items():
                if bench.ds.kind not in method.kinds or (only and name not in only):
                    continue
                msg.info(f"{bench.ds.name} k={k} seed={seed}: {name}")
                spread = bench.spread_budget(evokd_tokens or 0) if method.budget else {}
                result = bench.run_method(name, k, seed, {**method.overrides, **spread})
                if name == "evokd":
                    evokd_tokens = result["teacher_tokens"]
                runs.setdefault(name, {}).setdefault(str(k), []).append(result)
    msg.info(f"{bench.ds.name}: teacher alone, full-shot student")
    teacher, full = bench.teacher_alone(), bench.full_shot()
    scores = {
        name: {k: {"mean": statistics.mean(r["test_score"] for r in rs), "std": statistics.pstdev([r["test_score"] for r in rs]),
                   "teacher_tokens": statistics.mean(r["teacher_tokens"] for r in rs)} for k, rs in by_k.items()}
        for name, by_k in runs.items()
    }
    scores["teacher_zero_shot"] = {"0": {"mean": teacher["test_score"], "std": 0.0, "teacher_tokens": teacher["teacher_tokens"]}}
    student_speed = statistics.mean(r["student_docs_per_s"] for rs in runs["evokd"].values() for r in rs)
    return {
        "dataset": bench.ds.name,
        "suite": suite.name,
        "metric": bench.kind.main_score,
        "scores": scores,
        "full_shot": full["test_score"],
        "full_shot_detail": full,
        "student_docs_per_s": student_speed,
        "teacher_docs_per_s": teacher["docs_per_s"],
        "speed_ratio": student_speed / teacher["docs_per_s"] if teacher["docs_per_s"] else None,
        "teacher": {**teacher, "teacher": bench.teacher},
        "student": bench.student,
        "n_test": len(bench.test),
        "runs": runs,
    }


def main(
    suite_name: str,
    data: Path,
    names: Optional[List[str]] = None,
    teacher: str = "local",
    student: str = "trf",
    teacher_path: Optional[str] = None,
    runs: Path = RUNS,
    results_dir: Path = RESULTS,
    update_md: bool = True,
    only: Optional[List[str]] = None,
    seeds: Optional[List[int]] = None,
    label: Optional[str] = None,
) -> Dict[str, Any]:
    """Run a suite (or some of its datasets, methods and seeds, under another `label`); returns the results per dataset."""
    suite = SUITES[suite_name]
    if only and "evokd" not in only:
        raise SystemExit("--methods must include evokd: the equal-token baselines and the speed ratio are measured against it.")
    if seeds or label:
        suite = dataclasses.replace(suite, seeds=tuple(seeds or suite.seeds), name=label or suite.name)
    results = {}
    for name in names or suite.datasets:
        start = time.perf_counter()
        results[name] = run_dataset(Bench(datasets.load(name, data), suite, teacher, student, teacher_path, runs), only)
        results[name]["wall_seconds"] = round(time.perf_counter() - start, 1)
        write_outputs(suite.name, results[name], results_dir, update_md)
    msg.good(f"Suite {suite.name} done: " + ", ".join(results))
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", choices=sorted(SUITES), default="quick")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--datasets", nargs="*", help="a subset of the suite's datasets")
    parser.add_argument("--teacher", choices=("local", "scripted"), default="local")
    parser.add_argument("--student", choices=("trf", "cnn"), default="trf")
    parser.add_argument("--teacher-path", default=str(ROOT / "assets" / "teacher" / "qwen2.5-coder-0.5b-instruct"))
    parser.add_argument("--runs", type=Path, default=RUNS, help="where the method runs live (resumable)")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--no-md", action="store_true", help="do not write the tables into BENCHMARKS.md")
    parser.add_argument("--methods", nargs="*", help="only these methods (evokd among them)")
    parser.add_argument("--seeds", nargs="*", type=int, help="these seeds instead of the suite's")
    parser.add_argument("--label", help="run and results folder name instead of the suite's (for a subset run)")
    args = parser.parse_args()
    main(args.suite, args.data, args.datasets, args.teacher, args.student, args.teacher_path, args.runs, args.results, not args.no_md,
         args.methods, args.seeds, args.label)
