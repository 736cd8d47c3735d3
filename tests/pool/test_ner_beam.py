"""NER uncertainty from the student's beam of whole-sentence analyses."""
import pytest
import spacy
from spacy.training import Example

from evokd_spacy.pool.ner_beam import beam_ner, beam_scored_docs, parse_probs
from evokd_spacy.pool.uncertainty import entropy, margin


def test_parse_probs_are_ranked_and_padded_to_the_beam_width():
    probs = parse_probs([(0.2, []), (0.7, [(0, 1, "PER")])], beam_width=4)
    assert probs == {"parse_1": 0.7, "parse_2": 0.2, "parse_3": 0.0, "parse_4": 0.0}
    sure, torn = parse_probs([(1.0, [])], 4), parse_probs([(0.5, []), (0.5, [(0, 1, "PER")])], 4)
    assert entropy(sure) == 0.0 < entropy(torn) and margin(sure) == 0.0 < margin(torn) == 1.0


@pytest.fixture(scope="module")
def tiny_ner():
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    data = [("I met Jon Smith in Paris", [(6, 15, "PER"), (19, 24, "LOC")]), ("Anna flew to Rome", [(0, 4, "PER"), (13, 17, "LOC")])]
    for label in ("PER", "LOC"):
        ner.add_label(label)
    optimizer = nlp.initialize()
    for _ in range(20):
        for text, ents in data:
            nlp.update([Example.from_dict(nlp.make_doc(text), {"entities": ents})], sgd=optimizer)
    return nlp


def test_the_beam_gives_the_best_analysis_and_a_distribution_over_analyses(tiny_ner):
    assert beam_ner(tiny_ner)[0] == "ner" and beam_ner(spacy.blank("en")) is None
    texts = ["I met Anna Smith in Rome", "the cat sat on a mat"]
    scored = beam_scored_docs(tiny_ner, texts, beam_width=4, batch_size=1)
    assert [doc.text for doc, _ in scored] == texts
    for doc, probs in scored:
        assert list(probs) == ["parse_1", "parse_2", "parse_3", "parse_4"]
        assert abs(sum(probs.values()) - 1.0) < 1e-6 and list(probs.values()) == sorted(probs.values(), reverse=True)
    assert {ent.label_ for ent in scored[0][0].ents} <= {"PER", "LOC"} and scored[0][0].ents
    with pytest.raises(ValueError, match="beam"):
        beam_scored_docs(spacy.blank("en"), texts)



def test_the_students_answer_is_what_the_pipeline_predicts_where_the_beam_ranks_another_first():
    from spacy.util import fix_random_seed

    fix_random_seed(3)  # a briefly trained recognizer whose greedy and beam answers differ on these texts
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    for label in ("PER", "LOC"):
        ner.add_label(label)
    optimizer = nlp.initialize()
    for _ in range(3):
        for text, ents in [("I met Jon Smith in Paris", [(6, 15, "PER"), (19, 24, "LOC")]), ("Anna flew to Rome", [(0, 4, "PER"), (13, 17, "LOC")])]:
            nlp.update([Example.from_dict(nlp.make_doc(text), {"entities": ents})], sgd=optimizer)
    texts = ["a Jon to", "cat Jon the Smith mat the Anna", "I met Anna Smith in Rome"]
    spans = lambda ents: sorted((e.start, e.end, e.label_) for e in ents)  # noqa: E731
    beam_best = [sorted(max(ner.moves.get_beam_parses(beam), key=lambda p: p[0])[1])
                 for beam in ner.beam_parse([nlp.make_doc(t) for t in texts], beam_width=4)]
    piped = [spans(nlp(text).ents) for text in texts]
    assert piped[:2] != beam_best[:2]  # the case this test is about
    scored = beam_scored_docs(nlp, texts, beam_width=4, batch_size=2)
    assert [spans(doc.ents) for doc, _ in scored] == piped
    for doc, probs in scored:
        assert all(token.ent_iob_ in ("B", "I", "O") for token in doc)  # no token left missing
        assert abs(sum(probs.values()) - 1.0) < 1e-6
