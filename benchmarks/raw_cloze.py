"""SST-2 labelled by the teacher as a plain language model, without its chat template (issue #9, session 17).

    python -m benchmarks.raw_cloze [--n-train 500] [--teacher-path ...]

Every labeller so far put its prompt in the teacher's chat template and scored the first word of
the assistant's answer. A small instruct model is still, underneath, a language model trained on
running text, and the classic zero- and few-shot recipe for SST-2 scores the next word of a plain
pattern after the sentence (LM-BFF, Gao et al., 2021: "<sentence> It was great / terrible";
GPT-3, Brown et al., 2020: "Review: ... Sentiment: positive / negative"). That is a different
regime from all earlier rows, so it is measured once. Fixed before the first run:

- patterns (no chat template, no system prompt): ``it_was``: "{text} It was" scored on " great"
  against " terrible"; ``review``: "Review: {text}\\nSentiment:" scored on " positive" against
  " negative" (each one token in Qwen's vocabulary);
- each zero-shot and with the run's 1-shot seeds as demonstrations before it, in the order
  `seed_examples` gives them, each demonstration ended by its word and a blank line: 4 variants;
- label probabilities: softmax over the two words' log-probabilities, then batch calibration
  (each text's probabilities divided by their mean over the texts scored together), as v6;
- two more candidates: v6 (the default labeller) and the mean of v6's and the best raw variant's
  batch-calibrated probabilities;
- the choice: all 6 scored on 500 fixed random SST-2 training sentences (not the seeds); only the
  best of them by macro F there is taken to the whole dev split (872), and only its dev score is
  held against the 0.85 target. The others' dev scores are printed for the record.

Writes benchmarks/results/raw_cloze.json and prints the table.
"""
import argparse
import json
from pathlib import Path
from typing import Any, Dict, List, Sequence

from wasabi import msg

from . import datasets
from .calibration_strength import calibrate, macro_f, split_halves
from .exemplar_orders import seed_examples
from .prior_estimation import argmax_labels
from .report import RESULTS
from .yes_no_labels import quick_teacher, v6_distributions

PATTERNS = {
    "it_was": ("{text} It was", {"POSITIVE": " great", "NEGATIVE": " terrible"}),
    "review": ("Review: {text}\nSentiment:", {"POSITIVE": " positive", "NEGATIVE": " negative"}),
}
TRAIN_SEED = 17


def raw_prompts(pattern: str, texts: Sequence[str], demos: Sequence[Dict[str, Any]]) -> List[str]:
    """Each text in the pattern, after the demonstrations (each answered with its label's word)."""
    form, words = PATTERNS[pattern]
    opening = "".join(form.format(text=d["text"]) + words[d["label"]] + "\n\n" for d in demos)
    return [opening + form.format(text=text) for text in texts]


def next_word_distributions(model: Any, tokenizer: Any, prompts: Sequence[str], words: Sequence[str], batch: int = 16) -> List[List[float]]:
    """Softmax over `words` (one token each) of the model's next-token log-probabilities after each prompt."""
    import torch

    ids = [tokenizer(w).input_ids for w in words]
    if any(len(i) != 1 for i in ids):
        raise ValueError(f"each word must be one token: {dict(zip(words, ids))}")
    out: List[List[float]] = []
    tokenizer.padding_side = "left"
    for start in range(0, len(prompts), batch):
        enc = tokenizer(list(prompts[start:start + batch]), return_tensors="pt", padding=True)
        with torch.no_grad():
            logits = model(**enc).logits[:, -1, :]
        picked = torch.log_softmax(logits, dim=-1)[:, [i[0] for i in ids]]
        out.extend(torch.softmax(picked, dim=-1).tolist())
    return out


def raw_distributions(teacher_path: str, ds: datasets.Dataset, texts: Sequence[str]) -> Dict[str, List[List[float]]]:
    """Uncalibrated label probabilities of each text under the 4 raw variants, in `ds.labels` order."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(teacher_path)
    model = AutoModelForCausalLM.from_pretrained(teacher_path).eval()
    labels, demos = list(ds.labels), seed_examples(ds)
    ways = {}
    for pattern, (_, words) in PATTERNS.items():
        for shots, shown in (("zero", []), ("seeds", demos)):
            msg.text(f"{ds.name}: {pattern}, {shots}-shot, {len(texts)} texts")
            prompts = raw_prompts(pattern, texts, shown)
            ways[f"{pattern}_{shots}"] = next_word_distributions(model, tokenizer, prompts, [words[label] for label in labels])
    return ways


def score(ways: Dict[str, List[List[float]]], gold: List[str], labels: List[str]) -> Dict[str, Dict[str, float]]:
    """Macro F of each way, batch-calibrated per part, on all texts and two fixed halves."""
    rows: Dict[str, Dict[str, float]] = {name: {} for name in ways}
    for part, index in split_halves(len(gold)).items():
        golds = [gold[i] for i in index]
        for name, probs in ways.items():
            rows[name][part] = macro_f(argmax_labels(calibrate([probs[i] for i in index], 1.0), labels), golds, labels)
    return rows


def with_ensemble(ways: Dict[str, List[List[float]]], raw_best: str) -> Dict[str, List[List[float]]]:
    """The ways plus the mean of v6's and `raw_best`'s batch-calibrated probabilities (calibrated again: a no-op on means)."""
    pair = [calibrate(ways[name], 1.0) for name in ("v6", raw_best)]
    return {**ways, "v6_and_raw": [[(a + b) / 2 for a, b in zip(x, y)] for x, y in zip(*pair)]}


def measure_split(ds: datasets.Dataset, samples: List[Any], teacher_path: str, raw_best: str = "") -> Dict[str, Any]:
    """Every candidate's macro F on these samples; the best raw variant here when `raw_best` is unset."""
    texts, gold, labels = [s.text for s in samples], [s.labels[0] for s in samples], list(ds.labels)
    ways = raw_distributions(teacher_path, ds, texts)
    ways["v6"], _ = v6_distributions(ds, texts, teacher_path)
    raw_scores = score({k: v for k, v in ways.items() if k != "v6"}, gold, labels)
    raw_best = raw_best or max(raw_scores, key=lambda k: raw_scores[k]["all"])
    return {"n": len(texts), "raw_best": raw_best, "macro_f": score(with_ensemble(ways, raw_best), gold, labels)}


def measure_v8(data: Path, teacher_path: str, pattern: str = "Review: {text}\nSentiment:", results: Path = RESULTS) -> Dict[str, Any]:
    """The built labeller (`evokd.TextCatLabel.v8` with `plain_pattern`) on SST-2's whole dev
    split, through the teacher cache as a run asks it: does it reproduce the chosen ensemble?"""
    import spacy

    from evokd_spacy.registry import registry

    ds = datasets.load("sst2", data)
    teacher = quick_teacher(ds, teacher_path)
    task = registry.llm_tasks.get("evokd.TextCatLabel.v8")(labels=ds.labels, description=ds.description, plain_pattern=pattern)
    task.set_examples(seed_examples(ds))
    nlp, labels = spacy.blank("en"), list(ds.labels)
    docs = teacher.client.run(task, [nlp.make_doc(s.text) for s in ds.dev], desc="sst2: v8")
    predicted = [max(doc.cats, key=doc.cats.get) for doc in docs]
    gold = [s.labels[0] for s in ds.dev]
    row = {"n": len(gold), "pattern": pattern, "macro_f": {part: macro_f([predicted[i] for i in index], [gold[i] for i in index], labels)
                                                         for part, index in split_halves(len(gold)).items()}}
    path = Path(results) / "raw_cloze.json"
    out = json.loads(path.read_text()) if path.exists() else {}
    out["v8_dev"] = row
    path.write_text(json.dumps(out, indent=2) + "\n")
    msg.table([("evokd.TextCatLabel.v8", row["n"], *(f"{row['macro_f'][p]:.3f}" for p in ("all", "half_1", "half_2")))],
              header=("labelling", "n", "dev", "half 1", "half 2"), divider=True)
    return row


def main(data: Path, teacher_path: str, n_train: int = 500, results: Path = RESULTS) -> Dict[str, Any]:
    """Choose on training sentences, then score the choice (and, for the record, the rest) on dev."""
    ds = datasets.load("sst2", data)
    seeds = {d["text"] for d in seed_examples(ds)}
    train = datasets.cap([s for s in ds.train if s.text not in seeds], n_train, seed=TRAIN_SEED)
    out: Dict[str, Any] = {"train": measure_split(ds, train, teacher_path)}
    chosen = max(out["train"]["macro_f"], key=lambda k: out["train"]["macro_f"][k]["all"])
    out["chosen"] = chosen
    out["dev"] = measure_split(ds, ds.dev, teacher_path, raw_best=out["train"]["raw_best"])
    path = Path(results) / "raw_cloze.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2) + "\n")
    rows = [(way + (" (chosen)" if way == chosen else ""), *(f"{out[s]['macro_f'][way][p]:.3f}" for s in ("train", "dev") for p in ("all", "half_1", "half_2")))
            for way in out["train"]["macro_f"]]
    msg.table(rows, header=("labelling", "train", "half 1", "half 2", "dev", "half 1", "half 2"), divider=True)
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=datasets.ROOT.parent / "shared" / "data")
    parser.add_argument("--teacher-path", default=str(datasets.ROOT / "assets" / "teacher" / "qwen2.5-coder-0.5b-instruct"))
    parser.add_argument("--n-train", type=int, default=500)
    parser.add_argument("--built", action="store_true", help="score evokd.TextCatLabel.v8 (the built labeller) on dev instead")
    args = parser.parse_args()
    if args.built:
        measure_v8(args.data, args.teacher_path)
    else:
        main(args.data, args.teacher_path, args.n_train)
