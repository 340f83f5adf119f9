"""Whether new operations record the graph: `no_grad()` switches recording off."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextvars import ContextVar

_recording: ContextVar[bool] = ContextVar("autograd_recording", default=True)

open_no_grad_blocks = [0]
"""How many `no_grad()` blocks are open in any thread or task, in a one-item list.

While it is 0, every context records, so building a node need not read the contextvar
(a read costs as much as a third of making the node); otherwise the contextvar decides.
"""
_count_lock = threading.Lock()


def is_grad_enabled() -> bool:
    """True when operations on Values record parents for backprop."""
    return _recording.get()


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Within this block, results are leaves: no parents recorded, nothing to backprop.

    A contextvar, so other threads and asyncio tasks keep their own setting.
    """
    with _count_lock:
        open_no_grad_blocks[0] += 1
    token = _recording.set(False)
    try:
        yield
    finally:
        _recording.reset(token)
        with _count_lock:
            open_no_grad_blocks[0] -= 1


@contextlib.contextmanager
def enable_grad() -> Iterator[None]:
    """Within this block operations record the graph, even inside an outer `no_grad()`."""
    token = _recording.set(True)
    try:
        yield
    finally:
        _recording.reset(token)
