"""Selection strategies: random, entropy, margin, and the explanation-guided one."""
import pytest

from evokd_spacy.errors import ConfigError
from evokd_spacy.loop.kinds import get_kind
from evokd_spacy.pool.context import SelectionContext
from evokd_spacy.pool.explanation import rationale_score, total_variation
from evokd_spacy.pool.strategies import resolve_strategy
from evokd_spacy.pool.uncertainty import entropy, margin
from evokd_spacy.ty import PoolCandidate, TaskSpec

SPEC = TaskSpec("textcat", "sentiment", {"POSITIVE": "good", "NEGATIVE": "bad"})


def _candidates():
    probs = [0.99, 0.5, 0.8, 0.55, 0.1]
    return [
        PoolCandidate(i, f"text {i}", ["POSITIVE" if p >= 0.5 else "NEGATIVE"], {"POSITIVE": p, "NEGATIVE": 1 - p})
        for i, p in enumerate(probs)
    ]


def _context(r=1, teacher=None):
    return SelectionContext(SPEC, get_kind("textcat"), r, 0, teacher)


def test_entropy_and_margin_measure_uncertainty():
    assert entropy({"A": 0.5, "B": 0.5}) == pytest.approx(1.0)
    assert entropy({"A": 1.0, "B": 0.0}) == 0.0
    assert margin({"A": 0.5, "B": 0.5}) == pytest.approx(1.0)
    assert margin({"A": 0.9, "B": 0.1}) == pytest.approx(0.2)
    assert entropy({"A": 0.6, "B": 0.6}) == pytest.approx(1.0)  # multi-label scores are renormalised


@pytest.mark.parametrize("name", ["evokd.SelectEntropy.v1", "evokd.SelectMargin.v1"])
def test_uncertainty_strategies_pick_the_least_sure_first(name):
    rows = resolve_strategy({"@misc": name}).select(_candidates(), 2, _context())
    assert [row["index"] for row in rows] == [1, 3]


def test_random_selection_is_seeded_by_round():
    strategy = resolve_strategy({"@misc": "evokd.SelectRandom.v1"})
    first = [row["index"] for row in strategy.select(_candidates(), 3, _context(1))]
    assert first == [row["index"] for row in strategy.select(_candidates(), 3, _context(1))]
    assert len(set(first)) == 3
    rounds = {tuple(row["index"] for row in strategy.select(_candidates(), 3, _context(r))) for r in range(1, 6)}
    assert len(rounds) > 1


def test_uncertainty_needs_label_scores():
    ner = [PoolCandidate(0, "x", [], None)]
    with pytest.raises(ConfigError, match="evokd.SelectRandom.v1"):
        resolve_strategy({"@misc": "evokd.SelectEntropy.v1"}).select(ner, 1, _context())


def test_unknown_strategy_is_a_config_error():
    with pytest.raises(ConfigError, match=r"\[pool.strategy\]"):
        resolve_strategy({"@misc": "evokd.SelectNothing.v9"})


def test_rationale_score_adds_step_shifts_disagreement_and_student_mismatch():
    pos, neg, even = {"POSITIVE": 0.9, "NEGATIVE": 0.1}, {"POSITIVE": 0.1, "NEGATIVE": 0.9}, {"POSITIVE": 0.5, "NEGATIVE": 0.5}
    assert total_variation(pos, neg) == pytest.approx(0.8)
    steady = rationale_score(["POSITIVE"], 0.0, [{"label": "POSITIVE"}], [[pos, pos, pos]])
    assert steady["score"] == 0.0 and steady["teacher_label"] == "POSITIVE"
    wobbly = rationale_score(["POSITIVE"], 0.0, [{"label": "POSITIVE"}], [[pos, neg, pos]])
    assert wobbly["step_shift"] == pytest.approx(1.6)
    split = rationale_score(["NEGATIVE"], 0.5, [{"label": "POSITIVE"}, {"label": "NEGATIVE"}, {"label": "POSITIVE"}], [[even, pos]] * 3)
    assert split["rationale_disagreement"] == pytest.approx(1 / 3, abs=1e-3)
    assert split["student_disagrees"] == 1.0 and split["unsupported"] == pytest.approx(1 / 3, abs=1e-3)
    assert split["score"] > steady["score"]


def test_failed_teacher_calls_add_nothing_to_a_rationale_score():
    pos = {"POSITIVE": 0.9, "NEGATIVE": 0.1}
    steady = rationale_score(["POSITIVE"], 0.0, [{"label": "POSITIVE"}], [[pos, pos]])
    no_label = rationale_score(["POSITIVE"], 0.0, [{"label": None, "error": "no_label_line"}], [[pos, pos]])
    failed_check = rationale_score(["POSITIVE"], 0.0, [{"label": "POSITIVE"}], [[pos, None]])
    assert no_label["score"] == failed_check["score"] == steady["score"] == 0.0
    assert no_label["failed"] == failed_check["failed"] == 1 and steady["failed"] == 0
    assert no_label["teacher_label"] is None and no_label["student_disagrees"] == 0.0
    neg = {"POSITIVE": 0.1, "NEGATIVE": 0.9}
    one = rationale_score(["POSITIVE"], 0.5, [{"label": "NEGATIVE"}], [[pos, neg, pos]])
    with_failed = rationale_score(["POSITIVE"], 0.5, [{"label": "NEGATIVE"}, {"label": None}], [[pos, neg, pos], [pos]])
    assert with_failed["step_shift"] == one["step_shift"] and with_failed["score"] == one["score"], "not averaged in as steady"


def test_a_multi_label_student_disagrees_unless_its_labels_are_the_rationales_majority():
    pos = {"POSITIVE": 0.9, "NEGATIVE": 0.1}
    both = rationale_score(["NEGATIVE", "POSITIVE"], 0.0, [{"label": "POSITIVE"}], [[pos, pos]], exclusive=False)
    alone = rationale_score(["POSITIVE"], 0.0, [{"label": "POSITIVE"}], [[pos, pos]], exclusive=False)
    assert both["student_disagrees"] == 1.0 and alone["student_disagrees"] == 0.0
    assert rationale_score(["NEGATIVE", "POSITIVE"], 0.0, [{"label": "POSITIVE"}], [[pos, pos]])["student_disagrees"] == 0.0


def test_a_step_check_answer_that_names_no_label_has_no_distribution():
    import spacy

    from evokd_spacy.tasks.request import REQUEST_KEY, result_of
    from evokd_spacy.tasks.textcat.explain import TextCatStepCheckTask

    task = TextCatStepCheckTask(labels={"POS": "", "NEG": ""}, exclusive=False)
    docs = [spacy.blank("en").make_doc("t") for _ in range(2)]
    for doc in docs:
        doc.user_data[REQUEST_KEY] = {"steps": []}
    none, both = list(task.parse_responses(docs, [["I cannot tell."], ["NEG, POS"]]))
    assert result_of(none)["probs"] is None and result_of(none)["error"] == "off_label"
    assert result_of(both)["probs"] == {"POS": 0.5, "NEG": 0.5}


def test_explanation_selection_asks_the_teacher_for_rationales_and_step_checks(settings_factory):
    from evokd_spacy.loop.runner import EvoKDRunner

    runner = EvoKDRunner(settings_factory(), quiet=True)
    strategy = resolve_strategy({"@misc": "evokd.SelectExplanation.v1", "shortlist": 2.0, "n_rationales": 2})
    candidates = [
        PoolCandidate(0, "great awful boring film", ["POSITIVE"], {"POSITIVE": 0.55, "NEGATIVE": 0.45}),
        PoolCandidate(1, "great love perfect", ["POSITIVE"], {"POSITIVE": 0.6, "NEGATIVE": 0.4}),
        PoolCandidate(2, "terrible waste", ["NEGATIVE"], {"POSITIVE": 0.01, "NEGATIVE": 0.99}),
    ]
    rows = strategy.select(candidates, 1, _context(teacher=lambda: runner.teacher))
    assert [row["index"] for row in rows] == [0]  # shortlist: 0 and 1; 0's reasoning disagrees with the student
    assert rows[0]["teacher_label"] == "NEGATIVE" and rows[0]["student_disagrees"] == 1.0
    assert len(rows[0]["rationales"]) == 2 and rows[0]["rationales"][0][0].startswith("the word")
    prompts = runner.teacher.client.model.prompts
    assert sum("Think step by step" in p for p in prompts) == 4  # 2 shortlisted x 2 sampled rationales
    checks = sum("Reasoning about the text so far" in p for p in prompts)
    assert checks > 0
    # the dry-run estimate asks the strategy itself: exact for rationales, an upper bound for checks
    assert strategy.teacher_calls(1) == {"generated": 4, "scored": 4 * (3 + 1)} and checks <= 16
    with pytest.raises(ConfigError, match="text classification"):
        strategy.select(candidates, 1, SelectionContext(SPEC, get_kind("ner"), 1, 0, None))


def test_multi_label_scores_are_uncertain_near_their_thresholds_not_when_all_are_low():
    from evokd_spacy.pool.uncertainty import entropy, margin

    sure_of_none, unsure_of_a = {"A": 0.01, "B": 0.01, "C": 0.01}, {"A": 0.5, "B": 0.0, "C": 0.0}
    assert entropy(sure_of_none, exclusive=False) < 0.1 < entropy(unsure_of_a, exclusive=False)
    assert margin(sure_of_none, exclusive=False) < 0.1 and margin(unsure_of_a, exclusive=False) == 1.0
    multi = TaskSpec("textcat", "topics", {"A": "", "B": "", "C": ""}, exclusive=False)
    candidates = [PoolCandidate(0, "none", [], sure_of_none), PoolCandidate(1, "maybe A", [], unsure_of_a)]
    for name in ("evokd.SelectEntropy.v1", "evokd.SelectMargin.v1"):
        rows = resolve_strategy({"@misc": name}).select(candidates, 1, SelectionContext(multi, get_kind("textcat"), 1, 0, None))
        assert [row["index"] for row in rows] == [1], name
