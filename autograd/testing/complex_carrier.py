"""ComplexCarrier: runs a function written for Values on complex numbers, for the complex step."""

from __future__ import annotations

import numbers
from typing import Any

from autograd import ops
from autograd.ops import Op


class ComplexCarrier:
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

    def __add__(self, other: Any) -> ComplexCarrier:
        return self._apply(ops.ADD, self, other)

    def __radd__(self, other: Any) -> ComplexCarrier:
        return self._apply(ops.ADD, other, self)

    def __sub__(self, other: Any) -> ComplexCarrier:
        return self._apply(ops.SUB, self, other)

    def __rsub__(self, other: Any) -> ComplexCarrier:
        return self._apply(ops.SUB, other, self)

    def __mul__(self, other: Any) -> ComplexCarrier:
        return self._apply(ops.MUL, self, other)

    def __rmul__(self, other: Any) -> ComplexCarrier:
        return self._apply(ops.MUL, other, self)

    def __truediv__(self, other: Any) -> ComplexCarrier:
        return self._apply(ops.DIV, self, other)

    def __rtruediv__(self, other: Any) -> ComplexCarrier:
        return self._apply(ops.DIV, other, self)

    def __pow__(self, exponent: Any) -> ComplexCarrier:
        if isinstance(exponent, ComplexCarrier):
            return self._apply(ops.POW, self, exponent)
        if hasattr(exponent, "parents") and hasattr(exponent, "data"):
            return self._apply(ops.POW, self, exponent)
        if isinstance(exponent, bool) or not isinstance(exponent, numbers.Real):
            raise TypeError(
                f"pow: exponent must be a real number, got {type(exponent).__name__}"
            )
        return self._apply(ops.power_op(float(exponent)), self)

    def __rpow__(self, base: Any) -> ComplexCarrier:
        return self._apply(ops.POW, base, self)

    def __neg__(self) -> ComplexCarrier:
        return self._apply(ops.NEG, self)

    def __pos__(self) -> ComplexCarrier:
        return self

    def exp(self) -> ComplexCarrier:
        """e ** self."""
        return self._apply(ops.EXP, self)

    def log(self) -> ComplexCarrier:
        """Principal natural logarithm."""
        return self._apply(ops.LOG, self)

    def tanh(self) -> ComplexCarrier:
        """Hyperbolic tangent."""
        return self._apply(ops.TANH, self)

    def sigmoid(self) -> ComplexCarrier:
        """Logistic function."""
        return self._apply(ops.SIGMOID, self)

    def relu(self) -> ComplexCarrier:
        """z where the real part is positive, else 0."""
        return self._apply(ops.RELU, self)


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
