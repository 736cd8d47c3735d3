"""Explanation-guided selection (ELAD, Zhang et al. 2024), adapted to a non-generative student.

ELAD's student is an LLM that writes its own rationale; a sample is uncertain when the answer
distribution shifts from one reasoning step to the next. Our student is a spaCy classifier that
writes no rationale, so the teacher writes it, and the student's role is to shortlist:

1. shortlist the `shortlist * n` pool texts with the highest student entropy (cheap);
2. for each, the teacher writes `n_rationales` sampled step-by-step rationales ending in a label
   (`evokd.TextCatExplain.v1`);
3. the labels are scored given the text and the first k steps, for k = 0..K
   (`evokd.TextCatStepCheck.v1`: log-probabilities with the local model, the named label otherwise);
4. a text's score adds: how far the label distribution moves along the steps (total variation,
   summed over steps, averaged over rationales); disagreement between the sampled rationales'
   labels; rationales whose stated label is not the label their own steps lead to; and whether
   the student's label differs from the rationales' majority; plus 0.1 x the student's entropy
   to break ties. The `n` highest go to the teacher for revision.

Text classification only: for NER use `evokd.SelectEntropy.v1` (over the student's beam analyses, see
`ner_beam.py`) or `evokd.SelectRandom.v1`.
"""
from collections import Counter
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..errors import ConfigError
from ..registry import registry
from ..student.language import text_nlp
from ..tasks.request import REQUEST_KEY, result_of
from ..ty import PoolCandidate
from .strategies import exclusive_scores, require_probs, top_scored
from .uncertainty import entropy


def total_variation(a: Dict[str, float], b: Dict[str, float]) -> float:
    """Half the L1 distance between two label distributions (0: same, 1: disjoint)."""
    return 0.5 * sum(abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in set(a) | set(b))


def rationale_score(
    student: Sequence[str], student_entropy: float, rationales: List[Dict[str, Any]], step_probs: List[List[Optional[Dict[str, float]]]],
    exclusive: bool = True,
) -> Dict[str, Any]:
    """The explanation-guided uncertainty of one text and its parts (see the module docstring).

    A failed teacher call adds nothing: a step check with no distribution (None) is left out of the
    shifts and of the label its rationale leads to, a rationale with no readable label is not
    counted as supported or as a vote, and one with no shift measured (no label, or a failed check)
    is not averaged in as a steady one; `failed` counts both. A multi-label student disagrees unless
    its labels are just the rationales' majority label."""
    shifts, finals, unsupported, judged, failed = [], [], 0, 0, 0
    mass: Counter = Counter()
    for rationale, dists in zip(rationales, step_probs):
        failed += sum(d is None for d in dists) + int(not rationale.get("label"))
        pairs = [(a, b) for a, b in zip(dists, dists[1:]) if a is not None and b is not None]
        if pairs or (rationale.get("label") and dists and None not in dists):
            shifts.append(sum(total_variation(a, b) for a, b in pairs))
        last = dists[-1] if dists else None
        led_to = max(last, key=last.get) if last else None
        stated = rationale.get("label")
        if stated and led_to:
            judged += 1
            unsupported += int(stated != led_to)
        if stated:
            finals.append(stated)
            mass.update(last or {})
    counts = Counter(finals)
    # the most stated label; a tie goes to the label the step checks gave the most probability
    majority = max(counts, key=lambda label: (counts[label], mass[label])) if counts else None
    parts = {
        "step_shift": sum(shifts) / len(shifts) if shifts else 0.0,
        "rationale_disagreement": 1.0 - counts[majority] / len(finals) if finals else 0.0,
        "unsupported": unsupported / judged if judged else 0.0,
        "student_disagrees": float(majority is not None and (majority not in student if exclusive else set(student) != {majority})),
        "student_entropy": student_entropy,
    }
    score = parts["step_shift"] + parts["rationale_disagreement"] + parts["unsupported"] + parts["student_disagrees"] + 0.1 * student_entropy
    return {"score": round(score, 6), "teacher_label": majority, "failed": failed, **{k: round(v, 4) for k, v in parts.items()}}


class ExplanationSelector:
    """Explanation-guided selection for text classification (see the module docstring)."""

    name = "explanation"

    def __init__(self, shortlist: float = 2.0, n_rationales: int = 1, max_steps: int = 3,
                 explain_template: Optional[str] = None, check_template: Optional[str] = None) -> None:
        if shortlist < 1.0 or n_rationales < 1 or max_steps < 1:
            raise ConfigError("evokd.SelectExplanation.v1 needs shortlist >= 1, n_rationales >= 1 and max_steps >= 1.")
        self.shortlist, self.n_rationales, self.max_steps = shortlist, n_rationales, max_steps
        self.templates = (explain_template, check_template)
        self._tasks: Optional[Tuple[Any, Any]] = None

    def shortlist_size(self, n: int, available: Optional[int] = None) -> int:
        """How many candidates get rationales when `n` are to be selected (at most `available`)."""
        size = max(n, int(round(n * self.shortlist)))
        return size if available is None else min(available, size)

    def teacher_calls(self, n: int) -> Dict[str, int]:
        """At most how many rationale and step-check calls selecting `n` texts takes (dry-run estimate)."""
        rationales = self.shortlist_size(n) * self.n_rationales
        return {"generated": rationales, "scored": rationales * (self.max_steps + 1)}

    def tasks(self, spec: Any) -> Tuple[Any, Any]:
        """The rationale and step-check tasks with the run's labels."""
        if self._tasks is None:
            from ..tasks.textcat.explain import TextCatExplainTask, TextCatStepCheckTask

            common = {"labels": spec.labels, "description": spec.description}
            self._tasks = (
                TextCatExplainTask(max_steps=self.max_steps, template=self.templates[0], **common),
                TextCatStepCheckTask(template=self.templates[1], exclusive=spec.exclusive, **common),
            )
        return self._tasks

    def select(self, candidates: List[PoolCandidate], n: int, context: Any) -> List[Dict[str, Any]]:
        if context.kind.name != "textcat":
            raise ConfigError("[pool.strategy] evokd.SelectExplanation.v1 works for text classification; for NER use evokd.SelectEntropy.v1 (over the student's beam analyses) or evokd.SelectRandom.v1.")
        require_probs(candidates, "evokd.SelectExplanation.v1")
        size = self.shortlist_size(n, len(candidates))
        exclusive = exclusive_scores(context)
        short_rows = top_scored(candidates, size, lambda c: entropy(c.probs, exclusive), "entropy")
        by_index = {c.index: c for c in candidates}
        shortlist = [by_index[row["index"]] for row in short_rows]
        if not shortlist:
            return []
        teacher = context.teacher()
        explain, check = self.tasks(context.spec)
        make_doc = text_nlp(context.spec).make_doc
        docs = [make_doc(c.text) for c in shortlist for _ in range(self.n_rationales)]
        done = teacher.client.run(explain, docs, desc=f"round {context.round} explain")
        rationales = [result_of(doc) for doc in done]
        step_probs = self._check_steps(teacher, check, shortlist, rationales, context.round, context.spec)
        rows = []
        for i, cand in enumerate(shortlist):
            mine = slice(i * self.n_rationales, (i + 1) * self.n_rationales)
            parts = rationale_score(cand.prediction, entropy(cand.probs, exclusive), rationales[mine], step_probs[mine], exclusive)
            steps = [r.get("steps", []) for r in rationales[mine]]
            told = [{"label": r.get("label"), "error": r.get("error", "")} for r in rationales[mine]]
            rows.append({"index": cand.index, "strategy": self.name, "rationales": steps, "rationale_labels": told, **parts})
        rows.sort(key=lambda row: (-row["score"], row["index"]))
        return rows[:n]

    def _check_steps(self, teacher: Any, check: Any, shortlist: List[PoolCandidate], rationales: List[Dict[str, Any]], r: int, spec: Any) -> List[List[Optional[Dict[str, float]]]]:
        """Label distributions after 0..K steps of every rationale (each distinct prompt asked
        once); None where a check's answer named no label."""
        wanted: Dict[Tuple[str, Tuple[str, ...]], int] = {}
        for i, rationale in enumerate(rationales):
            text, steps = shortlist[i // self.n_rationales].text, tuple(rationale.get("steps") or [])
            for k in range(len(steps) + 1):
                wanted.setdefault((text, steps[:k]), len(wanted))
        make_doc = text_nlp(spec).make_doc
        docs = []
        for text, steps in wanted:
            doc = make_doc(text)
            doc.user_data[REQUEST_KEY] = {"steps": list(steps)}
            docs.append(doc)
        probs = [result_of(doc)["probs"] for doc in teacher.client.run(check, docs, desc=f"round {r} check steps")]
        out = []
        for i, rationale in enumerate(rationales):
            text, steps = shortlist[i // self.n_rationales].text, tuple(rationale.get("steps") or [])
            out.append([probs[wanted[(text, steps[:k])]] for k in range(len(steps) + 1)])
        return out


@registry.misc("evokd.SelectExplanation.v1")
def make_select_explanation(
    shortlist: float = 2.0,
    n_rationales: int = 1,
    max_steps: int = 3,
    explain_template: Optional[str] = None,
    check_template: Optional[str] = None,
) -> ExplanationSelector:
    """Explanation-guided selection (ELAD adapted): teacher rationales checked step by step on the
    student's `shortlist * n` most uncertain texts; `n_rationales` sampled rationales per text."""
    return ExplanationSelector(shortlist, n_rationales, max_steps, explain_template, check_template)
