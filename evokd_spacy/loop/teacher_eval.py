"""How good is the teacher alone? Label the dev set with the labelling task and score it."""
import time
from typing import Any, Dict, Optional

from ..data.kshot import sample_k_shot
from ..data.readers import read_samples
from ..tasks.request import result_of
from ..util.io import atomic_write_json
from .kinds import get_kind
from .label_choice import label_and_score
from .settings import RunSettings
from .state import RunFolder
from .teacher import build_teacher, prepare_labelling
from .threshold import choose_threshold, confidence_table


def evaluate_teacher(settings: RunSettings, limit: Optional[int] = None) -> Dict[str, Any]:
    """Label (up to `limit`) dev texts with the teacher; scores go to `<output>/teacher_eval.json`,
    with the accuracy of the answers kept at each confidence threshold and the threshold to use.

    Calls go through the run's cache, so a later run (or a second evaluation) reuses them.
    """
    spec, kind = settings.spec, get_kind(settings.spec.kind)
    folder = RunFolder(settings.output, settings.corpus, settings.cache)
    dev = read_samples(settings.paths["dev"], "paths.dev")[: limit or None]
    seeds = sample_k_shot(
        read_samples(settings.paths["seeds"], "paths.seeds"), spec.label_names, int(settings.task["k_shot"]), int(settings.task["seed"])
    )
    teacher = build_teacher(settings.teacher_config, spec, folder.cache, progress=settings.loop["progress"])
    prepare_labelling(teacher, [kind.example(s) for s in seeds])
    start = time.perf_counter()
    scores, predicted = label_and_score(teacher, kind, spec, dev, "teacher on dev")
    seconds = time.perf_counter() - start
    confidences = [result_of(doc).get("confidence") for doc in predicted]
    table = confidence_table(confidences, [kind.is_correct(sample, kind.prediction(doc, spec)) for doc, sample in zip(predicted, dev)])
    result = {
        "teacher": teacher.name,
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
