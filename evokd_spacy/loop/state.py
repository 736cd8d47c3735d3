"""The run folder: where each step's output lives, and the record of finished steps.

A step is finished when its output file exists; every file is written atomically, so a file
that exists is whole. `state.json` mirrors the last finished step for people and `status`.
"""
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from wasabi import msg

from ..util.io import atomic_write_json, atomic_write_jsonl, read_json, read_jsonl_lenient

class RunFolder:
    """Paths and step markers of one EvoKD run."""

    def __init__(self, output: Path, corpus: Path, cache: Optional[Path] = None) -> None:
        self.output = Path(output)
        self.corpus = Path(corpus)
        self._cache = Path(cache) if cache else None

    @property
    def cache(self) -> Path:
        """The teacher cache: `[paths] cache` when set (shared by runs), else the run's own."""
        return self._cache or self.output / "cache"

    @property
    def metrics(self) -> Path:
        return self.output / "metrics.jsonl"

    @property
    def ledger(self) -> Path:
        """The teacher budget's ledger: every call paid in this run, also in a step cut short."""
        return self.output / "teacher_budget.json"

    @property
    def state(self) -> Path:
        return self.output / "state.json"

    @property
    def model_best(self) -> Path:
        return self.output / "model-best"

    @property
    def dev_docbin(self) -> Path:
        return self.corpus / "dev.spacy"

    def round_dir(self, r: int) -> Path:
        return self.output / "rounds" / f"round_{r}"

    def step_file(self, r: int, step: str) -> Path:
        return self.round_dir(r) / f"{step}.json"

    def round_docbin(self, r: int) -> Path:
        return self.corpus / f"round_{r}.spacy"

    def round_jsonl(self, r: int) -> Path:
        return self.corpus / f"round_{r}.jsonl"

    def train_docbin(self, r: int) -> Path:
        return self.round_dir(r) / "train.spacy"

    def round_model(self, r: int) -> Path:
        return self.round_dir(r) / "model" / "model-best"

    def is_done(self, r: int, step: str) -> bool:
        """Whether the step's output exists and is whole; a corrupt one is set aside to be redone."""
        path = self.step_file(r, step)
        if not path.exists():
            return False
        try:
            read_json(path)
            return True
        except ValueError:
            self.set_aside(r, step, "was corrupt")
            if step == "train":  # the round's metrics line and model-best describe the weights being replaced
                self.set_aside(r, "metrics", "describes a student that is trained again")
                self.forget_best_copy(r)
            return False

    def forget_best_copy(self, r: int) -> None:
        """When `model-best` is a copy of round r's model, which is being retrained, mark it as a copy
        of no round, so that the next metrics step copies the retrained model even if r stays best."""
        marker = self.model_best / "meta.json"
        if marker.exists():
            meta = read_json(marker)
            if meta.get("evokd", {}).get("best_round") == r:
                atomic_write_json(marker, {**meta, "evokd": {**meta["evokd"], "best_round": None}})

    def set_aside(self, r: int, step: str, why: str) -> None:
        """Mark a finished step as not done (its file is kept as `<step>.corrupt`), so it runs again."""
        path = self.step_file(r, step)
        if path.exists():
            corrupt = path.with_suffix(".corrupt")
            path.replace(corrupt)
            msg.warn(f"Step output {path} {why} (kept as {corrupt.name}); the step runs again.")

    def load_step(self, r: int, step: str) -> Dict[str, Any]:
        return read_json(self.step_file(r, step))

    def save_step(self, r: int, step: str, data: Dict[str, Any]) -> None:
        """Record a finished step: its output file, then state.json."""
        atomic_write_json(self.step_file(r, step), data)
        atomic_write_json(self.state, {"round": r, "step": step, "time": time.strftime("%Y-%m-%dT%H:%M:%S")})

    def read_state(self) -> Optional[Dict[str, Any]]:
        return read_json(self.state) if self.state.exists() else None

    def read_metrics(self) -> List[Dict[str, Any]]:
        """Metrics lines, one per finished round (a half-written last line is ignored)."""
        return read_jsonl_lenient(self.metrics)

    def counted_metrics(self) -> List[Dict[str, Any]]:
        """Metrics lines of the rounds the run counts: rounds 0 to `[loop] rounds` as last started
        (recorded in run.json). A run continued with fewer rounds keeps the later rounds on disk,
        but its model-best, table and report leave them out."""
        lines = self.read_metrics()
        rounds = self.recorded_rounds()
        return lines if rounds is None else [m for m in lines if m.get("round", 0) <= rounds]

    def recorded_rounds(self) -> Optional[int]:
        """`[loop] rounds` of the run's last start, from run.json (None for a run started before it was recorded)."""
        run_json = self.output / "run.json"
        rounds = read_json(run_json).get("rounds") if run_json.exists() else None
        return None if rounds is None else int(rounds)

    def append_metrics(self, line: Dict[str, Any]) -> None:
        """Add or replace the line of `line['round']`, rewriting the file atomically."""
        lines = [m for m in self.read_metrics() if m.get("round") != line["round"]]
        lines.append(line)
        atomic_write_jsonl(self.metrics, sorted(lines, key=lambda m: m["round"]))
