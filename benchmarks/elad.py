"""Pool selection and revision (ELAD, issue #8) against generation, at equal teacher tokens.

    python -m benchmarks.elad --suite quick [--data ../shared/data] [--datasets sst2]

The pool is the dataset's training split with its labels hidden (the k-shot seeds and any dev or
test text are left out by the run). Every method is an ordinary, resumable run under
benchmarks/runs/<suite>-elad/; `generation_only` is EvoKD itself and its teacher tokens are the
budget of every other method, which runs rounds until that budget is spent. Scores are on the
test split; the best round is chosen on dev. Because the pool's gold labels are known here, the
table also shows how often the teacher's final label on the selected pool texts is right, and how
often the student's answer was (the selection should find the student's mistakes).
"""
import argparse
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import srsly
from wasabi import msg

from evokd_spacy.loop.filters import normalise
from evokd_spacy.loop.state import RunFolder
from evokd_spacy.util.io import atomic_write_jsonl

from . import datasets
from .methods import Method
from .report import RESULTS, save_comparison
from .run import RUNS, Bench
from .suites import SUITES


def elad_methods(per_round: int) -> Dict[str, Method]:
    """Generation only (EvoKD), pool only with each strategy, pool without revision, and a mix."""
    pool_only = {"loop.generate": False, "pool.per_round": per_round, "pool.revise": True}
    labelled = {**pool_only, "pool.revise": False}
    # The cheaper settings of the explanation-guided strategy: one rationale of at most 2 steps for
    # 1.5x as many texts as are selected (each costs a generation and 3 step checks).
    explanation = {"@misc": "evokd.SelectExplanation.v1", "shortlist": 1.5, "n_rationales": 1, "max_steps": 2}

    def strategy(name: str, **args: Any) -> Dict[str, Any]:
        return {"@misc": f"evokd.Select{name}.v1", **args}

    return {
        "generation_only": Method(),
        "pool_random": Method({**pool_only, "pool.strategy": strategy("Random")}, budget=True),
        "pool_entropy": Method({**pool_only, "pool.strategy": strategy("Entropy")}, budget=True),
        "pool_margin": Method({**pool_only, "pool.strategy": strategy("Margin")}, budget=True, min_labels=3),
        "mixed_entropy": Method({"pool.per_round": max(1, per_round // 2), "pool.strategy": strategy("Entropy"), "pool.revise": True},
                                budget=True),
        # ELAD's own framing: the same number of teacher-revised texts (2 rounds), whatever the tokens.
        "pool_explanation_2rounds": Method({**pool_only, "pool.strategy": explanation, "loop.rounds": 2}),
        "pool_entropy_2rounds": Method({**pool_only, "pool.strategy": strategy("Entropy"), "loop.rounds": 2}),
        "pool_entropy_labelled_2rounds": Method({**pool_only, "pool.strategy": strategy("Entropy"), "pool.revise": False, "loop.rounds": 2}),
        "pool_explanation": Method({**pool_only, "pool.strategy": explanation}, budget=True),
        # Labelling from scratch (pool.revise = false, the default since revision lost on SST-2),
        # every strategy at EvoKD's token budget, pool-only and mixed.
        "pool_random_labelled": Method({**labelled, "pool.strategy": strategy("Random")}, budget=True),
        "pool_entropy_labelled": Method({**labelled, "pool.strategy": strategy("Entropy")}, budget=True),
        "pool_explanation_labelled": Method({**labelled, "pool.strategy": explanation}, budget=True),
        # ... and the same number of labelled pool texts (two rounds) per strategy, whatever the tokens
        "pool_random_labelled_2rounds": Method({**labelled, "pool.strategy": strategy("Random"), "loop.rounds": 2}),
        "pool_explanation_labelled_2rounds": Method({**labelled, "pool.strategy": explanation, "loop.rounds": 2}),
        "mixed_entropy_labelled": Method({"pool.per_round": max(1, per_round // 2), "pool.strategy": strategy("Entropy"), "pool.revise": False},
                                         budget=True),
    }


class PoolBench(Bench):
    """A Bench whose runs may take the training split, labels hidden, as their pool.

    Each run keeps its own teacher cache: the budget counts calls sent, so an answer shared from
    EvoKD's run would let a mixed run spend more than EvoKD's tokens.
    """

    shared_cache = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pool_path = self.dir / "data" / "pool.jsonl"
        atomic_write_jsonl(self.pool_path, [{"text": s.text} for s in self.ds.train])
        self.gold = {normalise(s.text): sorted(s.labels) for s in self.ds.train}

    def run_pool_method(self, name: str, method: Method, budget: int, seed: Optional[int] = None) -> Dict[str, Any]:
        """One method run (with the suite's first seed unless `seed` is given) plus what its pool
        batches say against the hidden gold labels."""
        uses_pool = any(key.startswith("pool.") for key in method.overrides)
        overrides = {**method.overrides, **({"pool.path": str(self.pool_path)} if uses_pool else {})}
        k, seed = self.suite.shots[0], self.suite.seeds[0] if seed is None else seed
        result = self.run_method(name, k, seed, overrides, budget)
        settings = self.settings(name, k, seed, overrides)
        return {**result, "pool": self.pool_quality(RunFolder(settings.output, settings.corpus), result["rounds"])}

    def pool_quality(self, folder: RunFolder, rounds: int) -> Dict[str, Any]:
        """Selected, kept and corrected pool texts; teacher and student accuracy against gold."""
        rows = [row for r in range(1, rounds + 1) if folder.round_jsonl(r).exists()
                for row in srsly.read_jsonl(folder.round_jsonl(r)) if row.get("tag") == "pool"]
        selected = sum(len(folder.load_step(r, "select")["selected"]) for r in range(1, rounds + 1) if folder.step_file(r, "select").exists())
        if not rows:
            return {"selected": selected, "kept": 0}
        gold = [self.gold.get(normalise(row["text"])) for row in rows]
        teacher_right = [sorted(row["labels"]) == g for row, g in zip(rows, gold)]
        student_right = [sorted(row["meta"].get("student") or []) == g for row, g in zip(rows, gold)]
        corrected = [row["meta"].get("revision") == "corrected" for row in rows]
        fixed = sum(c and t for c, t in zip(corrected, teacher_right))
        return {
            "selected": selected,
            "kept": len(rows),
            "corrected": sum(corrected),
            "corrections_right": fixed,
            "teacher_accuracy": sum(teacher_right) / len(rows),
            "student_accuracy": sum(student_right) / len(rows),
        }


def run_elad(bench: PoolBench, per_round: int, only: Optional[List[str]] = None) -> Dict[str, Any]:
    """Every method (or those in `only`) on one dataset; the results JSON (scores on test, tokens,
    pool quality). The full-shot ceiling is taken from the suite's results JSON when it is there."""
    runs: Dict[str, Any] = {}
    budget = 0
    for name, method in elad_methods(per_round).items():
        if len(bench.ds.labels) < method.min_labels:  # with two labels margin ranks exactly as entropy does
            continue
        if only and name not in only and name != "generation_only":  # generation_only sets the budget
            continue
        msg.info(f"{bench.ds.name} elad: {name}")
        runs[name] = bench.run_pool_method(name, method, budget if method.budget else 0)
        if name == "generation_only":
            budget = runs[name]["teacher_tokens"]
    earlier = RESULTS / bench.suite.name / f"{bench.ds.name}.json"
    full = srsly.read_json(earlier)["full_shot_detail"] if earlier.exists() else bench.full_shot()
    return {"dataset": bench.ds.name, "suite": bench.suite.name, "metric": bench.kind.main_score, "n_test": len(bench.test),
            "per_round": per_round, "full_shot": full["test_score"], "budget_tokens": budget, "runs": runs}


def table(result: Dict[str, Any]) -> str:
    """Markdown: test score, ratio to full-shot, tokens, rounds, and pool quality per method."""
    full = result["full_shot"]
    lines = [
        f"#### {result['dataset']}: pool selection and revision ({result['suite']} suite, k = 1, {result['n_test']} test docs, "
        f"{result['per_round']} pool texts a round, budget {result['budget_tokens']} teacher tokens)",
        "",
        "| method | pool answers | score | / full-shot | teacher tokens | rounds | pool texts kept | corrected (right) | teacher acc. on pool texts | student acc. on them | wall (min) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    methods = elad_methods(result["per_round"])
    for name, run in result["runs"].items():
        overrides = methods[name].overrides if name in methods else {}
        answers = "-" if "pool.revise" not in overrides else ("revised" if overrides["pool.revise"] else "labelled")
        pool = run["pool"]
        has_pool = pool.get("kept")
        cells = [f"{pool['kept']}", f"{pool['corrected']} ({pool['corrections_right']})", f"{pool['teacher_accuracy']:.2f}",
                 f"{pool['student_accuracy']:.2f}"] if has_pool else ["-", "-", "-", "-"]
        lines.append(f"| {name} | {answers} | {run['test_score']:.3f} | {run['test_score'] / full:.2f} | {run['teacher_tokens']} | {run['rounds']} | "
                     + " | ".join(cells) + f" | {run['seconds']['wall'] / 60:.1f} |")
    lines.append(f"| full_shot | - | {full:.3f} | 1.00 | 0 | - | - | - | - | - | - |")
    return "\n".join(lines)


def main(suite_name: str, data: Path, names: Optional[List[str]] = None, teacher: str = "local", student: str = "trf",
         teacher_path: Optional[str] = None, runs: Path = RUNS, results_dir: Path = RESULTS, update_md: bool = True,
         per_round: int = 8, only: Optional[List[str]] = None) -> Dict[str, Any]:
    """Run the ELAD comparison on some of the suite's text-classification datasets."""
    suite = SUITES[suite_name]
    results = {}
    for name in names or [n for n in suite.datasets if n != "wnut17"]:
        start = time.perf_counter()
        bench = PoolBench(datasets.load(name, data), suite, teacher, student, teacher_path, Path(runs) / "elad")
        result = {**run_elad(bench, per_round, only), "wall_seconds": round(time.perf_counter() - start, 1)}
        result = save_comparison(results_dir, suite.name, "elad", result, table, bool(only), update_md)
        results[name] = result
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", choices=sorted(SUITES), default="quick")
    parser.add_argument("--data", type=Path, default=datasets.ROOT.parent / "shared" / "data")
    parser.add_argument("--datasets", nargs="*")
    parser.add_argument("--teacher", choices=("local", "scripted"), default="local")
    parser.add_argument("--student", choices=("trf", "cnn"), default="trf")
    parser.add_argument("--teacher-path", default=str(datasets.ROOT / "assets" / "teacher" / "qwen2.5-coder-0.5b-instruct"))
    parser.add_argument("--per-round", type=int, default=8, help="pool texts selected a round")
    parser.add_argument("--runs", type=Path, default=RUNS)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--no-md", action="store_true")
    parser.add_argument("--methods", nargs="*", help="run only these methods (generation_only always runs: it sets the budget)")
    args = parser.parse_args()
    main(args.suite, args.data, args.datasets, args.teacher, args.student, args.teacher_path, args.runs, args.results,
         not args.no_md, args.per_round, args.methods)
