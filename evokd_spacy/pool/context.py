"""What a selection strategy may use besides the candidates."""
import random
from dataclasses import dataclass
from typing import Any, Callable, Optional

from ..ty import TaskKind, TaskSpec


@dataclass
class SelectionContext:
    """The run's task, a seeded random generator for the round, and (lazily) the teacher."""

    spec: TaskSpec
    kind: TaskKind
    round: int
    seed: int
    get_teacher: Optional[Callable[[], Any]] = None  # returns the loop's Teacher (client + tasks)

    @property
    def rng(self) -> random.Random:
        """A generator seeded by the run's seed and the round: the same picks on a re-run."""
        return random.Random(self.seed * 1_000_003 + self.round)

    def teacher(self) -> Any:
        """The loop's teacher; strategies that ask it call this (it is built on first use)."""
        if self.get_teacher is None:
            raise RuntimeError("This selection needs the teacher, but none was given to the selection context.")
        return self.get_teacher()
