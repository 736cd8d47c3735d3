"""Teacher alone on a whole dev split with the exemplars different run seeds draw (issue #9).

    python -m benchmarks.exemplar_draws [--datasets sst2] [--seeds 0 1] [--variant cloze_few_shot_batch]

`evaluate_teacher` shows the teacher the seeds a run with `task.seed = s` draws (dev and test
texts left out first, 1 a label); the labeller is a variant of benchmarks/teacher_techniques.py
(default: v5 with the seeds as exemplars, what the shipped v7 does on a two-label task without
echo). The spread between seeds is how much the teacher-alone score owes to the exemplar draw.
Writes benchmarks/results/exemplar_draws.json and prints the table.
"""
import argparse
import json
from pathlib import Path

from wasabi import msg

from evokd_spacy.loop.teacher_eval import evaluate_teacher

from . import datasets
from .report import RESULTS
from .run import RUNS, Bench, write_split
from .suites import SUITES
from .teacher_techniques import VARIANTS


def main() -> None:
    """Score each dataset's whole dev split once per seed and print the spread."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="*", default=["sst2"])
    parser.add_argument("--seeds", nargs="*", type=int, default=[0, 1])
    parser.add_argument("--variant", default="cloze_few_shot_batch", choices=sorted(VARIANTS))
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent.parent.parent / "shared" / "data")
    parser.add_argument("--teacher-path", default=str(Path(__file__).resolve().parent.parent / "assets" / "teacher" / "qwen2.5-coder-0.5b-instruct"))
    args = parser.parse_args()
    path = RESULTS / "exemplar_draws.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    for name in args.datasets:
        ds = datasets.load(name, args.data)
        bench = Bench(ds, SUITES["quick"], "local", "trf", args.teacher_path, RUNS)
        for seed in args.seeds:
            key = f"{args.variant}@all_s{seed}"
            if key in results.get(name, {}):
                continue
            settings = bench.settings(f"teacher_draw_{args.variant}", 1, seed, {"teacher.label": VARIANTS[args.variant]})
            settings.paths["dev"] = write_split(bench.dir / "data" / "dev_all.jsonl", ds.dev, ds.kind)
            out = evaluate_teacher(settings)
            results.setdefault(name, {})[key] = {"score": out["score"], "n": out["n_docs"], "docs_per_s": out["docs_per_second"]}
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(results, indent=2) + "\n")
    rows = [(name, key, f"{r['score']:.3f}", r["n"]) for name, by in results.items() for key, r in by.items()]
    msg.table(rows, header=("dataset", "variant@dev_seed", "dev score", "n"), divider=True)


if __name__ == "__main__":
    main()
