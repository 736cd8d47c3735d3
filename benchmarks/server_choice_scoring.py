"""A served teacher's labels: read from its answer text (OpenAICompatible.v2) or scored by
log-probability (v3), on the dev splits, against the local teacher's scores of the same model.

    python -c "from pathlib import Path; from evokd_spacy.teachers.locate import assemble_qwen_gguf; assemble_qwen_gguf(Path('qwen.gguf'))"
    python -m llama_cpp.server --model qwen.gguf --model_alias qwen --n_ctx 2048 --n_threads 2 --port 8765 &
    python -m benchmarks.server_choice_scoring --base-url http://127.0.0.1:8765/v1 --model qwen [--datasets sst2 trec] [--n 200]

The server (llama-cpp-python 0.3.x) serves Qwen2.5-Coder-0.5B-Instruct, the local teacher's model
(its GGUF; the local teacher runs the same weights de-quantised in transformers). Variants, each
with `evokd.TextCatLabel.v7` as configs/evokd.cfg sets it (v6's prompt read once, exemplars on
two-label tasks, batch calibration):
`text` (v2: the greedy answer's first word is matched to a label; no confidence, no calibration),
`logprobs` (v3: one answer token and its 20 most likely first tokens score every label's words),
`plain` (v3 with v8's plain pattern "Review: {text}\\nSentiment:", sent to /completions; SST-2 only).
Scores are on a fixed random n of each dev split (`--n 0`: all of it). Calls go through a cache
under benchmarks/runs/. Writes benchmarks/results/server_choice_scoring.json and prints the table.
"""
import argparse
import json
from pathlib import Path
from typing import Any, Dict, List

from wasabi import msg

from evokd_spacy.loop.teacher_eval import evaluate_teacher

from . import datasets
from .report import RESULTS
from .run import RUNS, Bench, write_split
from .suites import SUITES

SENTIMENT_PATTERN = "Review: {text}\nSentiment:"
VARIANTS = {
    "text": ({"@llm_models": "evokd.OpenAICompatible.v2"}, {}),
    "logprobs": ({"@llm_models": "evokd.OpenAICompatible.v3"}, {}),
    "plain": ({"@llm_models": "evokd.OpenAICompatible.v3"}, {"@llm_tasks": "evokd.TextCatLabel.v8", "plain_pattern": SENTIMENT_PATTERN}),
}
ONLY_ON = {"plain": "sst2"}


def served(model_block: Dict[str, Any], base_url: str, model: str) -> Dict[str, Any]:
    """The [teacher.model] block of a variant, pointed at the server; greedy, one request at a time
    (the server answers one at a time on 2 cores)."""
    return {**model_block, "base_url": base_url, "model": model, "max_concurrency": 1, "timeout": 300.0,
            "config": {"temperature": 0.0, "max_tokens": 8}}


def measure(names: List[str], n: int, data: Path, base_url: str, model: str, variants: List[str]) -> Dict[str, Any]:
    """Teacher-alone dev score, speed and confidence of each variant on each dataset."""
    path = RESULTS / "server_choice_scoring.json"
    results: Dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    for name in names:
        ds = datasets.load(name, data)
        bench = Bench(ds, SUITES["quick"], "local", "trf", None, RUNS)
        dev = datasets.cap(ds.dev, n, seed=3) if n else list(ds.dev)
        size = n or "all"
        for variant in variants:
            if ONLY_ON.get(variant, name) != name or f"{variant}@{size}" in results.get(name, {}):
                continue
            model_block, label_block = VARIANTS[variant]
            overrides: Dict[str, Any] = {"teacher.model": served(model_block, base_url, model)}
            if label_block:
                overrides["teacher.label"] = label_block
            settings = bench.settings(f"server_{variant}", 1, 0, overrides)
            settings.paths["dev"] = str(bench.dir / "data" / f"dev_server_{size}.jsonl")
            write_split(Path(settings.paths["dev"]), dev, ds.kind)
            msg.info(f"{name}: {variant} on {len(dev)} dev docs through {base_url}")
            out = evaluate_teacher(settings)
            results.setdefault(name, {})[f"{variant}@{size}"] = {
                "score": out["score"], "docs_per_s": out["docs_per_second"], "n": out["n_docs"],
                "with_confidence": bool(out["confidence"]), "recommended_min_confidence": out["recommended_min_confidence"],
            }
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(results, indent=2) + "\n")
    rows = [(name, key, f"{r['score']:.3f}", f"{r['docs_per_s']:.2f}", "yes" if r["with_confidence"] else "no", r["n"])
            for name, by in results.items() for key, r in by.items()]
    msg.table(rows, header=("dataset", "variant@n", "dev score", "docs/s", "confidence", "n"), divider=True)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="the server's OpenAI-compatible root, like http://127.0.0.1:8765/v1")
    parser.add_argument("--model", required=True, help="the model name the server answers to (llama.cpp: --model_alias)")
    parser.add_argument("--datasets", nargs="*", default=["sst2", "trec"])
    parser.add_argument("--n", type=int, default=0, help="dev texts per dataset (0: the whole dev split)")
    parser.add_argument("--variants", nargs="*", choices=sorted(VARIANTS), default=list(VARIANTS))
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent.parent.parent / "shared" / "data")
    args = parser.parse_args()
    measure(args.datasets, args.n, args.data, args.base_url, args.model, args.variants)
