import json

import pytest
import spacy

from evokd_spacy.llm_io import EntityListPrompt, GreedyPrompt
from evokd_spacy.tasks.ner.align import align_entities
from evokd_spacy.tasks.ner.analyse import count_error_kinds, make_ner_analyse_task
from evokd_spacy.tasks.ner.label import make_ner_label_task, make_ner_label_task_v2
from evokd_spacy.tasks.ner.parse import parse_entities
from evokd_spacy.tasks.request import make_request_doc, result_of

LABELS = ["DISH", "INGREDIENT"]
nlp = spacy.blank("en")


def ents(*pairs):
    return [{"text": t, "label": lab} for t, lab in pairs]


def test_every_occurrence_of_a_repeated_entity_is_labelled():
    doc = nlp("Garlic, garlic and more garlic on the ramen.")
    spans, drops = align_entities(doc, ents(("garlic", "INGREDIENT"), ("ramen", "DISH")), LABELS)
    assert [doc.text[s:e] for s, e, _ in spans] == ["garlic", "garlic", "ramen"]
    assert drops == []


def test_a_string_named_with_two_labels_labels_its_occurrences_in_order_or_none_of_them():
    from evokd_spacy.tasks.ner.kind import unsure_ranges
    from evokd_spacy.ty import Sample

    labels = ["PER", "LOC"]
    doc = nlp("Washington flew to Washington today.")
    spans, drops = align_entities(doc, ents(("Washington", "PER"), ("Washington", "LOC")), labels)
    assert spans == [[0, 10, "PER"], [19, 29, "LOC"]] and drops == []
    spans, drops = align_entities(doc, ents(("Washington", "PER"), ("washington", "LOC")), labels)
    assert spans == [[0, 10, "PER"], [19, 29, "LOC"]] and drops == [], "a case variant names the same string"
    doc = nlp("Washington flew to Washington and Washington again.")
    spans, drops = align_entities(doc, ents(("Washington", "PER"), ("Washington", "LOC")), labels)
    assert spans == [] and [d["reason"] for d in drops] == ["two_labels", "two_labels"]
    unsure = unsure_ranges(Sample(text=doc.text, labels=[], meta={"entity_drops": drops}))
    assert set(map(tuple, unsure)) == {(0, 10), (19, 29), (34, 44)}, "training leaves them unannotated"


def test_case_insensitive_match_only_when_no_exact_one_and_punctuation_is_not_included():
    doc = nlp("Pad Thai, then basil.")
    spans, _ = align_entities(doc, ents(("pad thai", "dish"), ("basil", "INGREDIENT")), LABELS)
    assert spans == [[0, 8, "DISH"], [15, 20, "INGREDIENT"]]


@pytest.mark.parametrize(
    "text,surfaces",
    [
        ("The crème brûlée had jalapeño in it?!", ("crème brûlée", "jalapeño")),  # unicode
        ("Apple Inc. hired a U.S. engineer.", ("Apple Inc.", "U.S.")),  # a full stop kept where its token has it
    ],
)
def test_entities_align_whole(text, surfaces):
    doc = nlp(text)
    spans, drops = align_entities(doc, ents((surfaces[0], "DISH"), (surfaces[1], "INGREDIENT")), LABELS)
    assert [doc.text[s:e] for s, e, _ in spans] == list(surfaces) and drops == []


def test_bad_entities_are_dropped_with_reasons_and_the_rest_kept():
    doc = nlp("The garlic bread came with aioli.")
    spans, drops = align_entities(
        doc,
        ents(("garlic bread", "DISH"), ("garlic", "INGREDIENT"), ("salt", "INGREDIENT"), ("aioli", "SAUCE"), ("gar", "INGREDIENT"), ("", "DISH")),
        LABELS,
    )
    assert spans == [[4, 16, "DISH"]]
    assert [d["reason"] for d in drops] == ["overlap", "not_in_text", "unknown_label", "inside_word", "empty_entity"]


def test_an_entity_written_otherwise_than_the_text_is_found_as_the_text_writes_it():
    doc = nlp("We had pho at Lê’s Café  Saigon, then crème brûlée.")
    spans, drops = align_entities(doc, ents(("Le's Cafe Saigon", "DISH"), ("creme brulee", "DISH"), ("Saig", "DISH")), LABELS)
    assert [doc.text[s:e] for s, e, _ in spans] == ["Lê’s Café  Saigon", "crème brûlée"]
    assert [d["reason"] for d in drops] == ["inside_word"]  # a part of a word is not a match


def test_trailing_punctuation_is_stripped_and_a_split_inside_a_token_is_misaligned():
    doc = nlp("I love the hot-dog. The U.K. has none.")
    spans, drops = align_entities(doc, ents(("hot-dog.", "DISH"), ("U.K", "DISH")), LABELS)
    assert spans == [[11, 18, "DISH"]] and [d["reason"] for d in drops] == ["misaligned"]


def test_in_text_without_spaces_an_entity_is_kept_where_it_falls_on_the_languages_tokens():
    text = "我喜欢北京烤鸭和豆腐。北京烤鸭!"
    doc = spacy.blank("zh").make_doc(text)  # one token a character
    spans, drops = align_entities(doc, ents(("北京烤鸭", "DISH"), ("豆腐", "INGREDIENT")), LABELS)
    assert [text[s:e] for s, e, _ in spans] == ["北京烤鸭", "豆腐", "北京烤鸭"] and drops == []
    # split by the English tokenizer (one token) they are off its tokens: left unsure, not "not in the text"
    spans, drops = align_entities(nlp.make_doc(text), ents(("豆腐", "INGREDIENT"),), LABELS)
    assert spans == [] and [d["reason"] for d in drops] == ["misaligned"]
    # a spaced script keeps the whole-word rule, also next to Chinese characters
    doc = nlp.make_doc("The pho on my phone, 用Apple手机")
    spans, drops = align_entities(doc, ents(("pho", "DISH"), ("Apple", "DISH")), LABELS)
    assert [doc.text[s:e] for s, e, _ in spans] == ["pho"] and [d["reason"] for d in drops] == ["misaligned"]


@pytest.mark.parametrize("text,entity,kept", [
    ("我买了5G手机", "手机", "手机"),  # next to a Latin letter or a digit
    ("2008奥运会在北京举行", "奥运会", "奥运会"),
    ("我喜欢北京烤鸭。", "北京烤鸭。", "北京烤鸭"),  # full-width punctuation and quotes are not part of it
    ("我喜欢「北京烤鸭」", "「北京烤鸭」", "北京烤鸭"),
])
def test_chinese_entities_next_to_latin_letters_digits_or_full_width_punctuation(text, entity, kept):
    doc = spacy.blank("zh").make_doc(text)
    spans, drops = align_entities(doc, ents((entity, "DISH"),), LABELS)
    assert [text[s:e] for s, e, _ in spans] == [kept] and drops == []


@pytest.mark.parametrize("text,entity,spans", [
    ("The U.S.A. and the U.S. agreed", "U.S.", [[19, 23]]),  # not also inside U.S.A.
    ("I code in ASP.NET and .NET", ".NET", [[22, 26]]),
])
def test_an_english_entity_with_punctuation_at_its_edge_is_not_found_inside_a_longer_word(text, entity, spans):
    found, drops = align_entities(nlp.make_doc(text), ents((entity, "DISH"),), LABELS)
    assert [s[:2] for s in found] == spans and drops == []


def test_folding_drops_latin_accents_but_not_japanese_voicing_or_thai_tone_marks():
    from evokd_spacy.tasks.ner.align import _occurrences

    assert _occurrences("São Paulo", "Sao Paulo") == [(0, 9)]
    assert _occurrences("私はガラスが好き", "カラス") == []  # ガラス (glass) is not カラス (crow)
    assert _occurrences("ข้าว", "ขาว") == []
    assert _occurrences("زرت القَاهِرَة أمس", "القاهرة") == [(4, 14)]  # Arabic vowel points are left out in writing


@pytest.mark.parametrize(
    "response,expected,error",
    [
        ('[{"text": "ramen", "label": "DISH"}]', [("ramen", "DISH")], ""),
        ('Entities: [["basil", "INGREDIENT"]] hope this helps', [("basil", "INGREDIENT")], ""),
        ('[{"entity": "miso", "type": "INGREDIENT"}]', [("miso", "INGREDIENT")], ""),
        ("[]", [], ""),
        ("- ramen | DISH\n- basil (INGREDIENT)", [("ramen", "DISH"), ("basil", "INGREDIENT")], ""),
        ("There are no entities.", [], ""),
        ("", [], "empty_response"),
        ("I like food", [], "unparseable"),
        ('[{"text": "ramen", "label": "DISH"', [], "unparseable"),
        # read in full or an error, never "no entities" (NER keeps sentences without entities)
        ('{"ORG": ["Apple", "Google"]}', [("Apple", "ORG"), ("Google", "ORG")], ""),
        ('{"entities": [{"name": "Apple", "type": "ORG"}]}', [("Apple", "ORG")], ""),
        ('[{"entity": "ORG", "word": "Apple"}]', [("Apple", "ORG")], ""),
        ("[{'text': 'Apple', 'label': 'ORG'}]", [("Apple", "ORG")], ""),
        ('[{"text": "Apple", "label": "ORG"}]\nNote: labels are from [ORG, PER].', [("Apple", "ORG")], ""),
        ("```json\n[]\n```", [], ""),
        ('["Apple", "Google"]', [], "unparseable"),
        ('[{"text": null, "label": "ORG"}, {"text": "Apple", "label": "ORG"}]', [], "unparseable"),
        ("Apple: ORG\nTim Cook: PER\nNone of the other words are entities.", [], "unparseable"),
        ("ramen | DISH\nTim Cook: PER", [], "unparseable"),  # lines read in part: the rest would be taught as not entities
        ("- ramen | DISH\n- basil | INGREDIENT2", [], "unparseable"),
        ("Entities:\n- ramen | DISH\n\n- basil (INGREDIENT)", [("ramen", "DISH"), ("basil", "INGREDIENT")], ""),  # a heading
        ("```\nramen | DISH\n```", [("ramen", "DISH")], ""),
        ('[{"text": "Obama", "label": "PER"}, {"text": "Paris", "label": "LOC"}, {"text": "Berl', [], "unparseable"),  # cut off
        ('Here: [{"text": "Paris", "label": "LOC"}, {"text": "London" "label": "LOC"}]', [], "unparseable"),  # no inner object as the answer
        # JSON lines, or objects after a comma: every one is read, none is left to be trained as "not an entity"
        ('{"text": "ramen", "label": "DISH"}\n{"text": "basil", "label": "INGREDIENT"}', [("ramen", "DISH"), ("basil", "INGREDIENT")], ""),
        ('{"text": "ramen", "label": "DISH"}, {"text": "basil", "label": "INGREDIENT"}', [("ramen", "DISH"), ("basil", "INGREDIENT")], ""),
        ('[{"text": "ramen", "label": "DISH"}]\n[{"text": "basil", "label": "INGREDIENT"}]', [("ramen", "DISH"), ("basil", "INGREDIENT")], ""),
        ('{"text": "ramen", "label": "DISH"}\n{"text": "basil", "label": "INGRED', [], "unparseable"),  # the second cut off
        # a later bracket that holds no entities is a note
        ('[{"text": "Apple", "label": "ORG"}]\nLabels are from ["ORG", "PER"].', [("Apple", "ORG")], ""),
        ('[{"text": "Apple", "label": "ORG"}] [1]', [("Apple", "ORG")], ""),
        ('[{"text": "Apple", "label": "ORG"}]\nFormat used: {text, label}.', [("Apple", "ORG")], ""),
        ('[]\nNo entities of the types ["ORG", "PER"].', [], ""),
        ('[{"text": "ramen", "label": "DISH"}]\n[{"text": "basil", "label": "ING', [], "unparseable"),  # a later list cut short
    ],
)
def test_entity_answers_are_parsed_leniently(response, expected, error):
    entities, err = parse_entities(response)
    assert [(e["text"], e["label"]) for e in entities] == expected and err == error


def test_label_task_sets_entities_and_keeps_drops_and_raw_output():
    task = make_ner_label_task(labels={"DISH": "a dish", "INGREDIENT": "an ingredient"}, description="Food.")
    task.set_examples([{"text": "Ramen with miso.", "entities": [{"text": "Ramen", "label": "DISH"}]}])
    doc = nlp("The pho needed more basil.")
    [prompt] = list(task.generate_prompts([doc]))
    assert 'Entities: [{"text": "Ramen", "label": "DISH"}]' in prompt and prompt.rstrip().endswith("Entities:")
    raw = json.dumps(ents(("pho", "DISH"), ("basil", "INGREDIENT"), ("salt", "INGREDIENT")))
    [doc] = list(task.parse_responses([doc], [[raw]]))
    assert [(e.text, e.label_) for e in doc.ents] == [("pho", "DISH"), ("basil", "INGREDIENT")]
    result = result_of(doc)
    assert result["raw"] == raw and [d["reason"] for d in result["drops"]] == ["not_in_text"]


def test_error_kinds_are_counted_per_label():
    rows = [
        {"gold_spans": [[0, 5, "DISH"], [10, 15, "INGREDIENT"]], "pred_spans": [[0, 5, "INGREDIENT"], [10, 13, "INGREDIENT"], [20, 25, "DISH"]]},
        {"gold_spans": [[0, 4, "DISH"]], "pred_spans": []},
    ]
    assert count_error_kinds(rows) == [
        {"label": "DISH", "missed": 1, "spurious": 1, "wrong_type": 1, "wrong_boundary": 0},
        {"label": "INGREDIENT", "missed": 0, "spurious": 0, "wrong_type": 0, "wrong_boundary": 1},
    ]


def test_ner_analysis_prompt_spells_out_error_kinds():
    task = make_ner_analyse_task(labels={"DISH": "a dish", "INGREDIENT": "an ingredient"}, description="Food.")
    row = {"text": "Ramen rocks", "gold": "Ramen (DISH)", "pred": "(none)", "gold_spans": [[0, 5, "DISH"]], "pred_spans": []}
    [prompt] = list(task.generate_prompts([make_request_doc({"wrong": [row], "correct": []})]))
    assert "- DISH: 1 missed, 0 spurious, 0 wrong type, 0 wrong boundary" in prompt
    assert "true entities: Ramen (DISH)" in prompt and "predicted: (none)" in prompt


def test_ner_analysis_v2_leaves_the_counts_out_unless_asked_and_is_the_benchmarked_prompt():
    from benchmarks.student_effect import NER_GENERATION_VARIANTS
    from evokd_spacy.tasks.ner.analyse import make_ner_analyse_task_v2

    labels = {"DISH": "a dish", "INGREDIENT": "an ingredient"}
    row = {"text": "Ramen rocks", "gold": "Ramen (DISH)", "pred": "(none)", "gold_spans": [[0, 5, "DISH"]], "pred_spans": []}
    request = {"wrong": [row], "correct": [{"text": "Pho is fine", "gold": "Pho (DISH)", "pred": "Pho (DISH)"}]}
    prompt = lambda task: next(iter(task.generate_prompts([make_request_doc(request)])))  # noqa: E731
    plain = prompt(make_ner_analyse_task_v2(labels=labels, description="Food."))
    assert "true entities: Ramen (DISH)" in plain and "counted per entity type" not in plain
    counted = prompt(make_ner_analyse_task_v2(labels=labels, description="Food.", error_counts=True))
    assert counted == prompt(make_ner_analyse_task(labels=labels, description="Food.")) and "1 missed" in counted
    free = NER_GENERATION_VARIANTS["ner_free_analysis"]["teacher.analyse"]["template"]
    assert plain == prompt(make_ner_analyse_task(labels=labels, description="Food.", template=free)), "the prompt measured in BENCHMARKS.md"


def test_label_task_v2_asks_for_a_constrained_entity_list_and_v1_does_not():
    labels = {"DISH": "a dish", "INGREDIENT": "an ingredient"}
    doc = nlp("The pho needed more basil.")
    [v1] = list(make_ner_label_task(labels=labels).generate_prompts([doc]))
    [v2] = list(make_ner_label_task_v2(labels=labels).generate_prompts([doc]))
    assert str(v1) == str(v2), "the same text: teachers that cannot constrain see v1's prompt"
    assert not isinstance(v1, EntityListPrompt) and isinstance(v1, GreedyPrompt)
    assert isinstance(v2, EntityListPrompt) and v2.source == doc.text and v2.labels == ("DISH", "INGREDIENT")
    [off] = list(make_ner_label_task_v2(labels=labels, constrained=False).generate_prompts([doc]))
    assert not isinstance(off, EntityListPrompt)


def test_a_longer_entity_is_placed_before_a_shorter_one_inside_it():
    doc = nlp("George Washington crossed into Washington.")
    spans, drops = align_entities(doc, ents(("Washington", "INGREDIENT"), ("George Washington", "DISH")), LABELS)
    assert spans == [[0, 17, "DISH"], [31, 41, "INGREDIENT"]]
    assert [(d["text"], d["reason"]) for d in drops] == [("Washington", "overlap")]


def _trained_iob(text, entities):
    from evokd_spacy.tasks.ner.kind import NERKind
    from evokd_spacy.ty import Sample

    doc = nlp(text)
    spans, drops = align_entities(doc, ents(*entities), LABELS)
    trained = NERKind().to_doc(nlp, Sample(text=text, labels=[], spans=spans, meta={"entity_drops": drops}), None)
    return [(t.text, t.ent_iob_ or "-", t.ent_type_) for t in trained], drops


def test_an_entity_inside_a_word_leaves_that_word_unannotated_in_training_not_outside():
    iob, drops = _trained_iob("We ordered two dumplings and ramen.", [("dumpling", "DISH"), ("ramen", "DISH"), ("xyz", "DISH")])
    assert [(d["text"], d["reason"], d.get("ranges")) for d in drops] == [("dumpling", "inside_word", [[15, 23]]), ("xyz", "not_in_text", None)]
    assert iob[3] == ("dumplings", "-", "") and iob[5] == ("ramen", "B", "DISH") and iob[2] == ("two", "O", "")


def test_a_shorter_entity_is_not_placed_inside_a_longer_one_dropped_for_its_label():
    iob, drops = _trained_iob("George Washington visited Washington.", [("George Washington", "PERSON"), ("Washington", "INGREDIENT")])
    assert iob[:4] == [("George", "-", ""), ("Washington", "-", ""), ("visited", "O", ""), ("Washington", "B", "INGREDIENT")]
    assert [d["reason"] for d in drops] == ["unknown_label", "overlap"]
    iob, drops = _trained_iob("We ate ramen today.", [("ramen", "NOODLES"), ("ramen", "DISH")])
    assert iob[2] == ("ramen", "B", "DISH") and [d["reason"] for d in drops] == ["unknown_label"], "as long: placed"


def test_unsure_tokens_next_to_an_entity_stay_missing_when_a_range_also_covers_the_entity():
    from evokd_spacy.tasks.ner.kind import spans_to_doc

    doc = spans_to_doc(nlp, "fresh basil pesto today", [[6, 11, "INGREDIENT"]], unsure=[[0, 17]])
    assert [(t.text, t.ent_iob_ or "-") for t in doc] == [("fresh", "-"), ("basil", "B"), ("pesto", "-"), ("today", "O")]


def test_an_entity_in_decomposed_unicode_ends_after_its_accent():
    import unicodedata

    text = unicodedata.normalize("NFD", "José ate at Café Luna.")
    spans, drops = align_entities(nlp(text), ents(("José", "DISH"), ("Cafe Luna", "INGREDIENT")), LABELS)
    assert [text[s:e] for s, e, _ in spans] == [unicodedata.normalize("NFD", "José"), unicodedata.normalize("NFD", "Café Luna")]
    assert drops == []


def test_an_entity_list_cut_off_at_the_token_limit_is_an_error_not_a_shorter_list():
    from evokd_spacy.llm_io import TeacherResponse

    task = make_ner_label_task(labels={"DISH": "a dish", "INGREDIENT": "an ingredient"}, description="Food.")
    closed = json.dumps(ents(("pho", "DISH")))  # a constrained answer closed after its last whole entity
    [doc] = list(task.parse_responses([nlp("The pho needed more basil.")], [[TeacherResponse(closed, truncated=True)]]))
    assert list(doc.ents) == [] and result_of(doc)["error"] == "cut_off"
    [doc] = list(task.parse_responses([nlp("The pho needed more basil.")], [[TeacherResponse(closed)]]))
    assert [e.text for e in doc.ents] == ["pho"] and result_of(doc)["error"] == ""


def test_tokens_of_an_entity_with_an_unknown_label_are_left_missing_in_training():
    from evokd_spacy.loop.filters import items_to_samples
    from evokd_spacy.tasks.ner.kind import NERKind
    from evokd_spacy.ty import TaskSpec

    spec = TaskSpec(kind="ner", description="", labels={"DISH": "a dish", "INGREDIENT": "an ingredient"})
    task = make_ner_label_task(labels=spec.labels, description="Food.")
    raw = json.dumps(ents(("pad thai", "FOOD"), ("basil", "INGREDIENT")))
    [doc] = list(task.parse_responses([nlp("I loved the pad thai with basil here")], [[raw]]))
    item = {"text": doc.text, "tag": "hard", **NERKind().labelled_fields(result_of(doc))}
    [sample] = items_to_samples([item], 1)
    trained = NERKind().to_doc(nlp, sample, spec)
    iob = {token.text: token.ent_iob_ for token in trained}
    assert iob["pad"] == iob["thai"] == "", "the teacher saw an entity here: neither an entity nor 'outside'"
    assert iob["basil"] == "B" and iob["loved"] == iob["here"] == "O"
    sample.meta["reviewed"] = True
    assert {t.ent_iob_ for t in NERKind().to_doc(nlp, sample, spec) if t.text in ("pad", "thai")} == {"O"}, "a review is whole"


def test_unsure_entity_tokens_outside_trains_them_as_not_an_entity(settings_factory):
    import spacy
    from spacy.tokens import DocBin

    from evokd_spacy.errors import ConfigError
    from evokd_spacy.loop.runner import EvoKDRunner

    with pytest.raises(ConfigError, match="unsure_entity_tokens must be one of 'missing', 'outside'"):
        settings_factory("evokd_ner.cfg", **{"loop.unsure_entity_tokens": "maybe"})
    settings = settings_factory("evokd_ner.cfg", **{"loop.rounds": 0, "loop.unsure_entity_tokens": "outside"})
    runner = EvoKDRunner(settings, quiet=True)
    runner.prepare()
    runner.seeds[0].meta["entity_drops"] = [{"text": "x", "label": "FOOD", "reason": "unknown_label", "ranges": [[0, 1]]}]
    runner.training_samples = lambda r: [runner.seeds[0]]
    runner._train(0)
    [doc] = DocBin().from_disk(runner.folder.train_docbin(0)).get_docs(spacy.blank("en").vocab)
    assert doc[0].ent_iob_ in ("O", "B"), "trained as outside (or an entity), never missing"
