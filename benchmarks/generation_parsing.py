"""Re-read the generation answers in teacher caches with an earlier version's parser and with this
one: how many texts each keeps and drops, and which texts differ. No teacher call is made.

    python -m benchmarks.generation_parsing training/evokd/cache --base c3de074

Prints a table and writes benchmarks/results/generation_parsing.json.
"""
import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List

from evokd_spacy.tasks.parsing import parse_tagged_lines

ROOT = Path(__file__).resolve().parent.parent


def parser_at(rev: str) -> Any:
    """`parse_tagged_lines` as it was at git revision `rev`."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:evokd_spacy/tasks/parsing.py"],
                            check=True, capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "old_parsing.py"
    path.write_text(source, encoding="utf8")
    spec = importlib.util.spec_from_file_location("old_parsing", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.parse_tagged_lines


def generation_answers(caches: List[Path]) -> List[Dict[str, Any]]:
    """Cached answers to generation prompts (they ask for HARD and EASY texts; no choices)."""
    answers = []
    for cache in caches:
        for path in sorted(cache.glob("*/*.json")):
            entry = json.loads(path.read_text(encoding="utf8"))
            if not entry.get("choices") and "HARD" in entry.get("prompt", "") and "EASY" in entry.get("prompt", ""):
                answers.append(entry)
    return answers


def compare(answers: List[Dict[str, Any]], old: Any, n_hard: int, n_easy: int) -> Dict[str, Any]:
    """Texts kept and drop reasons by each parser, and the texts only one of them keeps."""
    out: Dict[str, Any] = {"answers": len(answers), "old": {"kept": 0, "dropped": Counter()}, "new": {"kept": 0, "dropped": Counter()},
                           "only_old": [], "only_new": []}
    for entry in answers:
        results = {"old": old(entry["response"], n_hard, n_easy), "new": parse_tagged_lines(entry["response"], n_hard, n_easy)}
        for name, (items, rejects) in results.items():
            out[name]["kept"] += len(items)
            out[name]["dropped"].update(r["reason"] for r in rejects)
        old_texts = {(i["tag"], i["text"]) for i in results["old"][0]}
        new_texts = {(i["tag"], i["text"]) for i in results["new"][0]}
        out["only_old"] += sorted(old_texts - new_texts)
        out["only_new"] += sorted(new_texts - old_texts)
    return out


def main(argv: List[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("caches", nargs="+", type=Path, help="teacher cache folders (a run's <output>/cache)")
    parser.add_argument("--base", default="c3de074", help="git revision of the earlier parser")
    parser.add_argument("--n-hard", type=int, default=4)
    parser.add_argument("--n-easy", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "generation_parsing.json")
    args = parser.parse_args(argv)
    result = compare(generation_answers(args.caches), parser_at(args.base), args.n_hard, args.n_easy)
    print(f"{result['answers']} generation answers, {args.n_hard} hard + {args.n_easy} easy asked in each")
    print("parser | texts kept | dropped (reason: count)")
    for name in ("old", "new"):
        dropped = ", ".join(f"{k}: {v}" for k, v in sorted(result[name]["dropped"].items())) or "-"
        print(f"{name + ' (' + (args.base if name == 'old' else 'this') + ')':<16} | {result[name]['kept']:>10} | {dropped}")
    for key in ("only_old", "only_new"):
        for tag, text in result[key]:
            print(f"{key}: {tag}: {text}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({**result, "base": args.base, "caches": [str(c) for c in args.caches]}, indent=2, default=dict) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
