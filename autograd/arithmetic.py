"""OpArithmetic: Python's operators and Value's methods, each sent to one op-table entry."""

from __future__ import annotations

import numbers
from typing import Any

from autograd import ops


class OpArithmetic:
    """Mixin for number-like carriers (dual numbers, complex-step carriers).

    A subclass defines `_apply(op, *operands)`, which evaluates one op on its operands (self,
    other carriers, Values or plain numbers); this class maps `+ - * / **`, unary minus and
    exp/log/tanh/sigmoid/relu onto it, in the same shape as Value's API.
    """

    __slots__ = ()

    def __add__(self, other: Any) -> Any:
        return self._apply(ops.ADD, self, other)

    def __radd__(self, other: Any) -> Any:
        return self._apply(ops.ADD, other, self)

    def __sub__(self, other: Any) -> Any:
        return self._apply(ops.SUB, self, other)

    def __rsub__(self, other: Any) -> Any:
        return self._apply(ops.SUB, other, self)

    def __mul__(self, other: Any) -> Any:
        return self._apply(ops.MUL, self, other)

    def __rmul__(self, other: Any) -> Any:
        return self._apply(ops.MUL, other, self)

    def __truediv__(self, other: Any) -> Any:
        return self._apply(ops.DIV, self, other)

    def __rtruediv__(self, other: Any) -> Any:
        return self._apply(ops.DIV, other, self)

    def __pow__(self, exponent: Any) -> Any:
        if isinstance(exponent, numbers.Real) and not isinstance(exponent, bool):
            return self._apply(ops.power_op(float(exponent)), self)
        return self._apply(ops.POW, self, exponent)  # _apply refuses what it cannot carry

    def __rpow__(self, base: Any) -> Any:
        return self._apply(ops.POW, base, self)

    def __neg__(self) -> Any:
        return self._apply(ops.NEG, self)

    def __pos__(self) -> Any:
        return self

    def exp(self) -> Any:
        """e ** self."""
        return self._apply(ops.EXP, self)

    def log(self) -> Any:
        """Natural logarithm (principal branch on complex numbers)."""
        return self._apply(ops.LOG, self)

    def tanh(self) -> Any:
        """Hyperbolic tangent."""
        return self._apply(ops.TANH, self)

    def sigmoid(self) -> Any:
        """Logistic function."""
        return self._apply(ops.SIGMOID, self)

    def relu(self) -> Any:
        """max(self, 0) by the real part; the derivative at exactly 0 is 0."""
        return self._apply(ops.RELU, self)
