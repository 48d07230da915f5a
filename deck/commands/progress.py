"""What a build says while it runs: one line per scene event, and why it is waiting."""

from __future__ import annotations

import sys
import time


class ProgressLine:
    """One line per event for the whole build: scenes done / to do, and elapsed time."""

    def __init__(self, total: int):
        self.total, self.done, self.start = total, 0, time.perf_counter()

    def __call__(self, scene: str, event: str, seconds: float) -> None:
        if event in ("rendered", "unchanged", "failed"):
            self.done += 1
        took = {
            "rendered": f" in {seconds:.0f} s",
            "unchanged": f" (output checked in {1000 * seconds:.0f} ms)",
        }.get(event, "")
        elapsed = time.perf_counter() - self.start
        print(
            f"[{self.done}/{self.total} scenes · {elapsed:5.0f} s] {scene} {event}{took}",
            flush=True,
        )


def waiting(message: str) -> None:
    """Said once when another build holds the build folder (deck/build/buildlock.py)."""
    print(f"deck: {message}", file=sys.stderr, flush=True)
