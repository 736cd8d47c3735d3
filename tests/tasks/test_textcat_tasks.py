import pytest
import spacy

from evokd_spacy.llm_io import ChoicePrompt, TeacherResponse
from evokd_spacy.tasks.request import make_request_doc, result_of
from evokd_spacy.tasks.textcat.analyse import make_textcat_analyse_task
from evokd_spacy.tasks.textcat.baselines import make_textcat_static_generate_task, make_textcat_static_generate_task_v2
from evokd_spacy.tasks.textcat.generate import make_textcat_generate_task, make_textcat_generate_task_v2
from evokd_spacy.tasks.textcat.label import make_textcat_label_task

LABELS = {"POSITIVE": "the reviewer likes it", "NEGATIVE": "the reviewer dislikes it"}


def test_analysis_prompt_shows_wrong_and_correct_predictions_and_counts():
    task = make_textcat_analyse_task(labels=LABELS, description="Review sentiment.")
    doc = make_request_doc(
        {
            "wrong": [{"text": "Not bad at all.", "gold": "POSITIVE", "pred": "NEGATIVE"}],
            "correct": [{"text": "Loved it.", "gold": "POSITIVE", "pred": "POSITIVE"}],
        }
    )
    [prompt] = list(task.generate_prompts([doc]))
    assert "Review sentiment." in prompt and "the reviewer likes it" in prompt
    assert '"Not bad at all." (true label: POSITIVE; predicted: NEGATIVE)' in prompt
    assert "true POSITIVE, predicted NEGATIVE: 1" in prompt
    assert "Texts it got RIGHT" in prompt and "Loved it." in prompt
    [parsed] = list(task.parse_responses([doc], [["  It misses   negation. "]]))
    assert result_of(parsed)["analysis"] == "It misses negation."


def test_analysis_v2_leaves_the_counts_out_unless_asked_and_is_the_benchmarked_prompt():
    from benchmarks.student_effect import GENERATION_VARIANTS
    from evokd_spacy.tasks.textcat.analyse import make_textcat_analyse_task_v2

    request = {"wrong": [{"text": "Not bad at all.", "gold": "POSITIVE", "pred": "NEGATIVE"}],
               "correct": [{"text": "Loved it.", "gold": "POSITIVE", "pred": "POSITIVE"}]}
    prompt = lambda task: next(iter(task.generate_prompts([make_request_doc(request)])))  # noqa: E731
    plain = prompt(make_textcat_analyse_task_v2(labels=LABELS))
    assert "predicted: NEGATIVE" in plain and "Its mistakes, counted" not in plain
    assert prompt(make_textcat_analyse_task_v2(labels=LABELS, error_counts=True)) == prompt(make_textcat_analyse_task(labels=LABELS))
    free = GENERATION_VARIANTS["generation_v5_free_analysis"]["teacher.analyse"]["template"]
    assert plain == prompt(make_textcat_analyse_task(labels=LABELS, template=free)), "the prompt measured in BENCHMARKS.md"


def test_empty_or_refused_analysis_is_replaced_by_an_error_summary():
    task = make_textcat_analyse_task(labels=LABELS)
    request = {"wrong": [{"text": "x", "gold": "POSITIVE", "pred": "NEGATIVE"}], "correct": []}
    docs = [make_request_doc(request), make_request_doc(request)]
    answers = [[""], ["I'm sorry, but I don't have access to the text. Please provide it."]]
    empty, refused = [result_of(d) for d in task.parse_responses(docs, answers)]
    assert empty["error"] == "empty_response" and refused["error"] == "refusal"
    assert refused["analysis"] == "The classifier got 1 of 1 texts wrong. It predicted NEGATIVE for 1 POSITIVE text(s)."
    assert refused["raw"].startswith("I'm sorry")
    advice = "The classifier misses sarcasm and negation. Please provide more sarcastic examples."
    curly = "I’m sorry, but I can’t help with that."
    kept, refused_curly = [result_of(d) for d in task.parse_responses([make_request_doc(request), make_request_doc(request)], [[advice], [curly]])]
    assert kept["error"] == "" and kept["analysis"] == advice and refused_curly["error"] == "refusal"


def test_generation_prompt_asks_for_hard_and_easy_texts_of_the_target():
    task = make_textcat_generate_task(labels=LABELS, description="Review sentiment.", n_hard=3, n_easy=1)
    doc = make_request_doc({"analysis": "It misses negation.", "target": "POSITIVE", "examples": [{"text": "Great.", "label": "POSITIVE"}]})
    [prompt] = list(task.generate_prompts([doc]))
    assert "It misses negation." in prompt
    assert "whose correct label is POSITIVE" in prompt
    assert "3 HARD ones" in prompt and "1 EASY ones" in prompt
    [parsed] = list(task.parse_responses([doc], [["HARD: Not bad.\nnonsense\nEASY: Superb."]]))
    result = result_of(parsed)
    assert [(i["text"], i["tag"], i["target"]) for i in result["items"]] == [
        ("Not bad.", "hard", "POSITIVE"),
        ("Superb.", "easy", "POSITIVE"),
    ]
    assert result["rejects"] == [{"line": "nonsense", "reason": "unparseable"}]


@pytest.mark.parametrize("make_v1,make_v2", [
    (make_textcat_generate_task, make_textcat_generate_task_v2),
    (make_textcat_static_generate_task, make_textcat_static_generate_task_v2),
])
def test_generation_v2_asks_a_multi_label_task_for_texts_whose_labels_include_the_target(make_v1, make_v2):
    doc = make_request_doc({"analysis": "", "target": "POSITIVE", "examples": []})
    v1, v2 = make_v1(labels=LABELS), make_v2(labels=LABELS)
    assert list(v2.generate_prompts([doc])) == list(v1.generate_prompts([doc])), "an exclusive task keeps v1's prompt"
    v1.exclusive = v2.exclusive = False
    [prompt] = list(v2.generate_prompts([doc]))
    assert "texts whose labels include POSITIVE" in prompt and "correct label" not in prompt
    assert "whose correct label is POSITIVE" in list(v1.generate_prompts([doc]))[0], "a released version's prompt is unchanged"


def test_teacher_output_with_template_syntax_stays_inert():
    task = make_textcat_generate_task(labels=LABELS)
    doc = make_request_doc({"analysis": "{{ 7 * 7 }} {% for x in range(3) %}x{% endfor %}"})
    [prompt] = list(task.generate_prompts([doc]))
    assert "{{ 7 * 7 }}" in prompt and "49" not in prompt


def test_label_prompt_is_a_choice_prompt_and_scores_become_confidence():
    nlp = spacy.blank("en")
    task = make_textcat_label_task(labels=LABELS, description="Review sentiment.")
    doc = nlp("The battery died after a day.")
    [prompt] = list(task.generate_prompts([doc]))
    assert isinstance(prompt, ChoicePrompt) and prompt.choices == ("POSITIVE", "NEGATIVE")
    assert "Text: The battery died after a day." in prompt
    response = TeacherResponse("NEGATIVE", scores={"POSITIVE": -3.0, "NEGATIVE": -0.1})
    [doc] = list(task.parse_responses([doc], [[response]]))
    assert doc.cats == {"POSITIVE": 0.0, "NEGATIVE": 1.0}
    result = result_of(doc)
    assert result["labels"] == ["NEGATIVE"] and 0.9 < result["confidence"] < 1.0


def test_label_task_reads_text_answers_from_any_model():
    nlp = spacy.blank("en")
    task = make_textcat_label_task(labels=LABELS)
    docs = list(task.parse_responses([nlp("a"), nlp("b")], [["positive"], ["no idea"]]))
    assert docs[0].cats["POSITIVE"] == 1.0
    assert result_of(docs[1])["error"] == "off_label" and docs[1].cats == {"POSITIVE": 0.0, "NEGATIVE": 0.0}


def test_label_task_learns_labels_at_run_time_like_spacy_llm_tasks():
    task = make_textcat_label_task()
    assert task.labels == ()
    task.add_label("A", "first")
    task.add_label("B")
    assert task.labels == ("A", "B")
    task.clear()
    assert task.labels == ()


def test_custom_template_file_is_used(tmp_path):
    path = tmp_path / "mine.jinja"
    path.write_text("Classify: {{ text }} as one of {{ labels | join(', ') }}")
    task = make_textcat_label_task(labels=LABELS, template=str(path))
    [prompt] = list(task.generate_prompts([spacy.blank("en")("hi")]))
    assert prompt.strip() == "Classify: hi as one of POSITIVE, NEGATIVE"


def test_generated_lines_that_echo_the_prompt_are_rejected():
    task = make_textcat_generate_task(labels=LABELS, description="Review sentiment.", n_hard=2, n_easy=1, max_examples=1)
    doc = make_request_doc({"analysis": "It misses negation.", "target": "POSITIVE", "examples": [{"text": "Great value for the money overall.", "label": "POSITIVE"}]})
    response = "HARD 1: Great value for the money overall.\nHARD 2: It misses negation.\nEASY 1: A charming, well-acted little film."
    [parsed] = list(task.parse_responses([doc], [[response]]))
    result = result_of(parsed)
    assert [i["text"] for i in result["items"]] == ["A charming, well-acted little film."]
    assert [r["reason"] for r in result["rejects"]] == ["echo", "echo"]


def test_a_short_text_that_is_only_a_phrase_of_a_prompt_line_is_not_an_echo():
    labels = {"POSITIVE": "A positive review.", "NEGATIVE": "A negative review: the writer would not recommend it to anyone."}
    task = make_textcat_generate_task(labels=labels, description="Review sentiment.", n_hard=2, n_easy=0)
    doc = make_request_doc({"analysis": "The classifier mislabels negation such as 'not bad at all' and sarcasm.", "target": "NEGATIVE"})
    response = "HARD 1: Would not recommend it.\nHARD 2: Not bad at all.\nHARD 3: The classifier mislabels negation such as not bad at all and sarcasm."
    result = result_of(next(iter(task.parse_responses([doc], [[response]]))))
    assert [i["text"] for i in result["items"]] == ["Would not recommend it.", "Not bad at all."]
    assert [r["reason"] for r in result["rejects"]] == ["echo"]


def test_a_text_given_two_labels_is_as_confident_as_the_two_together():
    import math

    labels = {"SPORTS": "", "POLITICS": "", "TECH": ""}
    task = make_textcat_label_task(labels=labels, exclusive=False)
    scores = {"SPORTS": math.log(0.5), "POLITICS": math.log(0.45), "TECH": math.log(0.05)}
    [doc] = list(task.parse_responses([spacy.blank("en")("The minister opened the match.")], [[TeacherResponse("", scores=scores)]]))
    result = result_of(doc)
    assert result["labels"] == ["SPORTS", "POLITICS"] and abs(result["confidence"] - 0.95) < 1e-6


def test_text_answers_read_the_label_line_not_the_echoed_input_and_every_line_of_a_label_list():
    from evokd_spacy.tasks.parsing import parse_label_answer
    from evokd_spacy.tasks.textcat.verbalised_label import make_textcat_label_task_v3

    text = "I expected a positive experience but it was dull."
    assert parse_label_answer(f"Text: {text}\nLabel: NEGATIVE", ["POSITIVE", "NEGATIVE"], True, text) == (["NEGATIVE"], "")
    assert parse_label_answer(f'"{text}"\nNEGATIVE', ["POSITIVE", "NEGATIVE"], True, text) == (["NEGATIVE"], "")
    assert parse_label_answer("Here they are:\n- SPORTS\n- POLITICS\nThe text is about a match.", ["SPORTS", "POLITICS", "TECH"], False) == (["SPORTS", "POLITICS"], "")
    assert parse_label_answer("SPORTS\nPOLITICS", ["SPORTS", "POLITICS", "TECH"], False) == (["SPORTS", "POLITICS"], "")
    assert parse_label_answer("SPORTS\nIt is not about tech or politics.", ["SPORTS", "POLITICS", "TECH"], False) == (["SPORTS"], "")
    v3 = make_textcat_label_task_v3(labels={"POSITIVE": "A positive opinion.", "NEGATIVE": "A negative opinion."})
    assert v3.read_text_answer("Although it has positive aspects, overall it's negative.") == ([], "ambiguous")
    assert v3.read_text_answer('The text "A positive surprise? Hardly." is negative.', "A positive surprise? Hardly.") == (["NEGATIVE"], "")
