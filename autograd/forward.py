"""Forward mode: dual numbers that differentiate through the op table's rules."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

from autograd import ops
from autograd.ops import Op


def _is_number(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


class Dual:
    """A number primal + tangent * eps with eps**2 = 0: carries one directional derivative."""

    __slots__ = ("primal", "tangent")

    def __init__(self, primal: Any, tangent: Any = 0.0):
        for name, x in (("primal", primal), ("tangent", tangent)):
            if not _is_number(x):
                raise TypeError(f"Dual() takes a real {name}, got {type(x).__name__} {x!r}")
        self.primal = float(primal)
        self.tangent = float(tangent)

    def __repr__(self) -> str:
        return f"Dual(primal={self.primal!r}, tangent={self.tangent!r})"

    def _apply(self, op: Op, *args: Any) -> Dual:
        """Push (primal, tangent) pairs through op: tangent = sum_i rule_i * tangent_i."""
        duals = [a if isinstance(a, Dual) else _constant(a, op) for a in args]
        primals = [d.primal for d in duals]
        out = ops.evaluate(op, *primals)
        local = op.rule(*primals, out)
        tangent = 0.0
        for derivative, d in zip(local, duals, strict=True):
            if d.tangent != 0.0:
                tangent += derivative * d.tangent
        return Dual(out, tangent)

    def __add__(self, other: Any) -> Dual:
        return self._apply(ops.ADD, self, other)

    def __radd__(self, other: Any) -> Dual:
        return self._apply(ops.ADD, other, self)

    def __sub__(self, other: Any) -> Dual:
        return self._apply(ops.SUB, self, other)

    def __rsub__(self, other: Any) -> Dual:
        return self._apply(ops.SUB, other, self)

    def __mul__(self, other: Any) -> Dual:
        return self._apply(ops.MUL, self, other)

    def __rmul__(self, other: Any) -> Dual:
        return self._apply(ops.MUL, other, self)

    def __truediv__(self, other: Any) -> Dual:
        return self._apply(ops.DIV, self, other)

    def __rtruediv__(self, other: Any) -> Dual:
        return self._apply(ops.DIV, other, self)

    def __pow__(self, exponent: Any) -> Dual:
        if isinstance(exponent, Dual):
            return self._apply(ops.POW, self, exponent)
        if not _is_number(exponent):
            raise TypeError(
                f"pow: exponent must be a real number or a Dual, got {type(exponent).__name__}"
            )
        return self._apply(ops.power_op(float(exponent)), self)

    def __rpow__(self, base: Any) -> Dual:
        return self._apply(ops.POW, base, self)

    def __neg__(self) -> Dual:
        return self._apply(ops.NEG, self)

    def __pos__(self) -> Dual:
        return self

    def exp(self) -> Dual:
        """e ** self."""
        return self._apply(ops.EXP, self)

    def log(self) -> Dual:
        """Natural logarithm; raises DomainError for primal <= 0."""
        return self._apply(ops.LOG, self)

    def tanh(self) -> Dual:
        """Hyperbolic tangent."""
        return self._apply(ops.TANH, self)

    def sigmoid(self) -> Dual:
        """Logistic function."""
        return self._apply(ops.SIGMOID, self)

    def relu(self) -> Dual:
        """max(self, 0); the derivative at exactly 0 is 0."""
        return self._apply(ops.RELU, self)


def _constant(x: Any, op: Op) -> Dual:
    if hasattr(x, "parents") and hasattr(x, "data"):
        return Dual(x.data, 0.0)
    if not _is_number(x):
        raise TypeError(f"{op.name} ({op.symbol}): cannot combine a Dual with "
                        f"{type(x).__name__} {x!r}")
    return Dual(x, 0.0)


def jvp(
    f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]
) -> tuple[float, float]:
    """Return (f(*primals), directional derivative of f at primals along tangents).

    >>> jvp(lambda x, y: x * y + y.exp(), (2.0, 0.0), (1.0, 0.0))
    (1.0, 0.0)
    """
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ValueError(
            f"jvp needs one tangent per primal, got {len(primals)} primals "
            f"and {len(tangents)} tangents"
        )
    args = [Dual(ops.primal(p), ops.primal(t)) for p, t in zip(primals, tangents, strict=True)]
    out = f(*args)
    if isinstance(out, Dual):
        return out.primal, out.tangent
    if _is_number(out):
        return float(out), 0.0
    name = getattr(f, "__name__", "f")
    raise TypeError(f"{name} must return a Dual or a number under jvp, got {type(out).__name__}")
