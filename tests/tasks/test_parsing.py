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


@pytest.mark.parametrize(
    "answer,labels,expected",
    [
        ("not sarcastic", ["NOT_SARCASTIC", "SARCASTIC"], (["NOT_SARCASTIC"], "")),
        ("This text is not positive.", ["POSITIVE", "NEGATIVE"], ([], "negated")),
        ("negative, not positive", ["POSITIVE", "NEGATIVE"], (["NEGATIVE"], "")),
        ("B. Because a reason", ["A", "B"], (["B"], "")),
        ("The answer is:\nNEGATIVE", ["POSITIVE", "NEGATIVE"], (["NEGATIVE"], "")),
        ("```\nPOSITIVE\n```", ["POSITIVE", "NEGATIVE"], (["POSITIVE"], "")),
    ],
)
def test_label_answers_with_negation_label_words_preambles_and_one_letter_labels(answer, labels, expected):
    assert parse_label_answer(answer, labels, exclusive=True) == expected


def test_tagged_lines_with_numbered_tags_and_dashes_and_texts_that_keep_their_quotes_and_acronyms():
    response = ('HARD-1: The plot drags.\nHard-to-classify examples:\n**HARD 2:** The service was slow.\nEASY 1 - Loved it (POSITIVE)\n'
                'EASY: "Go," he said, "now"\nHARD: The World Health Organization (WHO)')
    items, rejects = parse_tagged_lines(response, n_hard=3, n_easy=2, labels=["POSITIVE", "NEGATIVE"])
    assert [i["text"] for i in items] == ["The plot drags.", "The service was slow.", "Loved it", '"Go," he said, "now"',
                                          "The World Health Organization (WHO)"]
    assert rejects == []  # "Hard-to-classify examples:" is a heading, not a text


def test_a_verbalised_text_answer_skips_negated_words():
    from evokd_spacy.tasks.textcat.verbalised_label import make_textcat_label_task_v3

    task = make_textcat_label_task_v3(labels={"POSITIVE": "A positive opinion.", "NEGATIVE": "A negative opinion."})
    assert task.read_text_answer("It is not positive at all; it is negative.") == (["NEGATIVE"], "")


def test_the_last_line_of_a_generation_cut_off_at_the_token_limit_is_dropped():
    from evokd_spacy.llm_io import TeacherResponse
    from evokd_spacy.tasks.request import make_request_doc, result_of
    from evokd_spacy.tasks.textcat.generate import make_textcat_generate_task

    task = make_textcat_generate_task(labels={"POS": "good", "NEG": "bad"}, n_hard=2, n_easy=1)
    answer = "HARD: The plot drags.\nEASY: Loved it.\nHARD: The product arrived on ti"
    docs = [make_request_doc({"target": "POS", "round": 1}) for _ in range(2)]
    cut, whole = list(task.parse_responses(docs, [[TeacherResponse(answer, truncated=True)], [TeacherResponse(answer)]]))
    assert [i["text"] for i in result_of(cut)["items"]] == ["The plot drags.", "Loved it."]
    assert result_of(cut)["rejects"] == [{"line": "HARD: The product arrived on ti", "reason": "cut_off"}]
    assert len(result_of(whole)["items"]) == 3


def test_a_cut_off_answer_is_remembered_by_the_cache(tmp_path):
    from evokd_spacy.llm_io import TeacherResponse
    from evokd_spacy.teachers.cache import TeacherClient

    class CutModel:
        def __call__(self, prompts):
            return [[TeacherResponse("HARD: unfinish", truncated=True)] for _ in prompts]

    client = TeacherClient(CutModel(), {"@llm_models": "cut"}, tmp_path, progress=False)
    assert client.ask(["Write."])[0].truncated
    assert TeacherClient(None, {"@llm_models": "cut"}, tmp_path, progress=False).ask(["Write."])[0].truncated


@pytest.mark.parametrize(
    "response,expected",
    [
        ("**HARD 1**: The plot drags.\n2. **EASY 2**: A wonderful film.", [("hard", "The plot drags."), ("easy", "A wonderful film.")]),
        ("**EASY 1** - Loved it.", [("easy", "Loved it.")]),
        ("### HARD 1: The plot drags.", [("hard", "The plot drags.")]),
        ("**HARD 1:**\nThe plot drags.\n**EASY 1:**\nA wonderful film.", [("hard", "The plot drags."), ("easy", "A wonderful film.")]),
        ("HARD - likely to be misclassified:\n1. I expected to hate it.\n2. Not bad at all.\nEASY - correctly classified:\n1. A wonderful film.",
         [("hard", "I expected to hate it."), ("hard", "Not bad at all."), ("easy", "A wonderful film.")]),
        ("Here are the texts.\n**Hard examples:**\n- I expected to hate it.\n### Easy\n- A wonderful film.",
         [("hard", "I expected to hate it."), ("easy", "A wonderful film.")]),
        ("HARD 1: **The plot drags.**\nHARD 2: *Italic text.*\nEASY 1: *sigh* another sequel", [("hard", "The plot drags."), ("hard", "Italic text."), ("easy", "*sigh* another sequel")]),
    ],
)
def test_markdown_and_section_style_generation_answers_are_read(response, expected):
    items, rejects = parse_tagged_lines(response, n_hard=3, n_easy=2)
    assert [(i["tag"], i["text"]) for i in items] == expected
    assert all(r["reason"] == "unparseable" and "Here are" in r["line"] for r in rejects)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("The charity match (SPORTS, POLITICS)", "The charity match"),
        ("Match report (labels: SPORTS)", "Match report"),
        ("Match report [SPORTS/POLITICS]", "Match report"),
        ('"Match report" -> SPORTS', "Match report"),
        ("Match report — SPORTS", "Match report"),
        ('"Oh great, another Monday." (sarcasm makes it tricky)', "Oh great, another Monday."),
        ("The World Health Organization (WHO)", "The World Health Organization (WHO)"),
        ("He plays sports - politics aside", "He plays sports - politics aside"),
    ],
)
def test_label_notes_and_remarks_are_removed_from_generated_texts(text, expected):
    assert clean_text(text, ["SPORTS", "POLITICS"]) == expected


def test_a_text_rejected_by_the_check_does_not_take_a_place():
    items, rejects = parse_tagged_lines("HARD: copied line\nHARD: a new text", n_hard=1, n_easy=0, check=lambda t: "echo" if "copied" in t else "")
    assert [i["text"] for i in items] == ["a new text"]
    assert rejects == [{"line": "copied line", "reason": "echo"}]


@pytest.mark.parametrize(
    "response,counts,texts,reasons",
    [
        ("Hard examples:\n1. I expected to hate it, and I did not.\n\nWhy these are hard:\n- The first uses a double negation.\n- Sarcasm.",
         {"n_hard": 3, "n_easy": 0}, ["I expected to hate it, and I did not."], ["unparseable"] * 3),
        ("1. Loved it.\n2. Awful.\n\nEach of these:\n- is short\n- is varied", {"n_hard": 0, "n_easy": 0, "n_text": 5},
         ["Loved it.", "Awful."], ["unparseable"] * 3),
        ("**Hard examples:**\nThese are texts the classifier is likely to get wrong.\n1. Oh great, another Monday.\n2. Not bad at all.\n"
         "**Easy examples:**\n1. A wonderful film.", {"n_hard": 2, "n_easy": 1},
         ["Oh great, another Monday.", "Not bad at all.", "A wonderful film."], ["unparseable"]),
        ("Easy examples:\n* Loved every minute.\n* Hard work shows in every scene.\n* Easy listening at its best.", {"n_hard": 0, "n_easy": 3},
         ["Loved every minute.", "Hard work shows in every scene.", "Easy listening at its best."], []),
        ("* Hard to say whether I liked it.\n* Texting during the film ruined it.", {"n_hard": 0, "n_easy": 0, "n_text": 2},
         ["Hard to say whether I liked it.", "Texting during the film ruined it."], []),
        ("**HARD 1:**\n**Hard to believe this won an award.**\n**EASY 1:**\nA wonderful film.", {"n_hard": 1, "n_easy": 1},
         ["Hard to believe this won an award.", "A wonderful film."], []),
        ("**HARD**: **The plot drags.**", {"n_hard": 1, "n_easy": 0}, ["The plot drags."], []),
        ("HARD:\nEASY: Loved it.", {"n_hard": 1, "n_easy": 1}, ["Loved it."], ["empty"]),
    ],
)
def test_headings_sections_and_bold_texts_are_told_apart(response, counts, texts, reasons):
    items, rejects = parse_tagged_lines(response, **counts)
    assert [i["text"] for i in items] == texts
    assert [r["reason"] for r in rejects] == reasons
