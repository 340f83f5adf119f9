"""The clock every timed phase reads: this process's CPU time by default, or wall time.

On a machine shared with other work (this one has 2 cores and often a load average above
2), wall time counts the time a measurement waits for a core; CPU time counts only the work
the measuring process did, its garbage collection included. `run.py --clock wall` measures
wall time instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable

CLOCKS: dict[str, Callable[[], float]] = {"cpu": time.process_time, "wall": time.perf_counter}
"""The clocks a run can use, by name."""

now: Callable[[], float] = time.process_time
"""Seconds on the chosen clock (set by `use`)."""


def use(name: str) -> None:
    """Read the clock `name` ("cpu" or "wall") from now on."""
    global now
    if name not in CLOCKS:
        raise ValueError(f"unknown clock {name!r}; choose from {sorted(CLOCKS)}")
    now = CLOCKS[name]
