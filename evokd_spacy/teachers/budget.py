"""Counting a teacher's use (`TeacherUsage`) and the run's budget for it (`Budget`), whose ledger
on disk holds across restarts."""
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from wasabi import msg

from ..llm_io import TeacherResponse
from ..util.io import atomic_write_json


@dataclass
class TeacherUsage:
    """Counters of teacher use; `calls` are sent to the model, `cached` answered from disk.

    `prompt_tokens` and `completion_tokens` count the calls sent; `cached_tokens` counts the
    tokens of the answers that came from the cache (what those calls cost when first asked)."""

    calls: int = 0
    cached: int = 0
    cached_tokens: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0

    def to_dict(self) -> Dict[str, Any]:
        return {**asdict(self), "seconds": round(self.seconds, 3)}

    def minus(self, other: "TeacherUsage") -> "TeacherUsage":
        return TeacherUsage(**{k: getattr(self, k) - getattr(other, k) for k in asdict(self)})

    def copy(self) -> "TeacherUsage":
        return TeacherUsage(**asdict(self))


class Budget:
    """The run's teacher budget (calls and tokens, 0 = no limit), with a ledger kept on disk so
    that it holds across restarts."""

    def __init__(
        self,
        ledger: Optional[Path] = None,
        max_calls: int = 0,
        max_tokens: int = 0,
        max_cost: float = 0.0,
        cost_per_1k: Tuple[float, float] = (0.0, 0.0),
    ) -> None:
        self.ledger = Path(ledger) if ledger else None
        self.max_calls, self.max_tokens, self.max_cost = max_calls, max_tokens, max_cost
        self.cost_per_1k = cost_per_1k  # (prompt, completion) price per 1,000 tokens
        self.spent: Dict[str, float] = {"calls": 0, "tokens": 0, "cost": 0.0}
        if self.ledger and self.ledger.exists():
            try:
                self.spent.update(json.loads(self.ledger.read_text(encoding="utf8")))
            except ValueError:
                msg.warn(f"Budget ledger {self.ledger} is corrupt; counting from zero.")

    def spend(self, answer: TeacherResponse) -> None:
        self.spent["calls"] += 1 + int(getattr(answer, "extra_calls", 0) or 0)
        prompt, completion = answer.prompt_tokens or 0, answer.completion_tokens or 0
        self.spent["tokens"] += prompt + completion
        self.spent["cost"] += (prompt * self.cost_per_1k[0] + completion * self.cost_per_1k[1]) / 1000
        if self.ledger:
            atomic_write_json(self.ledger, self.spent)

    def calls_left(self) -> Optional[int]:
        """How many more calls may start (None: no limit)."""
        if self.exhausted():
            return 0
        return max(0, self.max_calls - self.spent["calls"]) if self.max_calls else None

    def exhausted(self) -> bool:
        return bool(
            (self.max_calls and self.spent["calls"] >= self.max_calls)
            or (self.max_tokens and self.spent["tokens"] >= self.max_tokens)
            or (self.max_cost and self.spent["cost"] >= self.max_cost)
        )

    def describe(self) -> str:
        return (
            f"Teacher budget reached: {self.spent['calls']} calls, {self.spent['tokens']} tokens, estimated cost "
            f"{self.spent['cost']:.4f} (limits: {self.max_calls or 'none'} calls, {self.max_tokens or 'none'} tokens, "
            f"{self.max_cost or 'none'} cost). Everything so far is saved; run again with a larger "
            "--loop.max_teacher_calls / --loop.max_teacher_tokens / --loop.max_teacher_cost to continue."
        )
