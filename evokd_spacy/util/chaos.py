"""Crash testing: run `evokd run CONFIG` to the end while SIGKILLing it at random moments."""
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Tuple


def run_with_kills(
    config: Path,
    progress: Callable[[], int],
    kills: int,
    rng: random.Random,
    max_wait: float = 0.6,
    stall_timeout: float = 120.0,
) -> Tuple[int, str]:
    """Start the CLI on `config`, kill it `kills` times, each at a random moment (up to `max_wait` s)
    after `progress()` grew, then let it finish. Returns (kills done, stderr of the final run);
    the final run must exit 0."""
    done = 0
    while True:
        proc = subprocess.Popen(
            [sys.executable, "-m", "evokd_spacy", "run", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        if done < kills:
            # Wait for some progress however slow the machine is, then kill at a random moment.
            before, deadline = progress(), time.monotonic() + stall_timeout
            while proc.poll() is None and progress() <= before and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, max_wait))
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
                done += 1
                continue
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"the run failed after {done} kills:\n{err[-3000:]}")
        return done, err
