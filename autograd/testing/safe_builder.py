"""SafeBuilder: emits instructions whose arguments are made safe, so programs are valid by design.

Every intermediate carries an interval bound. Before an instruction is emitted, each
argument whose bound is not inside one of its op's domain intervals (the row's `domain`:
where the op is defined, away from kinks and jumps) is squashed into one:
`center + half * a.tanh()` lies in (center - half, center + half) for every a. Then, while
the result could pass +-LIMIT or the op's slope along an argument could pass SLOPE_LIMIT,
the intervals the arguments are squashed into shrink toward their centers (halving, up to
SHRINKS times). Nothing here names an op but the squash's own tanh, `c * a` and `a + c`: a
new row is made safe from its domain, forward and rule alone. So no value is undefined or
overflows, and every step's local derivatives stay small (a derivative of the whole
program, their product along paths, stays well inside what the checkers can judge).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from autograd.testing.instructions import Constant, Interval, kind

LIMIT = 100.0
SLOPE_LIMIT = 25.0
SHRINKS = 8
TOLERANCE = 1e-9  # an argument's bound may pass its interval by rounding


def inside(bound: Interval, interval: Interval) -> bool:
    """True if bound lies in interval (up to rounding)."""
    (a, b), (lo, hi) = bound, interval
    slack = TOLERANCE * max(1.0, abs(lo), abs(hi))
    return lo - slack <= a and b <= hi + slack


def _overlap(bound: Interval, interval: Interval) -> float:
    return min(bound[1], interval[1]) - max(bound[0], interval[0])


def _squash_form(interval: Interval, times: int) -> tuple[float, float]:
    """(center, half) of a squash into interval shrunk 2**times-fold toward its center,
    rounded inward to a few digits so the program prints short constants."""
    lo, hi = interval
    center, half = (lo + hi) / 2.0, (hi - lo) / 2.0 / 2.0**times
    if half <= 0.0:
        return center, 0.0
    decimals = 2 - math.floor(math.log10(half))
    nice_center = round(center, decimals)
    half -= abs(nice_center - center)
    scale = 10.0**decimals
    return nice_center, math.floor(half * scale) / scale


class SafeBuilder:
    """Makes arguments safe, then calls emit(kind, operands, constant) -> handle.

    bound_of(handle) gives a handle's interval; handles are whatever the caller uses
    (positions in a program, subtrees of an expression).
    """

    def __init__(
        self,
        emit: Callable[[str, tuple, Constant], Any],
        bound_of: Callable[[Any], Interval],
    ) -> None:
        self._emit = emit
        self.bound_of = bound_of
        self._squashed: dict[Any, Any] = {}

    def squashed(self, handle: Any, center: float, half: float) -> Any:
        """handle if its bound lies in [center - half, center + half], else
        center + half * handle.tanh() (the form made once per handle and reused: fan-out)."""
        if inside(self.bound_of(handle), (center - half, center + half)):
            return handle
        key = (handle, center, half)
        if key not in self._squashed:
            if (handle, None, None) not in self._squashed:
                self._squashed[(handle, None, None)] = self._emit("tanh", (handle,), None)
            form = self._squashed[(handle, None, None)]
            if half != 1.0:
                form = self._emit("rmul_const", (form,), half)
            if center != 0.0:
                form = self._emit("add_const", (form,), center)
            self._squashed[key] = form
        return self._squashed[key]

    def _target(self, bound: Interval, intervals: tuple[Interval, ...], choice: int) -> Interval:
        """The interval to squash an argument with this bound into: the choice-th best overlap."""
        ranked = sorted(intervals, key=lambda interval: -_overlap(bound, interval))
        return ranked[choice % len(ranked)]

    def apply(
        self, name: str, operands: tuple, constant: Constant = None, choice: int = 0
    ) -> Any:
        """Emit kind name on operands after making them safe; return the new handle.

        choice picks which domain interval an argument is squashed into when it has to be
        (0: the one overlapping its bound most).
        """
        instruction = kind(name)
        if len(operands) != instruction.arity:
            raise ValueError(f"{name} takes {instruction.arity} operand(s), got {len(operands)}")
        bounds = [self.bound_of(h) for h in operands]
        # per argument: None (used as it is) or the domain interval it is squashed into
        targets: list[Interval | None] = []
        for k, (bound, intervals) in enumerate(
                zip(bounds, instruction.domain(constant), strict=True)):
            fits = any(inside(bound, interval) for interval in intervals)
            targets.append(None if fits else self._target(bound, intervals, choice + k))
        for times in range(SHRINKS + 1):
            forms = [None if t is None else _squash_form(t, times) for t in targets]
            boxes = tuple(b if f is None else (f[0] - f[1], f[0] + f[1])
                          for b, f in zip(bounds, forms, strict=True))
            analysis = instruction.analyse(boxes, constant)
            lo, hi = analysis.bound
            if max(abs(lo), abs(hi)) <= LIMIT and max(analysis.slopes, default=0.0) <= SLOPE_LIMIT:
                break
            if times == SHRINKS:
                break  # as good as it gets; still valid, only less well conditioned
            if times == 0:  # squash the arguments used as they were, to shrink them too
                targets = [next(i for i in intervals if inside(b, i)) if t is None else t
                           for b, t, intervals in zip(bounds, targets,
                                                      instruction.domain(constant), strict=True)]
        safe = tuple(h if f is None else self.squashed(h, *f)
                     for h, f in zip(operands, forms, strict=True))
        return self._emit(name, safe, constant)
