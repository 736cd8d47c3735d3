import pytest

from evokd_spacy.tasks.parsing import clean_text, parse_label_answer, parse_tagged_lines


def test_tagged_lines_are_read_with_markers_and_quotes():
    response = 'HARD: "It was fine, I guess."\n2. EASY: Loved every minute.\n- **HARD**: Not bad at all.'
    items, rejects = parse_tagged_lines(response, n_hard=2, n_easy=1)
    assert items == [
        {"text": "It was fine, I guess.", "tag": "hard"},
        {"text": "Loved every minute.", "tag": "easy"},
        {"text": "Not bad at all.", "tag": "hard"},
    ]
    assert rejects == []


@pytest.mark.parametrize(
    "response,reason",
    [
        ("", "empty_response"),
        ("   \n ", "empty_response"),
        ("Sure! Here are your texts:", "unparseable"),
        ("HARD: <a hard text>", "empty"),
        ("HARD:    ", "empty"),
        ("HARD: " + "x" * 2000, "too_long"),
        ("HARD", "unparseable"),  # an answer cut short before its text
    ],
)
def test_malformed_generation_is_rejected_with_a_reason(response, reason):
    items, rejects = parse_tagged_lines(response, n_hard=1, n_easy=1)
    assert items == []
    assert [r["reason"] for r in rejects] == [reason]


def test_surplus_lines_beyond_the_requested_counts_are_dropped():
    items, rejects = parse_tagged_lines("EASY: one\nEASY: two\nEASY: three", n_hard=0, n_easy=2)
    assert [i["text"] for i in items] == ["one", "two"]
    assert rejects == [{"line": "EASY: three", "reason": "surplus"}]


def test_clean_text_strips_quotes_and_spacing():
    assert clean_text('  "a   b"  ') == "a b"


@pytest.mark.parametrize(
    "answer,labels,error",
    [
        ("POSITIVE", ["POSITIVE"], ""),
        ("Label: negative.", ["NEGATIVE"], ""),
        ("", [], "empty_response"),
        ("I think it is neutral", [], "off_label"),
        ("POSITIVE or NEGATIVE", [], "ambiguous"),
        ("NONPOSITIVE", [], "off_label"),
        ("POSI", [], "off_label"),  # an answer cut short
    ],
)
def test_label_answer_parsing(answer, labels, error):
    assert parse_label_answer(answer, ["POSITIVE", "NEGATIVE"], exclusive=True) == (labels, error)


def test_multilabel_answer_keeps_every_label_in_order():
    assert parse_label_answer("SPORT, POLITICS", ["POLITICS", "SPORT", "ART"], exclusive=False) == (["SPORT", "POLITICS"], "")
