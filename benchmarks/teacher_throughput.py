"""Teacher throughput: the same 64 prompts through evokd.OpenAICompatible.v1 at concurrency
1, 2, 4, 8 and 16, against a fixed-latency OpenAI-compatible server on 127.0.0.1.

    python -m benchmarks.teacher_throughput [--latency 0.1] [--real-url http://127.0.0.1:8080/v1 --real-model NAME]

The real-server numbers in BENCHMARKS come from llama-cpp-python's server serving the SmolLM2-135M
GGUF on 127.0.0.1 (`python -m llama_cpp.server --model ... --model_alias smollm2`).

Prints a table and writes benchmarks/results/teacher_throughput.json as
{"fixed_latency": {"1": rps, ...}, "real_server": {...} or null, ...}.
"""
import argparse
import json
import time
from pathlib import Path
from typing import Dict, Optional

from wasabi import msg

from evokd_spacy.teachers.loopback import LoopbackServer
from evokd_spacy.teachers.openai_compat import make_openai_compatible_model

CONCURRENCY = (1, 2, 4, 8, 16)
N_PROMPTS = 64
RESULTS = Path(__file__).parent / "results" / "teacher_throughput.json"


def measure(base_url: str, model: str, concurrency: int, max_tokens: int) -> Dict[str, float]:
    """Requests/s and completion tokens/s for N_PROMPTS distinct prompts."""
    teacher = make_openai_compatible_model(
        base_url=base_url, model=model, max_concurrency=concurrency, timeout=300.0, config={"max_tokens": max_tokens}
    )
    prompts = [[f"Explain the weaknesses of classifier number {i}."] for i in range(N_PROMPTS)]
    start = time.perf_counter()
    answers = [doc[0] for doc in teacher(prompts)]
    seconds = time.perf_counter() - start
    tokens = sum(a.completion_tokens or 0 for a in answers)
    return {"rps": N_PROMPTS / seconds, "tokens_per_s": tokens / seconds, "seconds": seconds}


def run_all(base_url: str, model: str, max_tokens: int) -> Dict[str, Dict[str, float]]:
    return {str(c): measure(base_url, model, c, max_tokens) for c in CONCURRENCY}


def main(latency: float, real_url: Optional[str], real_model: str, max_tokens: int) -> None:
    with LoopbackServer({"POS": ["good"], "NEG": ["bad"]}, latency=latency) as server:
        fixed = run_all(server.base_url, "scripted", max_tokens)
    real = run_all(real_url, real_model, max_tokens) if real_url else None
    rows = []
    for c in CONCURRENCY:
        f = fixed[str(c)]
        r = real[str(c)] if real else None
        rows.append(
            (c, f"{f['rps']:.1f}", f"{f['rps'] / fixed['1']['rps']:.1f}x", f"{r['rps']:.2f}" if r else "-", f"{r['tokens_per_s']:.1f}" if r else "-")
        )
    msg.table(rows, header=("concurrency", "fixed req/s", "speed-up", "real req/s", "real tok/s"), divider=True)
    result = {
        "fixed_latency": {c: v["rps"] for c, v in fixed.items()},
        "real_server": {c: v["rps"] for c, v in real.items()} if real else None,
        "details": {"latency_s": latency, "n_prompts": N_PROMPTS, "max_tokens": max_tokens, "real_url": real_url, "fixed": fixed, "real": real},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    msg.good(f"Wrote {RESULTS}")
    if not real:
        msg.info("No real server measured: pass --real-url (e.g. a llama.cpp or vLLM server on 127.0.0.1).")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--real-url", default=None)
    parser.add_argument("--real-model", default="local")
    parser.add_argument("--max-tokens", type=int, default=32, help="completion tokens per request")
    args = parser.parse_args()
    main(args.latency, args.real_url, args.real_model, args.max_tokens)
