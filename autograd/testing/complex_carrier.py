"""ComplexCarrier: runs a function written for Values on complex numbers, for the complex step."""

from __future__ import annotations

import numbers
from typing import Any

from autograd import ops
from autograd.arithmetic import OpArithmetic
from autograd.ops import Op


class ComplexCarrier(OpArithmetic):
    """A complex number with Value's arithmetic and methods, evaluated through the op table.

    Value rejects complex data on purpose, so the complex step runs the user's function on
    these instead; every operation goes through `ops.evaluate`, i.e. `Op.complex_forward`.
    """

    __slots__ = ("z",)

    def __init__(self, z: complex):
        self.z = complex(z)

    @property
    def primal(self) -> float:
        """The real part: what the same function would compute on plain Values."""
        return self.z.real

    def __repr__(self) -> str:
        return f"ComplexCarrier({self.z!r})"

    def _apply(self, op: Op, *args: Any) -> ComplexCarrier:
        return ComplexCarrier(ops.evaluate(op, *[_complex_of(a, op) for a in args]))


def _complex_of(x: Any, op: Op) -> complex:
    if isinstance(x, ComplexCarrier):
        return x.z
    if hasattr(x, "parents") and hasattr(x, "data"):
        return complex(x.data)
    if isinstance(x, bool) or not isinstance(x, numbers.Number):
        raise TypeError(
            f"{op.name} ({op.symbol}): cannot combine a complex-step carrier with "
            f"{type(x).__name__} {x!r}"
        )
    return complex(x)
