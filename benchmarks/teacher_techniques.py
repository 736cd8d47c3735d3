"""Teacher alone on dev splits, with each small-teacher technique on and off (issue #9).

    python -m benchmarks.teacher_techniques [--datasets sst2 trec emotion] [--n 100] [--subset a|b|all|train]

Labelling variants: `v1` (TextCatLabel.v1: zero-shot, uncalibrated), `few_shot` (v2 with 4 seed
exemplars, uncalibrated), `calibrated` (v2's default: calibration, no exemplars), `few_shot_calibrated` (both), `verbalised` (v3: verbalisers per label, uncalibrated) and
`verbalised_calibrated` (v3's default: verbalisers and calibration), `listed_verbalised_calibrated`
(v4: also the words each label description lists), `verbalised_few_shot_calibrated` (v3 with up
to 6 seed exemplars), and v5 (a one-word answer, no label list in the prompt) with batch
(`cloze_batch`, v5's default), content-free (`cloze_content_free`) or no calibration
(`cloze_uncalibrated`), with up to 6 exemplars (`cloze_few_shot_batch`), with up to 8 whatever
the label count (`cloze_eight_seeds`), or every seed as one (`cloze_all_seeds`; `--k 5` draws 5
seeds a label), or v6 with its exemplars in reverse order (`cloze_reversed_exemplars`), or (TREC-6 only) with the
fine classes of TREC's question taxonomy as verbalisers (`cloze_taxonomy_words`), or v6 with every text shown
twice (`cloze_echo`); for NER (`wnut17`), `ner_v1`
(free decoding), `ner_constrained` (NERLabel.v2, JSON-constrained decoding) and `ner_zero_shot`
(v1 without the seed exemplars). Scores are on
a fixed subset of each dev split (never test); calls go through a cache under benchmarks/runs/.
Writes benchmarks/results/teacher_techniques.json and prints the table.

`--choose N` instead runs `[loop] choose_exemplars = N` (v5 with or without 6 seed exemplars,
chosen on N dev texts outside subsets a and b) and records which way it picks. `--detokenize` shows
the teacher the texts (seeds too) with Penn Treebank tokenisation undone (keys end in `_detok`).
"""
import argparse
import json
from pathlib import Path
from typing import Any, Dict, List, Optional

from wasabi import msg

from evokd_spacy.loop.teacher_eval import evaluate_teacher

from . import all_seeds_label, datasets, exemplar_orders, lettered_options  # noqa: F401 (they register benchmark-only tasks)
from .detokenize import detokenized
from .report import RESULTS
from .run import RUNS, Bench
from .suites import SUITES

VARIANTS = {
    "v1": {"@llm_tasks": "evokd.TextCatLabel.v1"},
    "few_shot": {"@llm_tasks": "evokd.TextCatLabel.v2", "few_shot": 4, "calibrate": False},
    "calibrated": {"@llm_tasks": "evokd.TextCatLabel.v2", "few_shot": 0, "calibrate": True},  # v2's default
    "few_shot_calibrated": {"@llm_tasks": "evokd.TextCatLabel.v2", "few_shot": 4, "calibrate": True},
    "verbalised": {"@llm_tasks": "evokd.TextCatLabel.v3", "calibrate": False},
    "verbalised_calibrated": {"@llm_tasks": "evokd.TextCatLabel.v3", "calibrate": True},  # v3's default
    "listed_verbalised_calibrated": {"@llm_tasks": "evokd.TextCatLabel.v4", "calibrate": True},  # v4's default
    "verbalised_few_shot_calibrated": {"@llm_tasks": "evokd.TextCatLabel.v3", "few_shot": 6, "calibrate": True},
    "cloze_batch": {"@llm_tasks": "evokd.TextCatLabel.v5"},  # v5's default: batch calibration
    "cloze_content_free": {"@llm_tasks": "evokd.TextCatLabel.v5", "calibration": "content_free"},
    "cloze_uncalibrated": {"@llm_tasks": "evokd.TextCatLabel.v5", "calibration": "none"},
    "cloze_few_shot_batch": {"@llm_tasks": "evokd.TextCatLabel.v5", "few_shot": 6},
    # with --k 5 (session 10): v6 showing the seeds whatever the label count, at most 8 (v6's cap:
    # 4 a label on SST-2, 1 or 2 on TREC-6), or all of them (benchmark-only task, all_seeds_label.py)
    "cloze_eight_seeds": {"@llm_tasks": "evokd.TextCatLabel.v6", "few_shot": 64, "few_shot_max_labels": 0},
    "cloze_all_seeds": {"@llm_tasks": "benchmarks.TextCatLabelAllSeeds.v1"},
    # v6 with its exemplars in reverse order (benchmark-only task, exemplar_orders.py; session 11)
    "cloze_reversed_exemplars": {"@llm_tasks": "benchmarks.TextCatLabelReversedExemplars.v1"},
    # SST-2 only: v5 with two more answer words per label, given as verbalisers (session 8)
    "cloze_sentiment_words": {"@llm_tasks": "evokd.TextCatLabel.v5",
                              "verbalizers": {"POSITIVE": ["positive", "good", "great"], "NEGATIVE": ["negative", "bad", "terrible"]}},
}
# TREC-6 only: v5 with the one-word names of the fine classes of TREC's published question
# taxonomy (Li and Roth, 2002) as each label's verbalisers, where the default derives them from
# our shorter label descriptions (session 14): what a user who lists every kind of answer a label
# covers would get. HUM's "description" class is left out: it is DESC's word.
TREC_TAXONOMY_WORDS = {
    "ABBR": ["abbreviation", "expression"],
    "DESC": ["definition", "description", "manner", "reason"],
    "ENTY": ["entity", "animal", "body", "color", "creation", "currency", "disease", "event", "food", "instrument", "language",
             "letter", "plant", "product", "religion", "sport", "substance", "symbol", "technique", "term", "vehicle", "word"],
    "HUM": ["person", "group", "organization", "individual", "title"],
    "LOC": ["location", "city", "country", "mountain", "state"],
    "NUM": ["number", "code", "count", "date", "distance", "money", "order", "percent", "period", "speed", "temperature", "size",
            "weight"],
}
VARIANTS["cloze_taxonomy_words"] = {"@llm_tasks": "evokd.TextCatLabel.v5", "verbalizers": TREC_TAXONOMY_WORDS}
# v6 with every text shown twice, exemplars included (session 15): a decoder-only model reads a
# text's first copy without what follows, its second copy after all of it ("re-reading", Xu et
# al. 2023; "echo embeddings", Springer et al. 2024). Template fixed before the first run.
ECHO_TEMPLATE = """{{ description }}
{% if examples %}

{% for ex in examples %}
Text: {{ ex.text }}
Read the text again: {{ ex.text }}
Answer: {{ ex.word }}
{% if not loop.last %}

{% endif %}
{% endfor %}
{% endif %}

Text: {{ text }}
Read the text again: {{ text }}

{% if exclusive %}
Answer with one word.
{% else %}
Answer with one or more words, separated by commas.
{% endif %}
"""
VARIANTS["cloze_echo"] = {"@llm_tasks": "evokd.TextCatLabel.v6", "template": ECHO_TEMPLATE}
# The labels listed as options A, B, ... and scored by their letter, one token each (session 19,
# lettered_options.py): whether a served teacher, which scores only an answer's first token, could
# label TREC-6 as the local teacher does.
VARIANTS["cloze_lettered"] = {"@llm_tasks": "benchmarks.TextCatLabelLettered.v1"}
# First run (whole dev): TREC-6 0.644 against 0.572, SST-2 0.821 against 0.838 (where v6 shows two
# exemplars). The rule this suggests, "echo when no exemplars are shown", was written here before
# its checks ran: TweetEval emotion's dev split (4 labels, so no exemplars, like TREC-6; not looked
# at for echo before) and TREC-6's 500 unseen training questions (`--subset train --n 500`).
ONLY_ON = {"cloze_sentiment_words": "sst2", "cloze_taxonomy_words": "trec"}  # variants written for one dataset's labels
# Entity labelling: v1 (free greedy decoding) against v2 (decoding constrained to a JSON entity
# list over the label set, naming only strings in the sentence); both show 3 seed exemplars.
# `ner_zero_shot` is v1 without them (session 11).
NER_VARIANTS = {
    "ner_v1": {"@llm_tasks": "evokd.NERLabel.v1"},
    "ner_constrained": {"@llm_tasks": "evokd.NERLabel.v2"},
    "ner_zero_shot": {"@llm_tasks": "evokd.NERLabel.v1", "n_examples": 0},
}


def train_sample(ds: datasets.Dataset, n: int, k: int) -> List[Any]:
    """A fixed random n of the training split other than the run's seeds: texts no setting was
    chosen on, to check a choice made on dev (subset "train")."""
    from evokd_spacy.data.kshot import sample_k_shot

    seeds = {s.text for s in sample_k_shot(ds.train, list(ds.labels), k, 0)}
    return datasets.cap([s for s in ds.train if s.text not in seeds], n, seed=5)


def dev_subset(dev: List[Any], n: int, subset: str) -> List[Any]:
    """Subset "a": a fixed random n of the dev split; "b": another n that share no text with "a"
    (a check on choices made by looking at "a"); "all": the whole dev split (n is ignored)."""
    if subset == "all":
        return list(dev)
    first = datasets.cap(dev, n, seed=3)
    if subset == "a":
        return first
    taken = {s.text for s in first}
    return datasets.cap([s for s in dev if s.text not in taken], n, seed=4)


def measure(names: List[str], n: int, data: Path, teacher_path: str, k: int = 1, variants: Optional[List[str]] = None,
            subset: str = "a", detokenize: bool = False) -> Dict[str, Any]:
    """Teacher-alone dev score per dataset and labelling variant (on dev subset "a", "b" or "all", or
    on "train"); `detokenize` shows the teacher every text with Penn Treebank tokenisation undone."""
    path = RESULTS / "teacher_techniques.json"
    results: Dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    for name in names:
        ds = datasets.load(name, data)
        if detokenize:
            ds = detokenized(ds)
        bench = Bench(ds, SUITES["quick"], "local", "trf", teacher_path, RUNS)
        dev = train_sample(ds, n, k) if subset == "train" else dev_subset(ds.dev, n, subset)
        suffix = "" if subset == "a" else subset
        size = "" if subset == "all" else n  # keys: variant@100, variant@100b, variant@all
        shots = ("" if k == 1 else f"_k{k}") + ("_detok" if detokenize else "")  # variant@all_k5, variant@all_detok
        for variant, block in (NER_VARIANTS if ds.kind == "ner" else VARIANTS).items():
            if (variants and variant not in variants) or ONLY_ON.get(variant, name) != name:
                continue
            key = f"{variant}@{size}{suffix}{shots}"
            if key in results.get(name, {}):
                continue
            run = f"teacher_{variant}" + (f"_{suffix}" if suffix else "") + ("_detok" if detokenize else "")
            settings = bench.settings(run, k, 0, {"teacher.label": block})
            settings.paths["dev"] = str(bench.dir / "data" / f"dev_{size}{suffix}.jsonl")
            from .run import write_split

            write_split(Path(settings.paths["dev"]), dev, ds.kind)
            msg.info(f"{name}: {variant} on {len(dev)} {'training' if subset == 'train' else 'dev'} docs")
            out = evaluate_teacher(settings)
            results.setdefault(name, {})[key] = {"score": out["score"], "docs_per_s": out["docs_per_second"], "n": out["n_docs"]}
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(results, indent=2) + "\n")
    rows = [(name, variant, f"{r['score']:.3f}", f"{r['docs_per_s']:.2f}", r["n"]) for name, by in results.items() for variant, r in by.items() if "score" in r]  # choose_exemplars@n rows have none
    msg.table(rows, header=("dataset", "variant@n", "dev score", "docs/s", "n"), divider=True)
    return results


def measure_choice(names: List[str], n: int, data: Path, teacher_path: str, k: int = 1) -> Dict[str, Any]:
    """`[loop] choose_exemplars = n` (v5 with and without 6 exemplars) on dev texts outside subsets
    a and b: which way it picks, with the scores it saw; the picked variant's a/b scores are above."""
    from evokd_spacy.data.kshot import sample_k_shot
    from evokd_spacy.loop.kinds import get_kind
    from evokd_spacy.loop.label_choice import CHOICE_FILE, choose_exemplars
    from evokd_spacy.loop.state import RunFolder
    from evokd_spacy.loop.teacher import build_teacher, prepare_labelling

    path = RESULTS / "teacher_techniques.json"
    results: Dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    for name in names:
        ds = datasets.load(name, data)
        bench = Bench(ds, SUITES["quick"], "local", "trf", teacher_path, RUNS)
        settings = bench.settings("teacher_choose_exemplars", k, 0, {"teacher.label": VARIANTS["cloze_few_shot_batch"]})
        kind = get_kind(ds.kind)
        held = {s.text for subset in ("a", "b") for s in dev_subset(ds.dev, 100, subset)}
        outside = [s for s in ds.dev if s.text not in held]
        teacher = build_teacher(settings.teacher_config, settings.spec, RunFolder(settings.output, settings.corpus, settings.cache).cache)
        examples = [kind.example(s) for s in sample_k_shot(ds.train, list(ds.labels), k, 0)]
        prepare_labelling(teacher, examples)
        msg.info(f"{name}: choose_exemplars on {n} of {len(outside)} dev texts outside subsets a and b")
        (settings.output / CHOICE_FILE).unlink(missing_ok=True)
        choice = choose_exemplars(teacher, kind, settings.spec, examples, outside, n, settings.output / CHOICE_FILE)
        picked = "cloze_few_shot_batch" if choice["few_shot"] else "cloze_batch"
        results.setdefault(name, {})[f"choose_exemplars@{n}"] = {**choice, "picked": picked}
        path.write_text(json.dumps(results, indent=2) + "\n")
        msg.good(f"{name}: picked {picked} (dev scores it saw: {choice['scores']})")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="*", default=["sst2", "trec", "emotion"])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent.parent.parent / "shared" / "data")
    parser.add_argument("--teacher-path", default=str(Path(__file__).resolve().parent.parent / "assets" / "teacher" / "qwen2.5-coder-0.5b-instruct"))
    parser.add_argument("--variants", nargs="*", choices=sorted({**VARIANTS, **NER_VARIANTS}), help="a subset of the labelling variants")
    parser.add_argument("--subset", choices=("a", "b", "all", "train"), default="a",
                        help="b: another n dev texts, to check choices made on a; all: the whole dev split; train: n training texts other than the seeds")
    parser.add_argument("--k", type=int, default=1, help="seeds per label (the exemplars few-shot variants show)")
    parser.add_argument("--detokenize", action="store_true", help="undo the corpora's Penn Treebank tokenisation for the teacher (benchmarks/detokenize.py)")
    parser.add_argument("--choose", type=int, default=0, help="run [loop] choose_exemplars on this many other dev texts instead")
    args = parser.parse_args()
    if args.choose:
        measure_choice(args.datasets, args.choose, args.data, args.teacher_path, k=args.k)
    else:
        measure(args.datasets, args.n, args.data, args.teacher_path, k=args.k, variants=args.variants, subset=args.subset,
                detokenize=args.detokenize)
