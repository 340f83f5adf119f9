"""Forward mode: dual numbers that differentiate through the op table's rules."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

from autograd import ops
from autograd.arithmetic import OpArithmetic
from autograd.ops import Op


def _is_number(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


class Dual(OpArithmetic):
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
