from evokd_spacy.loop.filters import count_reasons, filter_labelled, items_to_samples, normalise
from evokd_spacy.ty import TaskSpec

SPEC = TaskSpec(kind="textcat", description="", labels={"POS": "", "NEG": ""})


def item(text, labels=("POS",), **extra):
    return {"text": text, "labels": list(labels), "tag": "hard", "target": "POS", **extra}


def test_normalise_ignores_case_spacing_and_punctuation():
    assert normalise("  Great,   movie!! ") == normalise("great movie")


def test_every_kind_of_bad_sample_is_dropped_with_its_reason():
    items = [
        item("Fine text"),
        item("fine text!"),  # duplicate within the batch
        item("Seen before"),  # duplicate of earlier data
        item("A dev sentence."),  # leaks into dev
        item("   "),
        item("Wrong label", labels=("MAYBE",)),
        item("No label", labels=()),
        item("Unsure", confidence=0.2),
        item("Teacher failed", label_error="empty_response"),
        item("Other label", labels=("NEG",)),
    ]
    kept, dropped = filter_labelled(
        items, SPEC, known={normalise("seen before")}, held_out={normalise("a dev sentence")}, min_confidence=0.5,
        require_target_agreement=True,
    )
    assert [k["text"] for k in kept] == ["Fine text"]
    assert count_reasons(dropped) == {
        "duplicate": 2,
        "leak": 1,
        "empty": 1,
        "off_label": 2,
        "low_confidence": 1,
        "empty_response": 1,
        "disagree": 1,
    }


def test_kept_items_become_samples_with_provenance():
    [sample] = items_to_samples([item("Good", prompt="P", response="R", label_prompt="LP", label_response="POS")], r=3)
    assert sample.round == 3 and sample.tag == "hard" and sample.labels == ["POS"]
    assert sample.meta == {"prompt": "P", "response": "R", "label_prompt": "LP", "label_response": "POS"}
