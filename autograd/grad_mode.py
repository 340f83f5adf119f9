"""Whether new operations record the graph: `no_grad()` switches recording off."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

_recording: ContextVar[bool] = ContextVar("autograd_recording", default=True)


def is_grad_enabled() -> bool:
    """True when operations on Values record parents for backprop."""
    return _recording.get()


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Within this block, results are leaves: no parents recorded, nothing to backprop.

    A contextvar, so other threads and asyncio tasks keep their own setting.
    """
    token = _recording.set(False)
    try:
        yield
    finally:
        _recording.reset(token)


@contextlib.contextmanager
def enable_grad() -> Iterator[None]:
    """Within this block operations record the graph, even inside an outer `no_grad()`."""
    token = _recording.set(True)
    try:
        yield
    finally:
        _recording.reset(token)
