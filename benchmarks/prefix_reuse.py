"""Local teacher: labelling prompts run whole (LocalHF.v2) or continuing the shared opening (v3).

    python -m benchmarks.prefix_reuse [--data ../shared/data] [--n 40] [--setups sst2_v6 trec_all_seeds wnut17_ner]

Each setup is the labelling prompts of n dev texts (the seeds drawn as in a 1-shot run, or 5-shot
where named): SST-2 with v6 (2 exemplars), TREC-6 with every seed of a 5-shot draw as an exemplar
(30), WNUT-17 entity labelling (NERLabel.v1, 3 exemplars, greedy decoding). Both versions answer
the same prompts, in order, on this machine. Prints a table and writes
benchmarks/results/prefix_reuse.json: docs/s of each, the speed-up, how many answers agree and the
largest difference between their label log-probabilities.
"""
import argparse
import time
from pathlib import Path
from typing import Any, Dict, List

import srsly
from wasabi import msg

from evokd_spacy.data.kshot import sample_k_shot
from evokd_spacy.loop.kinds import get_kind
from evokd_spacy.registry import registry

from . import all_seeds_label, datasets  # noqa: F401 (all_seeds_label registers a benchmark-only task)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "prefix_reuse.json"
# setup: (dataset, labelling task block, seeds per label)
SETUPS = {
    "sst2_v6": ("sst2", {"@llm_tasks": "evokd.TextCatLabel.v6"}, 1),
    "trec_all_seeds": ("trec", {"@llm_tasks": "benchmarks.TextCatLabelAllSeeds.v1"}, 5),
    "wnut17_ner": ("wnut17", {"@llm_tasks": "evokd.NERLabel.v1"}, 1),
}


def setup_prompts(data: Path, setup: str, n: int) -> List[Any]:
    """The labelling prompts of the first n dev texts of a setup's dataset, seeds as exemplars."""
    import spacy

    name, block, k = SETUPS[setup]
    ds = datasets.load(name, data)
    task = registry.llm_tasks.get(block["@llm_tasks"])(
        labels=ds.labels, description=ds.description, **{key: v for key, v in block.items() if not key.startswith("@")}
    )
    kind = get_kind(ds.kind)
    task.set_examples([kind.example(s) for s in sample_k_shot(ds.train, list(ds.labels), k, 0)])
    nlp = spacy.blank("en")
    prompts = task.generate_prompts([nlp.make_doc(s.text) for s in ds.dev[:n]])
    return [p[0] if isinstance(p, (list, tuple)) else p for p in prompts]


def time_version(version: str, teacher_path: str, prompts: List[Any]) -> Dict[str, Any]:
    """Answers and docs/s of one model version on `prompts`, answered one by one in order."""
    from evokd_spacy.teachers.local import make_local_hf_model_v2, make_local_hf_model_v3

    model = (make_local_hf_model_v2 if version == "v2" else make_local_hf_model_v3)(path=teacher_path)
    model._load()
    start = time.perf_counter()
    answers = [model.respond(p) for p in prompts]
    seconds = time.perf_counter() - start
    return {"answers": answers, "seconds": round(seconds, 2), "docs_per_s": round(len(prompts) / seconds, 3)}


def main(data: Path, setups: List[str], n: int, teacher_path: str) -> Dict[str, Any]:
    """Time v2 against v3 on each setup's prompts; print and save the table."""
    results: Dict[str, Any] = {"teacher": Path(teacher_path).name, "n": n, "setups": {}}
    rows = []
    for setup in setups:
        prompts = setup_prompts(data, setup, n)
        timed = {version: time_version(version, teacher_path, prompts) for version in ("v2", "v3")}
        plain, reusing = timed["v2"].pop("answers"), timed["v3"].pop("answers")
        agree = sum(str(a) == str(b) for a, b in zip(plain, reusing))
        diffs = [abs(a.scores[k] - b.scores[k]) for a, b in zip(plain, reusing) for k in (a.scores or {})]
        speedup = timed["v3"]["docs_per_s"] / timed["v2"]["docs_per_s"]
        results["setups"][setup] = {
            "prompts": len(prompts), "prompt_tokens": sum(a.prompt_tokens or 0 for a in plain) // len(plain), **timed,
            "speedup": round(speedup, 2), "same_answers": agree, "max_score_difference": max(diffs, default=0.0),
        }
        rows.append((setup, len(prompts), results["setups"][setup]["prompt_tokens"], timed["v2"]["docs_per_s"],
                     timed["v3"]["docs_per_s"], f"{speedup:.2f}x", f"{agree}/{len(prompts)}", f"{max(diffs, default=0.0):.1e}"))
    msg.table(rows, header=("setup", "prompts", "tokens/prompt", "v2 docs/s", "v3 docs/s", "speed-up", "same answers", "max diff"), divider=True)
    srsly.write_json(RESULTS, results)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--setups", nargs="*", choices=sorted(SETUPS), default=sorted(SETUPS))
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--teacher-path", default=str(ROOT / "assets" / "teacher" / "qwen2.5-coder-0.5b-instruct"))
    args = parser.parse_args()
    main(args.data, args.setups, args.n, args.teacher_path)
