"""A small unlabelled pool built from the scripted teacher's lexicon."""
import json
import random
from pathlib import Path

import pytest

from tests.conftest import ASSETS, LEXICON, NER_ASSETS, NER_LEXICON


def pool_texts(lexicon, n: int = 40, seed: int = 3):
    """Texts that mix lexicon words of different labels in varying proportions."""
    rng = random.Random(seed)
    labels = list(lexicon)
    texts = []
    for i in range(n):
        words = [rng.choice(lexicon[labels[i % len(labels)]]) for _ in range(1 + i % 3)]
        words += [rng.choice(lexicon[labels[(i + 1) % len(labels)]]) for _ in range(i % 2)]
        texts.append(f"item {i} was {' and '.join(words)} overall")
    return texts


@pytest.fixture
def textcat_pool(tmp_path: Path) -> Path:
    """JSONL pool: 40 texts, one duplicate and one dev text (both must be left out)."""
    dev_text = json.loads((ASSETS / "dev.jsonl").read_text().splitlines()[0])["text"]
    texts = pool_texts(LEXICON)
    rows = [{"text": t, "label": "IGNORED"} for t in texts + [texts[0], dev_text]]
    path = tmp_path / "pool.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


@pytest.fixture
def ner_pool(tmp_path: Path) -> Path:
    """Plain-text pool for NER (one sentence a line)."""
    path = tmp_path / "pool.txt"
    path.write_text("\n".join(pool_texts(NER_LEXICON, n=12)) + "\n")
    return path


__all__ = ["NER_ASSETS"]
