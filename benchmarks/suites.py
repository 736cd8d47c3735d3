"""Benchmark suites: what runs, and how big. The quick suite is what BENCHMARKS.md shows."""
from dataclasses import dataclass
from typing import Tuple


@dataclass
class Suite:
    """Datasets, shots, seeds and the sizes that bound a suite's run time."""

    name: str
    datasets: Tuple[str, ...]
    shots: Tuple[int, ...]
    seeds: Tuple[int, ...]
    rounds: int
    n_hard: int
    n_easy: int
    dev_cap: int  # dev examples used to pick the best round (0: all)
    test_cap: int  # test examples scored (0: all)
    teacher_test_cap: int  # test examples the teacher labels alone
    full_train_cap: int  # training examples for the full-shot ceiling (0: all)
    full_steps: int  # training steps for the full-shot ceiling
    student_steps: int  # training steps per round


SUITES = {
    # With the 0.5B local teacher (LocalHF.v2) on 2 CPU cores: 47 min, SST-2 17 and TREC-6 30 (BENCHMARKS.md).
    "quick": Suite("quick", ("sst2", "trec"), (1,), (0,), 2, 3, 1, 100, 300, 60, 2000, 300, 60),
    # Every dataset, k = 1 and 5, three seeds, 3 rounds, full test sets: about a day on 2 CPU cores
    # (hours on one GPU machine with a served teacher); see BENCHMARKS.md.
    "full": Suite("full", ("sst2", "trec", "emotion", "wnut17"), (1, 5), (0, 1, 2), 3, 4, 2, 0, 0, 500, 0, 2000, 100),
    # Seconds, with the scripted teacher and the CNN student: checks the harness (tests/benchmarks).
    "smoke": Suite("smoke", ("sst2", "wnut17"), (1,), (0,), 1, 2, 1, 40, 60, 20, 200, 20, 8),
}
