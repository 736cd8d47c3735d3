"""A run's labelled data, read and checked as a run starts: the seed pool (dev and test texts left
out), dev and test. `--dry-run` reads it the same way, so it stops where the run would."""
from dataclasses import dataclass, field
from typing import List, Set

from wasabi import msg

from ..data.kshot import sample_k_shot
from ..data.label_check import check_labels
from ..data.readers import read_samples
from ..ty import Sample
from .filters import normalise
from .settings import RunSettings


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
    pool = read_samples(paths["seeds"], "paths.seeds")
    check_labels(pool, spec, paths["seeds"], "paths.seeds")
    dev = read_samples(paths["dev"], "paths.dev")
    check_labels(dev, spec, paths["dev"], "paths.dev")
    test = read_samples(paths["test"], "paths.test") if paths.get("test") else []
    held_out = {normalise(s.text) for s in dev + test}
    leaking = [s for s in pool if normalise(s.text) in held_out]
    if leaking:
        msg.warn(f"Removed {len(leaking)} seed example(s) that also appear in the dev/test data (leakage).")
        pool = [s for s in pool if normalise(s.text) not in held_out]
    seeds = sample_k_shot(pool, spec.label_names, int(task["k_shot"]), int(task["seed"]))
    return RunData(seeds=seeds, dev=dev, test=test, held_out=held_out)
