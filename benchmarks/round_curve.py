"""Does the student keep improving with more EvoKD rounds? Test score after every round (issue #9).

    python -m benchmarks.round_curve [--datasets wnut17] [--variant ner_no_counts_steps200] [--rounds 4] [--seeds 0 1 2]

Runs (or continues) one EvoKD variant of `benchmarks.student_effect --generation` for `rounds`
rounds with each seed, in the same folders: a 2-round run made there before is continued from
its round 3, never redone. Then every round's saved student is scored on the test texts, so the
table shows what each round did, beside the round that dev chose (the run's `model-best`).
The continued runs stay continued: `student_effect` then reads them as they are, with all rounds.
Writes benchmarks/results/<suite>/round_curve_<dataset>.{json,md} and its BENCHMARKS.md block.
"""
import argparse
import statistics
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from wasabi import msg

from evokd_spacy.loop.model_best import best_round
from evokd_spacy.loop.state import RunFolder

from . import datasets
from .elad import PoolBench
from .methods import Method
from .report import RESULTS, save_comparison
from .run import RUNS
from .student_effect import generation_variants, round_score, summary
from .suites import SUITES


def run_curve(bench: PoolBench, variant: str, rounds: int, seeds: List[int]) -> Dict[str, Any]:
    """One run of `variant` per seed with `rounds` rounds, and every round's student on test."""
    known = generation_variants(bench.ds.kind)
    if variant not in known:
        raise ValueError(f"No variant {variant!r} for {bench.ds.name}; choose one of: {', '.join(sorted(known))}")
    overrides = {**known[variant], "loop.rounds": rounds}
    runs = {}
    for seed in seeds:
        msg.info(f"{bench.ds.name} round curve: {variant}, seed {seed}, {rounds} rounds")
        result = bench.run_pool_method(variant, Method(overrides), 0, seed)
        settings = bench.settings(variant, bench.suite.shots[0], seed, overrides)
        folder = RunFolder(settings.output, settings.corpus)
        tests = [round_score(bench, folder, r, settings.spec) for r in range(result["rounds"] + 1)]
        runs[f"seed{seed}"] = {**result, "round_test_scores": tests}
    return {**summary(bench), "variant": variant, "rounds": rounds, "runs": runs}


def curve_table(result: Dict[str, Any]) -> str:
    """Markdown: test score of every round's student per seed, their mean, and dev's choice."""
    n = result["rounds"]
    title = (f"#### {result['dataset']}: the student after each EvoKD round ({result['suite']} suite, k = 1, "
             f"`{result['variant']}`, {result['n_test']} test docs)")
    head = " | ".join(["seeds only"] + [f"round {r}" for r in range(1, n + 1)])
    lines = [title, "", f"| seed | {head} | round dev chose | its test score |", "|---|" + "---:|" * (n + 3)]
    columns: List[List[float]] = [[] for _ in range(n + 1)]
    chosen_scores = []
    for key, run in result["runs"].items():
        tests = run["round_test_scores"]
        for r, x in enumerate(tests):
            if x is not None:
                columns[r].append(x)
        cells = " | ".join(f"{x:.3f}" if x is not None else "-" for x in tests + [None] * (n + 1 - len(tests)))
        chosen = best_round([{"round": r, "dev_score": x} for r, x in enumerate(run["dev_scores"])])
        chosen_scores.append(run["test_score"])
        lines.append(f"| {key.removeprefix('seed')} | {cells} | {chosen} | {run['test_score']:.3f} |")
    means = " | ".join(f"{statistics.mean(c):.3f}" if c else "-" for c in columns)
    lines.append(f"| mean | {means} | - | {statistics.mean(chosen_scores):.3f} |")
    lines.append(f"| full-shot ceiling | {result['full_shot']:.3f} |" + " - |" * (n + 2))
    return "\n".join(lines)


def main(suite_name: str, data: Path, names: List[str], teacher_path: Optional[str], variant: str, rounds: int,
         seeds: List[int], runs: Path = RUNS, results_dir: Path = RESULTS, update_md: bool = True,
         teacher: str = "local", student: str = "trf") -> Dict[str, Any]:
    """Run the round curve on each dataset (in the ELAD benchmark's folder, as the generation effect does)."""
    suite = SUITES[suite_name]
    results = {}
    for name in names:
        start = time.perf_counter()
        bench = PoolBench(datasets.load(name, data), suite, teacher, student, teacher_path, Path(runs) / "elad")
        result = run_curve(bench, variant, rounds, seeds)
        result["wall_seconds"] = round(time.perf_counter() - start, 1)
        results[name] = save_comparison(results_dir, suite.name, "round_curve", result, curve_table, False, update_md)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", choices=sorted(SUITES), default="quick")
    parser.add_argument("--data", type=Path, default=datasets.ROOT.parent / "shared" / "data")
    parser.add_argument("--datasets", nargs="*", default=["wnut17"])
    parser.add_argument("--teacher-path", default=str(datasets.ROOT / "assets" / "teacher" / "qwen2.5-coder-0.5b-instruct"))
    parser.add_argument("--variant", default="ner_no_counts_steps200", help="a `student_effect --generation` variant")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2])
    parser.add_argument("--runs", type=Path, default=RUNS)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--no-md", action="store_true")
    args = parser.parse_args()
    main(args.suite, args.data, args.datasets, args.teacher_path, args.variant, args.rounds, args.seeds, args.runs,
         args.results, not args.no_md)
