"""SafeBuilder: emits instructions whose arguments are made safe, so programs are valid by design.

Every intermediate carries an interval bound. Before an instruction is emitted its
arguments are rewritten when the bound says they could leave the op's domain or blow up:
log, division and fractional or negative powers get `a ** 2.0 + 1.0` (>= 1) in place of a;
exp and the exponent of a power get `a.tanh()` when too large; and any result whose bound
would pass LIMIT has its largest argument squashed with tanh first. No value can then be
undefined, overflow, or have a derivative larger than a few thousand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd.testing.instructions import Interval, bound

LIMIT = 100.0
SAFE_POSITIVE = 0.1
SQUARE_ARGUMENT_LIMIT = 5.0


class SafeBuilder:
    """Makes arguments safe, then calls emit(kind, operands, constant) -> handle.

    bound_of(handle) gives a handle's interval; handles are whatever the caller uses
    (positions in a program, subtrees of an expression).
    """

    def __init__(
        self,
        emit: Callable[[str, tuple, float | None], Any],
        bound_of: Callable[[Any], Interval],
    ) -> None:
        self._emit = emit
        self.bound_of = bound_of
        self._positive_forms: dict[Any, Any] = {}

    def _magnitude(self, handle: Any) -> float:
        lo, hi = self.bound_of(handle)
        return max(abs(lo), abs(hi))

    def squashed(self, handle: Any, limit: float) -> Any:
        """handle itself if its bound stays within +-limit, else handle.tanh()."""
        if self._magnitude(handle) <= limit:
            return handle
        return self._emit("tanh", (handle,), None)

    def positive(self, handle: Any) -> Any:
        """handle if surely in [0.1, LIMIT], else handle ** 2.0 + 1.0 (squashed first if big).

        The rewritten form is made once per handle and reused, adding more fan-out.
        """
        lo, hi = self.bound_of(handle)
        if lo >= SAFE_POSITIVE and hi <= LIMIT:
            return handle
        if handle not in self._positive_forms:
            small = self.squashed(handle, SQUARE_ARGUMENT_LIMIT)
            square = self._emit("pow_const", (small,), 2.0)
            self._positive_forms[handle] = self._emit("add_const", (square,), 1.0)
        return self._positive_forms[handle]

    def nonzero(self, handle: Any) -> Any:
        """handle if surely at least 0.1 away from 0 (and within LIMIT), else a positive form."""
        lo, hi = self.bound_of(handle)
        if (lo >= SAFE_POSITIVE or hi <= -SAFE_POSITIVE) and self._magnitude(handle) <= LIMIT:
            return handle
        return self.positive(handle)

    def _within_limit(self, kind: str, operands: tuple, constant: float | None) -> tuple:
        """Squash the largest operand until the result's bound lies within +-LIMIT."""
        operands = list(operands)
        while True:
            lo, hi = bound(kind, tuple(self.bound_of(h) for h in operands), constant)
            if max(abs(lo), abs(hi)) <= LIMIT:
                return tuple(operands)
            biggest = max(range(len(operands)), key=lambda k: self._magnitude(operands[k]))
            if self._magnitude(operands[biggest]) <= 1.0:
                return tuple(operands)
            operands[biggest] = self.squashed(operands[biggest], 1.0)

    def apply(self, kind: str, operands: tuple, constant: float | None = None) -> Any:
        """Emit kind on operands after making them safe; return the new handle."""
        if kind == "div":
            operands = (operands[0], self.nonzero(operands[1]))
        elif kind == "rdiv_const":
            operands = (self.nonzero(operands[0]),)
        elif kind == "log":
            operands = (self.positive(operands[0]),)
        elif kind == "exp":
            operands = (self.squashed(operands[0], 4.0),)
        elif kind == "pow":
            operands = (self.positive(operands[0]), self.squashed(operands[1], 1.0))
        elif kind == "rpow_const":
            operands = (self.squashed(operands[0], 4.0),)
        elif kind == "pow_const" and (constant < 0 or not float(constant).is_integer()):
            operands = (self.positive(operands[0]) if not float(constant).is_integer()
                        else self.nonzero(operands[0]),)
        operands = self._within_limit(kind, operands, constant)
        return self._emit(kind, operands, constant)
