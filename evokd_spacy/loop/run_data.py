"""A run's labelled data, read and checked as a run starts: the seed pool (dev and test texts left
out), dev and test. `--dry-run` reads it the same way, so it stops where the run would."""
from dataclasses import dataclass, field
from typing import List, Set

from wasabi import msg

from ..data.kshot import sample_k_shot
from ..data.label_check import check_labels
from ..data.readers import read_samples
from ..data.span_check import warn_unaligned_spans
from ..errors import DataError
from ..ty import Sample
from ..util.io import read_jsonl_lenient
from .filters import normalise
from .settings import RunSettings
from .state import RunFolder


@dataclass
class RunData:
    """The checked seeds (k a label, sampled), dev and test samples, and the held-out texts."""

    seeds: List[Sample]
    dev: List[Sample]
    test: List[Sample] = field(default_factory=list)
    held_out: Set[str] = field(default_factory=set)  # normalised dev and test texts


def read_run_data(settings: RunSettings) -> RunData:
    """Read and check the seed, dev and test files against the label set, leave seed texts that
    are also dev or test texts out (with a warning), and sample the k-shot seeds."""
    paths, task, spec = settings.paths, settings.task, settings.spec
    pool = read_samples(paths["seeds"], "paths.seeds", spec=spec)
    check_labels(pool, spec, paths["seeds"], "paths.seeds")
    dev = read_samples(paths["dev"], "paths.dev", spec=spec)
    check_labels(dev, spec, paths["dev"], "paths.dev")
    test = read_samples(paths["test"], "paths.test", spec=spec) if paths.get("test") else []
    if spec.kind == "ner":
        for samples, key in ((pool, "paths.seeds"), (dev, "paths.dev"), (test, "paths.test")):
            warn_unaligned_spans(samples, paths.get(key.split(".")[1]), key, spec)
    held_out = {normalise(s.text) for s in dev + test}
    leaking = [s for s in pool if normalise(s.text) in held_out]
    if leaking:
        msg.warn(f"Removed {len(leaking)} seed example(s) that also appear in the dev/test data (leakage).")
        before = {label for s in pool for label in s.labels}
        pool = [s for s in pool if normalise(s.text) not in held_out]
        lost = sorted(before - {label for s in pool for label in s.labels})
        if lost:
            raise DataError(f"Every seed example of label(s) {', '.join(lost)} in {paths['seeds']} ('paths.seeds') is also a "
                            "dev or test text, so none is left to train on: give seeds that are not in 'paths.dev' or 'paths.test'.")
    seeds = sample_k_shot(pool, spec.label_names, int(task["k_shot"]), int(task["seed"]))
    return RunData(seeds=seeds, dev=dev, test=test, held_out=held_out)


def seeds_as_written(folder: RunFolder, seeds: List[Sample]) -> List[Sample]:
    """The seeds round 0 wrote, when they differ from `seeds` (sampled now from the same files and
    settings, which the run's identity check holds fixed): a version that reads or deduplicates
    texts differently can sample others, and the run's students were trained on round 0's."""
    written = [Sample.from_dict(row) for row in read_jsonl_lenient(folder.round_jsonl(0))]
    if not written or sorted(s.text for s in written) == sorted(s.text for s in seeds):
        return seeds
    msg.warn(f"The {len(seeds)} seeds sampled now are not the {len(written)} that round 0 wrote in {folder.round_jsonl(0)} "
             "(this version reads or deduplicates texts differently): the run goes on with round 0's seeds, which its "
             "students were trained on. Start a new run (another --paths.output) to sample them again.")
    return written
