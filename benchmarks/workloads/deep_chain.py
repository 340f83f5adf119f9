"""The deep chain: x = x * 1.0001 + 0.1, repeated, then backward from the last x.

d x_N / d x_0 = 1.0001 ** N exactly, so each run also checks the gradient. The benchmark
searches for the deepest chain that still backpropagates in each engine (doubling, then
bisecting between the last depth that worked and the first that failed), each depth in a
fresh process, so a crash of the interpreter only ends that one attempt.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from benchmarks import clock

FACTOR = 1.0001
SHIFT = 0.1
START = 0.5


def build_chain(make_leaf: Callable[[float], Any], depth: int) -> tuple[Any, Any]:
    """The chain's first leaf and its last node (4 nodes a step: two constants, *, +)."""
    x0 = make_leaf(START)
    x = x0
    for _ in range(depth):
        x = x * FACTOR + SHIFT
    return x0, x


def gradient_error(x0: Any, depth: int) -> float:
    """Relative error of x0's gradient after backward, against 1.0001 ** depth."""
    expected = FACTOR ** depth
    return abs(float(x0.grad) - expected) / expected


def run_chain(make_leaf: Callable[[float], Any], depth: int) -> dict[str, Any]:
    """Build and backpropagate a chain of `depth` steps; report time and the gradient check."""
    start = clock.now()
    x0, x = build_chain(make_leaf, depth)
    built = clock.now()
    x.backward()
    done = clock.now()
    return {
        "depth": depth,
        "build_seconds": built - start,
        "backward_seconds": done - built,
        "seconds": done - start,
        "gradient": float(x0.grad),
        "gradient_relative_error": gradient_error(x0, depth),
    }


def next_depth(ok: int, failed: int | None, cap: int, start: int) -> int | None:
    """The next depth to try given the deepest that worked (0: none yet) and the shallowest
    that failed; None when the search is done (cap reached, or bisected to within 5%)."""
    if failed is None:
        if ok >= cap:
            return None
        return min(cap, max(start, ok * 2))
    if ok == 0 and failed <= 1:
        return None
    if failed - ok <= max(1, failed // 20):
        return None
    return (ok + failed) // 2


def gradient_error_of(result: dict[str, Any]) -> float:
    """Relative error of the leaf gradient a graph measurement of the chain reported."""
    expected = FACTOR ** result["depth"]
    return abs(result["leaf_grad"] - expected) / expected
