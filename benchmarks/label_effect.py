"""What the teacher's labelling technique does to the student (issue #9).

    python -m benchmarks.label_effect [--datasets trec] [--rounds 3] [--per-round 16]

Every run is pool-only with labelling from scratch: each round `per_round` texts of the training
split (labels hidden) are picked at random and labelled by the teacher with one labelling
variant, and the student is retrained on the 1-shot seeds plus everything kept so far. Nothing
is generated, and random selection picks the same texts in every run, so the labeller is the only
difference. `v3_confident` also drops answers below the `min_confidence` that `evaluate-teacher`
recommends on dev (never test). Scores are on the test split; the best round is chosen on dev.
Writes benchmarks/results/<suite>/label_effect_<dataset>.{json,md}.
"""
import argparse
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from wasabi import msg

from . import datasets
from .elad import PoolBench
from .methods import Method
from .report import RESULTS, save_comparison
from .run import RUNS
from .suites import SUITES

# min_confidence per dataset, as `evaluate-teacher` recommended it on dev with v3 (BENCHMARKS.md)
DEV_MIN_CONFIDENCE = {"trec": 0.55}


def variants(dataset: str) -> Dict[str, Dict[str, Any]]:
    """The labelling variants compared: the `teacher.label` block and any loop overrides."""
    out: Dict[str, Dict[str, Any]] = {
        "v1": {"teacher.label": {"@llm_tasks": "evokd.TextCatLabel.v1"}},
        "v2_calibrated": {"teacher.label": {"@llm_tasks": "evokd.TextCatLabel.v2"}},
        "v3": {"teacher.label": {"@llm_tasks": "evokd.TextCatLabel.v3"}},
    }
    if dataset in DEV_MIN_CONFIDENCE:
        out["v3_confident"] = {**out["v3"], "loop.min_confidence": DEV_MIN_CONFIDENCE[dataset]}
    return out


def run_effect(bench: PoolBench, rounds: int, per_round: int, only: Optional[List[str]] = None) -> Dict[str, Any]:
    """One pool-only run per labelling variant; test score and pool-label quality of each."""
    pool = {"loop.generate": False, "loop.rounds": rounds, "pool.per_round": per_round, "pool.revise": False,
            "pool.strategy": {"@misc": "evokd.SelectRandom.v1"}}
    runs = {}
    for name, overrides in variants(bench.ds.name).items():
        if only and name not in only:
            continue
        msg.info(f"{bench.ds.name} label effect: {name}")
        runs[name] = bench.run_pool_method(f"label_{name}", Method({**pool, **overrides}), 0)
    full = bench.full_shot()
    return {"dataset": bench.ds.name, "suite": bench.suite.name, "metric": bench.kind.main_score, "n_test": len(bench.test),
            "rounds": rounds, "per_round": per_round, "full_shot": full["test_score"], "runs": runs}


def table(result: Dict[str, Any]) -> str:
    """Markdown: per labelling variant, the teacher's accuracy on the texts it kept and the student."""
    lines = [
        f"#### {result['dataset']}: the labeller's effect on the student ({result['suite']} suite, k = 1, pool-only, "
        f"{result['rounds']} rounds of {result['per_round']} random pool texts, {result['n_test']} test docs)",
        "",
        "| labelling | pool texts kept | teacher acc. on them | student test score | / full-shot | teacher tokens | wall (min) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, run in result["runs"].items():
        pool = run["pool"]
        accuracy = f"{pool['teacher_accuracy']:.2f}" if pool.get("kept") else "-"
        lines.append(f"| {name} | {pool.get('kept', 0)} | {accuracy} | {run['test_score']:.3f} | {run['test_score'] / result['full_shot']:.2f} | "
                     f"{run['teacher_tokens']} | {run['seconds']['wall'] / 60:.1f} |")
    lines.append(f"| full_shot | - | - | {result['full_shot']:.3f} | 1.00 | 0 | - |")
    return "\n".join(lines)


def main(suite_name: str, data: Path, names: List[str], teacher_path: Optional[str], runs: Path = RUNS, results_dir: Path = RESULTS,
         update_md: bool = True, rounds: int = 3, per_round: int = 16, only: Optional[List[str]] = None, teacher: str = "local",
         student: str = "trf") -> Dict[str, Any]:
    """Run the comparison on each dataset; write its JSON and table."""
    suite = SUITES[suite_name]
    results = {}
    for name in names:
        start = time.perf_counter()
        bench = PoolBench(datasets.load(name, data), suite, teacher, student, teacher_path, Path(runs) / "label_effect")
        result = {**run_effect(bench, rounds, per_round, only), "wall_seconds": round(time.perf_counter() - start, 1)}
        result = save_comparison(results_dir, suite.name, "label_effect", result, table, bool(only), update_md)
        results[name] = result
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", choices=sorted(SUITES), default="quick")
    parser.add_argument("--data", type=Path, default=datasets.ROOT.parent / "shared" / "data")
    parser.add_argument("--datasets", nargs="*", default=["trec"])
    parser.add_argument("--teacher-path", default=str(datasets.ROOT / "assets" / "teacher" / "qwen2.5-coder-0.5b-instruct"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--per-round", type=int, default=16, help="pool texts labelled a round")
    parser.add_argument("--runs", type=Path, default=RUNS)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--no-md", action="store_true")
    parser.add_argument("--variants", nargs="*", help="run only these labelling variants")
    args = parser.parse_args()
    main(args.suite, args.data, args.datasets, args.teacher_path, args.runs, args.results, not args.no_md, args.rounds,
         args.per_round, args.variants)
