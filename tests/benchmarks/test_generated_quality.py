"""Generated-text quality: counted from the kept rows a run saved, independent of the student."""
import srsly

from benchmarks.generated_quality import distinct_bigrams, generated_quality, mean_nearest_similarity
from evokd_spacy.loop.state import RunFolder


def row(text, labels, tag="hard", target=None):
    return {"text": text, "labels": labels, "tag": tag, "target": target}


def test_counts_only_generated_rows_and_agreement_with_their_target(tmp_path):
    folder = RunFolder(tmp_path / "training", tmp_path / "corpus")
    folder.corpus.mkdir(parents=True)
    srsly.write_jsonl(folder.round_jsonl(1), [
        row("a film that works", ["POS"], target="POS"),
        row("a film that fails", ["NEG"], target="POS"),  # the labeller disagreed with the target
        row("seed text", ["POS"], tag="seed"),
        row("from the pool", ["NEG"], tag="pool"),
    ])
    srsly.write_jsonl(folder.round_jsonl(2), [row("dull and long", ["NEG"], tag="easy", target="NEG")])
    quality = generated_quality(folder, rounds=2)
    assert quality["kept"] == 3
    assert quality["target_agreement"] == round(2 / 3, 3)
    assert quality["mean_words"] == round((4 + 4 + 3) / 3, 1)
    assert generated_quality(folder, rounds=1)["kept"] == 2, "rounds after `rounds` are not counted"


def test_no_targets_and_no_rows_give_no_agreement(tmp_path):
    folder = RunFolder(tmp_path / "training", tmp_path / "corpus")
    assert generated_quality(folder, rounds=2) == {"kept": 0, "target_agreement": None, "distinct_2": 0.0,
                                                   "nearest_similarity": 0.0, "mean_words": 0.0}


def test_repeated_texts_lower_distinct_bigrams_and_raise_nearest_similarity():
    varied = ["the plot is thin", "a warm and funny story", "acting could not save it"]
    repeated = ["the plot is thin", "the plot is thin indeed", "the plot is very thin"]
    assert distinct_bigrams(varied) == 1.0 and distinct_bigrams(repeated) < 1.0
    assert mean_nearest_similarity(varied) == 0.0
    assert 0.0 < mean_nearest_similarity(repeated) < 1.0
    assert mean_nearest_similarity(["the plot is thin"] * 2) == 1.0
    assert mean_nearest_similarity(["only one"]) == 0.0
