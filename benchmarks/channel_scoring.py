"""Noisy-channel labelling against the default labeller, teacher alone (issue #9, session 12).

    python -m benchmarks.channel_scoring [--datasets sst2 trec] [--n 100]

The default labellers ask which label a text has: P(label | text). A channel labeller (Min et
al., 2022, "Noisy Channel Language Model Prompting for Few-Shot Text Classification") asks how
likely the text is as an example of each label: P(text | label). Each label gets one prompt (the
task description, the label's name and description, "Write one example text with this label.")
and the teacher scores every dev text as the answer to it, reusing the prompt's key/value cache.
The label whose prompt makes the text most likely wins; `centred` first subtracts each label's
mean over the texts (batch calibration, as v5 does). Zero-shot, on the same dev subset as
`benchmarks.teacher_techniques` (never test), whose v5 score is shown beside it. Writes
benchmarks/results/channel_scoring.json.
"""
import argparse
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import srsly
from wasabi import msg

from evokd_spacy.llm_io import ChoicePrompt

from . import datasets
from .calibration_strength import macro_f
from .report import RESULTS
from .teacher_techniques import dev_subset

CHUNK = 20  # texts scored in one padded batch after a label prompt


def label_prompt(description: str, label: str, label_description: str) -> str:
    """The prompt whose answer is scored: an example text of `label`."""
    return f"{description}\nLabel: {label}. {label_description}\nWrite one example text with this label."


def channel_scores(model: Any, prompts: Sequence[str], texts: Sequence[str]) -> List[List[float]]:
    """log P(text | prompt) for every text (rows) and prompt (columns), from the teacher's choice scoring."""
    columns = []
    for prompt in prompts:
        scores: Dict[str, float] = {}
        for start in range(0, len(texts), CHUNK):
            chunk = list(dict.fromkeys(texts[start:start + CHUNK]))
            [[answer]] = list(model([[ChoicePrompt(prompt, chunk)]]))
            scores.update(answer.scores)
        columns.append([scores[text] for text in texts])
    return [list(row) for row in zip(*columns)]


def predict(scores: List[List[float]], labels: Sequence[str], centred: bool) -> List[str]:
    """The best-scoring label of each row; `centred` subtracts each column's mean first."""
    means = [sum(col) / len(col) for col in zip(*scores)] if centred else [0.0] * len(labels)
    return [labels[max(range(len(labels)), key=lambda j: row[j] - means[j])] for row in scores]


def measure(names: List[str], n: int, data: Path, teacher_path: str, threads: Optional[int] = None) -> Dict[str, Any]:
    """Channel macro F (raw and centred) per dataset, beside v5's on the same texts."""
    from evokd_spacy.teachers.local import make_local_hf_model_v2

    model = make_local_hf_model_v2(path=teacher_path, config={"do_sample": False}, threads=threads)
    earlier = srsly.read_json(RESULTS / "teacher_techniques.json")
    results = {}
    for name in names:
        ds = datasets.load(name, data)
        dev = dev_subset(ds.dev, n, "a")
        labels = list(ds.labels)
        prompts = [label_prompt(ds.description, label, ds.labels[label]) for label in labels]
        msg.info(f"{name}: channel scoring of {len(dev)} dev texts under {len(labels)} label prompts")
        scores = channel_scores(model, prompts, [s.text for s in dev])
        gold = [s.labels[0] for s in dev]
        results[name] = {
            "n": len(dev),
            "channel": macro_f(predict(scores, labels, False), gold, labels),
            "channel_centred": macro_f(predict(scores, labels, True), gold, labels),
            "v5_batch": earlier.get(name, {}).get(f"cloze_batch@{n}", {}).get("score"),
        }
    srsly.write_json(RESULTS / "channel_scoring.json", results)
    rows = [(name, r["n"], f"{r['channel']:.3f}", f"{r['channel_centred']:.3f}", r["v5_batch"] and f"{r['v5_batch']:.3f}") for name, r in results.items()]
    msg.table(rows, header=("dataset", "n", "channel", "channel, centred", "v5 (batch calibration)"), divider=True)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="*", default=["sst2", "trec"])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--data", type=Path, default=datasets.ROOT.parent / "shared" / "data")
    parser.add_argument("--teacher-path", default=str(datasets.ROOT / "assets" / "teacher" / "qwen2.5-coder-0.5b-instruct"))
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's)")
    args = parser.parse_args()
    measure(args.datasets, args.n, args.data, args.teacher_path, args.threads)
