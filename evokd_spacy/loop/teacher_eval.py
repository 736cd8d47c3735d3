"""How good is the teacher alone? Label the dev set with the labelling task and score it."""
import random
import time
from typing import Any, Dict, List, Optional, Tuple

from wasabi import msg

from ..review.store import read_batch
from ..tasks.request import result_of
from ..ty import Sample
from ..util.io import atomic_write_json, read_json
from .kinds import get_kind
from .label_choice import CHOICE_FILE, ECHO_FILE, apply_saved_choices, label_and_score
from .run_data import read_run_data
from .settings import RunSettings
from .state import RunFolder
from .teacher import build_teacher, prepare_labelling
from .threshold import choose_threshold, confidence_table


def dev_sample(dev: List[Sample], limit: Optional[int], seed: int) -> List[Sample]:
    """`limit` dev samples drawn at random (fixed by the run's seed), in file order; all without a
    limit. The first rows of a file sorted by label would hold one or two labels."""
    if not limit or limit >= len(dev):
        return list(dev)
    keep = set(random.Random(seed).sample(range(len(dev)), limit))
    return [sample for i, sample in enumerate(dev) if i in keep]


LABELLER_KEYS = ("teacher.model", "teacher.label", "paths.teacher")  # what a dev choice of the labeller was made for


def run_in_folder(folder: RunFolder, settings: RunSettings) -> Tuple[bool, bool]:
    """(same seeds, other choices): whether `folder` holds round 0 of a run whose data files and
    task and loop settings are these (so its seeds are the ones these settings draw; the teacher's
    and the student's settings do not change them), and whether its labeller (the teacher model
    and its labelling task) or those settings differ (so its dev choices were made for another).
    A run with other data or task or loop settings, or one whose corpus another run owns, is
    warned about."""
    from .run_identity import corpus_owner, edited_files, is_teacher_key
    from .settings import changed_keys, data_digests, run_fingerprint

    path = folder.output / "run.json"
    if not path.exists():
        return False, False
    owner = corpus_owner(folder)
    if owner is not None:
        msg.warn(f"{folder.corpus} holds the round data of the run in {owner}: its seeds are not used; they are drawn from these settings.")
        return False, True
    saved = read_json(path)
    changed = changed_keys(saved.get("settings", {}), run_fingerprint(settings))
    edited = [key for key in edited_files(saved, data_digests(settings)) if key != "student.preset"]
    others = [key for key in changed if not is_teacher_key(key) and not key.startswith("student.")] + edited
    if others:
        msg.warn(f"{folder.output} holds a run with other settings or data ({', '.join(sorted(others))}): its seeds and dev "
                 "choices are not used; the seeds are drawn from these settings.")
        return False, True
    labeller = [key for key in changed if key in LABELLER_KEYS or key.startswith(tuple(f"{k}." for k in LABELLER_KEYS))]
    return folder.round_jsonl(0).exists(), bool(labeller)


def evaluate_teacher(settings: RunSettings, limit: Optional[int] = None) -> Dict[str, Any]:
    """Label the dev texts (`limit` of them, drawn at random) with the teacher; scores go to `<output>/teacher_eval.json`,
    with the accuracy of the answers kept at each confidence threshold and the threshold to use.

    Calls go through the run's cache, so a later run (or a second evaluation) reuses them. Dev
    choices the run has made (`[loop] choose_exemplars`, `choose_echo`) are applied, so the
    labeller is scored as the run labels; a choice not made yet is left as configured.
    """
    spec, kind = settings.spec, get_kind(settings.spec.kind, settings.spec.exclusive)
    folder = RunFolder(settings.output, settings.corpus, settings.cache)
    data = read_run_data(settings)  # the run's seeds: dev and test texts left out before sampling
    dev = dev_sample(data.dev, limit, int(settings.task["seed"]))
    same_seeds, other_choices = run_in_folder(folder, settings)
    seeds = read_batch(folder, 0) if same_seeds else data.seeds  # as the run shows them
    teacher = build_teacher(settings.teacher_config, spec, folder.cache, progress=settings.loop["progress"])
    examples = [kind.example(s) for s in seeds]
    prepare_labelling(teacher, examples)
    choices = {} if other_choices else apply_saved_choices(teacher, kind, spec, examples, settings.loop, folder.output)
    if choices:
        msg.info(f"Labeller as the run chose on dev: {', '.join(f'{k} = {v}' for k, v in choices.items())}")
    missing = [key for key, made in (("choose_exemplars", "few_shot"), ("choose_echo", "echo")) if settings.loop[key] and made not in choices]
    if missing:
        made = other_choices and any((folder.output / name).exists() for name in (CHOICE_FILE, ECHO_FILE))
        why = f"made its [loop] {' and '.join(missing)} choice for another labeller" if made else \
            f"has not made its [loop] {' and '.join(missing)} choice yet"
        msg.warn(f"The run {why}: that part of the labeller is scored as configured.")
    start = time.perf_counter()
    scores, predicted = label_and_score(teacher, kind, spec, dev, "teacher on dev")
    seconds = time.perf_counter() - start
    confidences = [result_of(doc).get("confidence") for doc in predicted]
    table = confidence_table(confidences, [kind.is_correct(sample, kind.prediction(doc, spec)) for doc, sample in zip(predicted, dev)])
    result = {
        "teacher": teacher.name,
        "choices": choices,
        "n_docs": len(dev),
        "score": scores.get(kind.main_score),
        "scores": scores,
        "usage": teacher.client.usage.to_dict(),
        "docs_per_second": len(dev) / seconds if seconds > 0 else None,
        "confidence": table if any(c is not None for c in confidences) else [],
        "recommended_min_confidence": choose_threshold(table) if any(c is not None for c in confidences) else None,
    }
    atomic_write_json(folder.output / "teacher_eval.json", result)
    return result
