"""Local teacher: a round's generation requests one at a time (LocalHF.v1) or in one batch (v2).

    python -m benchmarks.local_batching [--data ../shared/data] [--datasets sst2 trec] [--repeats 2]

For each dataset the round-1 generation prompts (one per label: seeds as examples, the default
generation task and sampling settings) are answered by evokd.LocalHF.v1 and evokd.LocalHF.v2
with the default teacher, on this machine. The two draw different samples, so their answers
differ in length: the speed-up is the ratio of completion tokens per second. Prints a table and
writes benchmarks/results/local_batching.json: wall seconds, completion tokens and tokens/s.
"""
import argparse
import time
from pathlib import Path
from typing import Any, Dict, List

import srsly
from wasabi import msg

from evokd_spacy.loop.settings import check_settings, load_config
from evokd_spacy.loop.steps import generation_requests
from evokd_spacy.loop.teacher import resolve_tasks
from evokd_spacy.tasks.request import make_request_doc

from . import datasets

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "local_batching.json"


def round_prompts(ds: datasets.Dataset, repeats: int) -> List[str]:
    """The default config's round-1 generation prompts for a dataset: one per label and repeat."""
    config = load_config(ROOT / "configs" / "evokd.cfg", {"task.description": ds.description})
    settings = check_settings(config)
    settings.spec.labels.clear()
    settings.spec.labels.update(ds.labels)
    task = resolve_tasks(settings.teacher_config, settings.spec)["generate"]
    seeds = [next(s for s in ds.train if s.labels == [label]) for label in ds.labels]
    split = {"correct": [], "wrong": []}
    requests = generation_requests(settings.spec, "", split, seeds, repeats, [], {}, 1)
    return [str(p) for p in task.generate_prompts([make_request_doc(r) for r in requests])]


def time_model(version: str, teacher_path: str, prompts: List[str]) -> Dict[str, Any]:
    """Wall seconds and completion tokens for answering `prompts` with one model version."""
    from evokd_spacy.teachers.local import make_local_hf_model, make_local_hf_model_v2

    config = dict(load_config(ROOT / "configs" / "evokd.cfg")["teacher"]["model"]["config"])
    make = make_local_hf_model if version == "v1" else make_local_hf_model_v2
    model = make(path=teacher_path, config=config)
    model._load()
    start = time.perf_counter()
    answers = [a for [a] in model([[p] for p in prompts])]
    seconds = time.perf_counter() - start
    tokens = sum(a.completion_tokens or 0 for a in answers)
    return {"seconds": round(seconds, 2), "completion_tokens": tokens, "tokens_per_s": round(tokens / seconds, 2)}


def main(data: Path, names: List[str], teacher_path: str, repeats: int) -> Dict[str, Any]:
    """Time v1 against v2 on each dataset's round-1 generation prompts; print and save the table."""
    results: Dict[str, Any] = {"teacher": Path(teacher_path).name, "datasets": {}}
    rows = []
    for name in names:
        prompts = round_prompts(datasets.load(name, data), repeats)
        timed = {version: time_model(version, teacher_path, prompts) for version in ("v1", "v2")}
        # by tokens/s: the two draw different samples, so their answers differ in length
        speedup = timed["v2"]["tokens_per_s"] / timed["v1"]["tokens_per_s"]
        results["datasets"][name] = {"prompts": len(prompts), **timed, "speedup": round(speedup, 2)}
        rows.append((name, len(prompts), timed["v1"]["seconds"], timed["v2"]["seconds"], timed["v1"]["tokens_per_s"],
                     timed["v2"]["tokens_per_s"], f"{speedup:.2f}x"))
    msg.table(rows, header=("dataset", "prompts", "v1 s", "v2 s", "v1 tok/s", "v2 tok/s", "speed-up"), divider=True)
    srsly.write_json(RESULTS, results)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--datasets", nargs="*", default=["sst2", "trec"])
    parser.add_argument("--teacher-path", default=str(ROOT / "assets" / "teacher" / "qwen2.5-coder-0.5b-instruct"))
    parser.add_argument("--repeats", type=int, default=1, help="generation requests per label")
    args = parser.parse_args()
    main(args.data, args.datasets, args.teacher_path, args.repeats)
