"""How a served teacher's top first tokens should score labels: how many tokens to ask for, and
which listed tokens count for a label word (OpenAICompatible.v3; session 18).

    python -m llama_cpp.server --model qwen.gguf --model_alias qwen --n_ctx 2048 --n_threads 2 --port 8765 &
    python -m benchmarks.server_top_tokens --base-url http://127.0.0.1:8765/v1 --model qwen [--datasets trec sst2] [--n 200]

Through v3 with 20 tokens, TREC-6 dev was labelled at 0.258 where the local teacher, which scores
every label word whole, gets 0.572: most of TREC-6's 60 label words are not among the 20 most
likely first tokens, so they all get the same floor. This asks the server once per text for its
500 most likely first tokens of `evokd.TextCatLabel.v7`'s prompt (kept under benchmarks/runs/), then
scores the labels from the first k of them by each rule and batch-calibrates as v7 does:
`prefix_sum` (every listed token that begins a word counts, summed; v3 as first built) and
`longest_prefix` (only the longest listed token that begins the word: its likeliest first token,
where "N" would count for "NUM", "Number" and "None" alike). Scored on n training texts other than
the seeds, never dev: the setting is chosen here and then measured on dev by
`benchmarks.server_choice_scoring`. Writes benchmarks/results/server_top_tokens.json.
"""
import argparse
import json
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence, Tuple

from wasabi import msg

from evokd_spacy.teachers.choice_logprobs import TopLogprobs, choice_scores, listed_tokens, unlisted_score

from . import datasets
from .calibration_strength import calibrate, label_distribution, macro_f
from .exemplar_orders import seed_examples
from .prior_estimation import argmax_labels
from .report import RESULTS
from .run import RUNS
from .teacher_techniques import train_sample

ASKED = 500
KS = (20, 50, 100, 500)


def longest_prefix_scores(top: TopLogprobs, choices: Sequence[str]) -> Dict[str, float]:
    """Each choice scored by the longest listed token that begins it (the floor as in choice_scores)."""
    listed = listed_tokens(top)
    floor = unlisted_score(listed)
    scores = {}
    for choice in choices:
        begins = [(len(token), lp) for token, lp in listed if choice.startswith(token)]
        scores[choice] = max(begins)[1] if begins else floor
    return scores


RULES: Dict[str, Callable[[TopLogprobs, Sequence[str]], Dict[str, float]]] = {"prefix_sum": choice_scores, "longest_prefix": longest_prefix_scores}


def top_tokens(base_url: str, model: str, prompts: List[str], path: Path) -> Dict[str, TopLogprobs]:
    """The server's ASKED most likely first answer tokens of each chat prompt (kept in `path`)."""
    import httpx

    kept: Dict[str, TopLogprobs] = json.loads(path.read_text()) if path.exists() else {}
    path.parent.mkdir(parents=True, exist_ok=True)
    for i, prompt in enumerate(p for p in prompts if p not in kept):
        body = {"model": model, "messages": [{"role": "user", "content": prompt}], "max_tokens": 1, "temperature": 0.0,
                "logprobs": True, "top_logprobs": ASKED}
        reply = httpx.post(f"{base_url.rstrip('/')}/chat/completions", json=body, timeout=300.0)
        reply.raise_for_status()
        first = reply.json()["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
        kept[prompt] = [(t["token"], t["logprob"]) for t in first]
        if i % 50 == 49:
            path.write_text(json.dumps(kept))
    path.write_text(json.dumps(kept))
    return kept


def score_rules(ds: datasets.Dataset, samples: List[Any], tops: Dict[str, TopLogprobs], task: Any, prompts: List[Any]) -> Dict[str, float]:
    """Macro F of every rule and k on the samples, batch-calibrated as v7 does."""
    labels, gold = list(ds.labels), [s.labels[0] for s in samples]
    out = {}
    for rule, score in RULES.items():
        for k in KS:
            rows = [label_distribution(task, score(tops[str(p)][:k], p.choices), labels) for p in prompts]
            out[f"{rule}@{k}"] = macro_f(argmax_labels(calibrate(rows, 1.0), labels), gold, labels)
    return out


def measure(names: List[str], n: int, data: Path, base_url: str, model: str) -> Dict[str, Any]:
    """Per dataset: ask for the top tokens of n training texts, then score each rule and k."""
    import spacy

    from evokd_spacy.registry import registry

    path = RESULTS / "server_top_tokens.json"
    results: Dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    for name in names:
        ds = datasets.load(name, data)
        samples = train_sample(ds, n, 1)
        task = registry.llm_tasks.get("evokd.TextCatLabel.v7")(labels=ds.labels, description=ds.description)
        task.set_examples(seed_examples(ds))
        nlp = spacy.blank("en")
        prompts = [task.prompt_for(nlp.make_doc(s.text)) for s in samples]
        msg.info(f"{name}: top {ASKED} first tokens of {len(prompts)} training texts")
        tops = top_tokens(base_url, model, [str(p) for p in prompts], RUNS / "server_top_tokens" / f"{name}_{n}.json")
        results[name] = {"n": len(samples), "macro_f": score_rules(ds, samples, tops, task, prompts)}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=2) + "\n")
    rows: List[Tuple[Any, ...]] = [(name, key, f"{f:.3f}") for name, r in results.items() for key, f in r["macro_f"].items()]
    msg.table(rows, header=("dataset", "rule@k", "macro F"), divider=True)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--datasets", nargs="*", default=["trec", "sst2"])
    parser.add_argument("--n", type=int, default=200, help="training texts per dataset (not the seeds)")
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent.parent.parent / "shared" / "data")
    args = parser.parse_args()
    measure(args.datasets, args.n, args.data, args.base_url, args.model)
