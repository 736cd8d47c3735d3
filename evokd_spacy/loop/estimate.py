"""`--dry-run`: how many teacher calls and tokens a config will use, without calling the teacher.

Prompts of round 1 are rendered from the real seeds (with every seed shown as a student error,
the longest case); completions are counted at the model's token limit (`max_new_tokens` or
`max_tokens`, else 256), except labelling by choice scoring, which generates nothing. Calls are
an upper bound: texts dropped before labelling save their labelling call.
"""
import re
from typing import Any, Dict, List

from ..llm_io import estimate_tokens
from ..student.language import text_nlp
from ..tasks.request import make_request_doc
from . import steps
from .kinds import get_kind
from .run_data import read_run_data
from .run_identity import check_run_folder
from .settings import RunSettings, calls_label_task
from .state import RunFolder
from .teacher import resolve_tasks

DEFAULT_COMPLETION = 256


def completion_limit(model_config: Dict[str, Any]) -> int:
    """The model's completion token limit as configured."""
    config = model_config.get("config") or {}
    for key in ("max_new_tokens", "max_tokens", "max_completion_tokens"):
        if key in config:
            return int(config[key])
    return DEFAULT_COMPLETION


def _tokens(prompts: List[Any]) -> int:
    return sum(estimate_tokens(str(p)) for p in prompts)


def scores_labels(model: Dict[str, Any]) -> bool:
    """Whether the configured teacher scores a labelling prompt's choices (no completion tokens)
    rather than writing its answer: evokd's local and scripted teachers do, a served one from
    `evokd.OpenAICompatible.v3` on unless `choice_logprobs = 0`; spacy-llm's own models do not."""
    name = str(model.get("@llm_models", ""))
    if name.startswith(("evokd.LocalHF.", "evokd.ScriptedTeacher.")):
        return True
    version = re.fullmatch(r"evokd\.OpenAICompatible\.v(\d+)", name)
    return bool(version) and int(version.group(1)) >= 3 and int(model.get("choice_logprobs", 20)) > 0


def estimate_run(settings: RunSettings) -> Dict[str, Any]:
    """Teacher calls and tokens per round and for the rounds still to run."""
    spec, kind, loop = settings.spec, get_kind(settings.spec.kind, settings.spec.exclusive), settings.loop
    tasks = resolve_tasks(settings.teacher_config, spec)
    data = read_run_data(settings)  # the checks a run makes first, so a dry run stops where it would
    seeds = data.seeds
    if settings.pool.get("path"):
        from ..pool.reader import read_pool

        read_pool(settings.pool["path"], "pool.path", lang=settings.spec.lang)
    for task in (tasks["label"], tasks.get("revise")):  # the exemplars a run's labeller shows
        if hasattr(task, "set_examples"):
            task.set_examples([kind.example(s) for s in seeds])
    limit = completion_limit(settings.teacher_config.get("model", {}))
    feedback = bool(loop["feedback"])
    split = {"correct": [], "wrong": [kind.describe(s, []) for s in seeds] if feedback else []}
    analysis = list(tasks["analyse"].generate_prompts([make_request_doc({**split, "round": 1})])) if feedback else []
    requests = steps.requests_for(tasks["generate"], spec, "x " * limit if feedback else "", split, seeds, loop, 1)
    generation = list(tasks["generate"].generate_prompts([make_request_doc(req) for req in requests]))
    if int(loop["round_tokens"]) > 0 and requests:  # repeats are asked while the round's generation tokens last
        size = max(1, len(requests) // max(1, int(loop["requests_per_label"])))
        per_repeat = _tokens(generation[:size]) + limit * size
        kept = size * max(1, min(len(requests) // size, int(loop["round_tokens"]) // max(1, per_repeat)))
        requests, generation = requests[:kept], generation[:kept]
    counts = tasks["generate"].tagged_counts() if hasattr(tasks["generate"], "tagged_counts") else {"n": 5}
    texts = len(requests) * sum(int(n) for n in counts.values()) if loop["separate_labelling"] else 0
    nlp = text_nlp(settings.spec)
    per_text = [list(p) if isinstance(p, (list, tuple)) else [p] for p in tasks["label"].generate_prompts([nlp.make_doc(s.text) for s in seeds])]
    label_prompts = [p for prompts in per_text for p in prompts]  # a labeller may ask two prompts a text (v8)
    calls_per_text = len(label_prompts) / max(1, len(per_text))
    per_label = _tokens(label_prompts) / max(1, len(per_text))
    scored = bool(label_prompts) and all(getattr(p, "choices", None) for p in label_prompts) and scores_labels(settings.teacher_config.get("model", {}))
    round_calls = len(analysis) + len(requests) + int(round(texts * calls_per_text))
    round_prompt = _tokens(analysis) + _tokens(generation) + int(per_label * texts)
    round_completion = limit * (len(analysis) + len(requests)) + (0 if scored else limit * texts)
    if not loop["generate"]:
        round_calls = round_prompt = round_completion = 0
    pooled = pool_round(settings.pool, per_label, scored, limit) if settings.pool.get("path") else {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0}
    round_calls += pooled["calls"]
    round_prompt += pooled["prompt_tokens"]
    round_completion += pooled["completion_tokens"]
    folder = RunFolder(settings.output, settings.corpus)
    check_run_folder(folder, settings)  # the conflict a real run would stop at
    done = len(folder.read_metrics())
    to_go = max(0, int(loop["rounds"]) + 1 - max(done, 1))
    # Calibration (content-free prompts of the labelling and revision tasks): once per run, cached.
    parts = ("label", "revise") if calls_label_task(settings) else ("revise",)
    setup = [p for part in parts if hasattr(tasks.get(part), "calibration_prompts") for p in tasks[part].calibration_prompts()]
    calibration_calls = len(setup) if done <= 1 and to_go else 0
    # `choose_exemplars` / `choose_echo`: that many dev texts labelled both ways, once per run
    chosen = int(loop["choose_exemplars"]) + int(loop["choose_echo"])
    choice_calls = 2 * chosen if calls_label_task(settings) and done <= 1 and to_go else 0
    setup_calls = calibration_calls + choice_calls
    setup_prompt = (_tokens(setup) if calibration_calls else 0) + int(per_label * choice_calls)
    setup_completion = 0 if scored else limit * choice_calls  # calibration prompts are scored, never generated
    return {
        "per_round": {
            "calls": round_calls,
            "analyse_calls": len(analysis) if loop["generate"] else 0,
            "generate_calls": len(requests) if loop["generate"] else 0,
            "label_calls": int(round(texts * calls_per_text)) if loop["generate"] else 0,
            "pool_calls": pooled["calls"],
            "prompt_tokens": round_prompt,
            "completion_tokens": round_completion,
        },
        "rounds": int(loop["rounds"]),
        "rounds_to_go": to_go,
        "setup_calls": setup_calls,
        "calls": round_calls * to_go + setup_calls,
        "tokens": (round_prompt + round_completion) * to_go + setup_prompt + setup_completion,
        "cost": price(loop, round_prompt * to_go + setup_prompt, round_completion * to_go + setup_completion),
        "labelling": "scored (no completion)" if scored else f"generated (up to {limit} tokens)",
    }


def price(loop: Dict[str, Any], prompt_tokens: int, completion_tokens: int) -> float:
    """What these tokens cost at the [loop] prices per 1,000 prompt and completion tokens."""
    return (prompt_tokens * float(loop["cost_per_1k_prompt_tokens"]) + completion_tokens * float(loop["cost_per_1k_completion_tokens"])) / 1000


def pool_round(pool: Dict[str, Any], per_label: float, scored: bool, limit: int) -> Dict[str, int]:
    """Upper bound of a round's pool calls: labelling or revision (prompts about as long as
    labelling), with revision a reason per correction, and the explanation-guided strategy's
    rationales and step checks."""
    n = int(pool["per_round"])
    calls, prompt, completion = n, int(per_label * n), 0 if scored else limit * n
    if pool.get("reasons") and pool.get("revise"):
        calls, prompt, completion = calls + n, prompt + int(per_label * n), completion + limit * n
    from ..pool.strategies import resolve_strategy

    strategy = resolve_strategy(pool.get("strategy"))
    if hasattr(strategy, "teacher_calls"):  # strategies that ask the teacher say how often
        asked = strategy.teacher_calls(n)
        rationales, checks = asked["generated"], asked["scored"]
        calls += rationales + checks
        prompt += int(per_label * (rationales + checks))
        completion += limit * rationales + (0 if scored else limit * checks)
    return {"calls": calls, "prompt_tokens": prompt, "completion_tokens": completion}
