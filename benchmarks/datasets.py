"""The benchmark corpora in `../shared/data`, read from their original formats into Samples.

Each dataset gives train, dev and test splits, label descriptions and a task description. TREC-6
has no dev split: a fixed 10% of its training set is held out as dev (never the test set, which
is only scored, never used to choose settings).
"""
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List

from evokd_spacy.data.readers import read_samples
from evokd_spacy.ty import Sample

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Dataset:
    """One benchmark corpus."""

    name: str
    kind: str  # "textcat" or "ner"
    description: str
    labels: Dict[str, str]
    train: List[Sample]
    dev: List[Sample]
    test: List[Sample]


def _prefixed(path: Path, encoding: str, label_of: Callable[[str], str]) -> List[Sample]:
    samples = []
    for line in path.read_text(encoding=encoding).splitlines():
        if line.strip():
            head, text = line.split(" ", 1)
            samples.append(Sample(text=text.strip(), labels=[label_of(head)]))
    return samples


def load_sst2(data: Path) -> Dataset:
    """SST-2 sentences, `<0|1> <text>` a line."""
    name = {"0": "NEGATIVE", "1": "POSITIVE"}
    split = {s: _prefixed(data / "sst2" / f"stsa.binary.{s}", "utf8", name.__getitem__) for s in ("train", "dev", "test")}
    labels = {"POSITIVE": "The sentence expresses a positive opinion of a film.", "NEGATIVE": "The sentence expresses a negative opinion of a film."}
    return Dataset("sst2", "textcat", "Decide whether a sentence from a film review is positive or negative.", labels, **split)


def load_trec(data: Path) -> Dataset:
    """TREC-6 questions (ISO-8859-1), `COARSE:fine <question>` a line; dev = 10% of train."""
    train = _prefixed(data / "trec" / "TREC.train", "latin-1", lambda head: head.split(":")[0])
    test = _prefixed(data / "trec" / "TREC.test", "latin-1", lambda head: head.split(":")[0])
    rng = random.Random(0)
    order = list(range(len(train)))
    rng.shuffle(order)
    held = set(order[: len(train) // 10])
    labels = {
        "ABBR": "The question asks for an abbreviation or what one stands for.",
        "DESC": "The question asks for a description, definition, manner or reason.",
        "ENTY": "The question asks for an entity: an animal, colour, food, product, term, event and the like.",
        "HUM": "The question asks for a person or group of people.",
        "LOC": "The question asks for a location: a city, country, mountain, state and the like.",
        "NUM": "The question asks for a number: a count, date, distance, money, speed and the like.",
    }
    return Dataset(
        "trec", "textcat", "Decide what type of answer a question asks for.", labels,
        train=[s for i, s in enumerate(train) if i not in held], dev=[s for i, s in enumerate(train) if i in held], test=test,
    )


def load_emotion(data: Path) -> Dataset:
    """TweetEval emotion: line-aligned `{split}_text.txt` and `{split}_labels.txt`."""
    folder = data / "tweeteval_emotion"
    names = dict(line.split("\t") for line in (folder / "mapping.txt").read_text().splitlines() if line.strip())

    def split(name: str) -> List[Sample]:
        texts = (folder / f"{name}_text.txt").read_text(encoding="utf8").splitlines()
        labels = (folder / f"{name}_labels.txt").read_text(encoding="utf8").splitlines()
        return [Sample(text=t.strip(), labels=[names[lab.strip()]]) for t, lab in zip(texts, labels) if t.strip()]

    labels = {
        "anger": "The tweet expresses anger, annoyance or rage.",
        "joy": "The tweet expresses joy, happiness or amusement.",
        "optimism": "The tweet expresses optimism, hope or confidence about the future.",
        "sadness": "The tweet expresses sadness, disappointment or grief.",
    }
    return Dataset("emotion", "textcat", "Decide which emotion a tweet expresses.", labels, split("train"), split("val"), split("test"))


def load_wnut17(data: Path) -> Dataset:
    """WNUT-17 emerging entities, CoNLL BIO files."""
    import srsly

    split = {s: read_samples(str(data / "wnut17" / f"{s}.conll"), f"wnut17/{s}", allow_empty=True) for s in ("train", "dev", "test")}
    labels = srsly.read_json(ROOT / "assets" / "ner" / "wnut17_labels.json")
    return Dataset("wnut17", "ner", "Find the named entities in social media posts.", labels, **split)


LOADERS: Dict[str, Callable[[Path], Dataset]] = {"sst2": load_sst2, "trec": load_trec, "emotion": load_emotion, "wnut17": load_wnut17}


def load(name: str, data: Path) -> Dataset:
    """The dataset called `name` from the data directory."""
    if name not in LOADERS:
        raise SystemExit(f"Unknown dataset {name!r}: use one of {', '.join(LOADERS)}")
    return LOADERS[name](Path(data))


def cap(samples: List[Sample], n: int, seed: int = 0) -> List[Sample]:
    """A fixed random subset of at most n samples (n <= 0: all)."""
    if n <= 0 or len(samples) <= n:
        return list(samples)
    rng = random.Random(seed)
    return rng.sample(list(samples), n)
