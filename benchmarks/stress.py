"""Stress: about 1,000 teacher calls through the fault-injecting loopback server (20% faults of
every kind) while the run is SIGKILLed at random points and restarted each time.

    python -m benchmarks.stress [--fault-rate 0.2] [--content-fault-rate 0.1] [--kills 20] [--rounds 15] [--workdir DIR]

Prints calls, retries, drops, restarts, lost samples and repeated calls, and writes them to
benchmarks/results/stress.json. A reference run (no faults, no kills) defines the expected data:
`lost_samples` counts reference samples missing from the stressed run (and extra ones),
`repeated_calls` counts requests for a call whose answer the client had already saved (a cache
entry written before the request arrived: a finished call asked again), and `resent_unfinished`
the answers the server sent more than once because the client was killed before it could save
the first (the call had not finished, so asking again is what resuming must do).
"""
import argparse
import json
import random
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

from wasabi import msg

from evokd_spacy.loop.state import RunFolder
from evokd_spacy.teachers.loopback import LoopbackServer
from evokd_spacy.util.chaos import run_with_kills

from .demo_config import write_demo_config

LEXICON = {
    "POSITIVE": ["great", "love", "excellent", "wonderful", "perfect", "recommend"],
    "NEGATIVE": ["awful", "broke", "boring", "terrible", "waste", "refund"],
}
RESULTS = Path(__file__).parent / "results" / "stress.json"


def write_config(workdir: Path, base_url: str, rounds: int) -> Path:
    """Run config: ~(7 + 60) teacher calls a round, tiny CNN student, the served scripted teacher."""
    teacher = {
        "@llm_models": "evokd.OpenAICompatible.v1",
        "base_url": base_url,
        "model": "scripted",
        "max_concurrency": 4,
        "timeout": 0.5,
        "max_tries": 12,
        "backoff": 0.01,
        "max_backoff": 0.2,
    }
    return write_demo_config(
        workdir,
        teacher,
        loop={"rounds": rounds, "requests_per_label": 3},
        student={"max_steps": 4, "eval_frequency": 4},
        generate={"n_hard": 6, "n_easy": 4},
    )


def progress(workdir: Path) -> int:
    return sum(1 for _ in (workdir / "training").rglob("*.json"))


def kept_texts(workdir: Path, rounds: int) -> List[List[str]]:
    folder = RunFolder(workdir / "training", workdir / "corpus")
    return [[json.loads(line)["text"] for line in folder.round_jsonl(r).read_text().splitlines()] for r in range(rounds + 1)]


def repeated_finished_calls(requests: List[Dict[str, Any]], cache: Path) -> int:
    """Requests that arrived after the client had saved the answer to the same call.

    A call is (prompt, seed) as the server sees it; cache entries map to it by their prompt and
    sample index (choice prompts are sent without a seed). With n entries for one call, saved at
    s_1 <= ... <= s_n, at most n - j requests may arrive after s_j.
    """
    saved: Dict[Tuple[str, int], List[float]] = {}
    for path in cache.rglob("*.json"):
        entry = json.loads(path.read_text())
        key = (entry["prompt"], 0 if entry["choices"] else int(entry.get("sample", 0)))
        saved.setdefault(key, []).append(path.stat().st_mtime)
    arrivals: Dict[Tuple[str, int], List[float]] = {}
    for request in requests:
        body = request["body"]
        arrivals.setdefault((body["messages"][-1]["content"], int(body.get("seed", 0))), []).append(request["time"])
    repeated = 0
    for key, times in saved.items():
        times.sort()
        late = [sum(1 for a in arrivals.get(key, []) if a > s) - (len(times) - j) for j, s in enumerate(times, 1)]
        repeated += max(0, *late)
    return repeated


def main(fault_rate: float, content_fault_rate: float, kills: int, rounds: int, workdir: Path) -> Dict[str, Any]:
    if workdir.exists():
        shutil.rmtree(workdir)
    stressed, reference = workdir / "stressed", workdir / "reference"
    for d in (stressed, reference):
        d.mkdir(parents=True)
    rng = random.Random(0)
    spoil = {"content_fault_rate": content_fault_rate}  # per call, so the reference run gets the same answers
    with LoopbackServer(LEXICON, fault_rate=fault_rate, hang_seconds=1.0, retry_after=0.02, seed=1, **spoil) as server:
        start = time.perf_counter()
        config = write_config(stressed, server.base_url, rounds)
        restarts, _ = run_with_kills(config, lambda: progress(stressed), kills, rng, max_wait=1.5, stall_timeout=600)
        seconds = time.perf_counter() - start
        answered, injected, spoiled = server.answered, server.injected, server.spoiled
        repeated = repeated_finished_calls(server.requests, stressed / "training" / "cache")
    with LoopbackServer(LEXICON, **spoil) as server:
        run_with_kills(write_config(reference, server.base_url, rounds), lambda: progress(reference), 0, rng)
    got, expected = kept_texts(stressed, rounds), kept_texts(reference, rounds)
    lost = sum(len(set(e) ^ set(g)) for e, g in zip(expected, got))
    metrics = RunFolder(stressed / "training", stressed / "corpus").read_metrics()
    drops: Dict[str, int] = {}
    for line in metrics:
        for reason, n in line["dropped"].items():
            drops[reason] = drops.get(reason, 0) + n
    result = {
        "calls": sum(answered.values()),
        "unique_calls": len(answered),
        "retries": sum(injected.values()),
        "faults": dict(injected),
        "spoiled_answers": dict(spoiled),
        "drops": drops,
        "restarts": restarts,
        "lost_samples": lost,
        "repeated_calls": repeated,
        "resent_unfinished": sum(n - 1 for n in answered.values()),
        "rounds": len(metrics) - 1,
        "seconds": round(seconds, 1),
    }
    msg.table([(k, json.dumps(v)) for k, v in result.items()], header=("measure", "value"), divider=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    msg.good(f"Wrote {RESULTS}")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fault-rate", type=float, default=0.2, help="share of requests with a transport fault")
    parser.add_argument("--content-fault-rate", type=float, default=0.1, help="share of answers spoiled")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "evokd-stress")
    args = parser.parse_args()
    main(args.fault_rate, args.content_fault_rate, args.kills, args.rounds, args.workdir)
