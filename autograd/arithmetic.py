"""Operators and methods from the op table, for Value and the number-like carriers.

`install_op_methods(cls)` gives a class one method per op (and alias), Python's operators
from the rows' `dunders`, `**` (a constant exponent or a carried one) and comparisons. The
class supplies `_unary(op)`, `_binary(op, other)` and `_reflected(op, other)`.
"""

from __future__ import annotations

import numbers
from typing import Any

from autograd import ops
from autograd.ops import Op


def is_real_number(x: Any) -> bool:
    """True for int, float and other real numbers (numpy scalars), never for bool."""
    if type(x) is float or type(x) is int:
        return True
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _unary_method(row: Op, name: str) -> Any:
    if row.parameters:
        def method(self: Any, *parameters: Any, **keywords: Any) -> Any:
            return self._unary(ops.bind_arguments(row, parameters, keywords))
    else:
        def method(self: Any) -> Any:
            return self._unary(row)
    method.__name__ = name
    method.__doc__ = row.doc
    return method


def _binary_method(row: Op, name: str, reflected: bool) -> Any:
    if reflected:
        def method(self: Any, other: Any) -> Any:
            return self._reflected(row, other)
    elif name.startswith("__"):
        def method(self: Any, other: Any) -> Any:
            return self._binary(row, other)  # NotImplemented lets Python try the other side
    else:
        def method(self: Any, other: Any) -> Any:
            result = self._binary(row, other)
            if result is NotImplemented:  # a dual number, an array, ...: apply decides
                return ops.apply(row, self, other)
            return result
    method.__name__ = name
    method.__doc__ = row.doc
    return method


def _pow(self: Any, exponent: Any) -> Any:
    if is_real_number(exponent):
        return self._unary(ops.power_op(exponent))
    return self._binary(ops.BY_NAME["pow"], exponent)


def _rpow(self: Any, base: Any) -> Any:
    return self._reflected(ops.BY_NAME["pow"], base)


def _comparison(name: str) -> Any:
    compare = getattr(float, name)

    def method(self: Any, other: Any) -> Any:
        if is_real_number(other):
            return compare(float(ops.primal(self)), float(other))
        if type(other).__module__ == "numpy" or not hasattr(other, "_unary"):
            return NotImplemented
        return compare(float(ops.primal(self)), float(ops.primal(other)))

    method.__name__ = name
    method.__doc__ = "Compare the numbers (`.data`) and return a bool; the graph is not involved."
    return method


def install_op_methods(cls: type) -> None:
    """Give cls a method per op and alias, the rows' operators, `**` and `< <= > >=`."""
    for row in ops.ROWS:
        for name in (row.name, *row.aliases):
            if row.arity == 1:
                setattr(cls, name, _unary_method(row, name))
            else:
                setattr(cls, name, _binary_method(row, name, reflected=False))
        for k, dunder in enumerate(row.dunders):
            if row.arity == 1:
                setattr(cls, dunder, _unary_method(row, dunder))
            else:
                setattr(cls, dunder, _binary_method(row, dunder, reflected=k == 1))
    cls.__pow__ = _pow
    cls.__rpow__ = _rpow
    for name in ("__lt__", "__le__", "__gt__", "__ge__"):
        setattr(cls, name, _comparison(name))


class OpArithmetic:
    """Mixin for number-like carriers (dual numbers, complex-step carriers).

    A subclass defines `_apply(op, *operands)`, which evaluates one op on its operands (self,
    other carriers, Values or plain numbers); every op of the table then works on it.
    """

    __slots__ = ()
    _carrier_rank = 1  # functions given a Value and a carrier of this kind return the carrier

    def _unary(self, op: Op) -> Any:
        return self._apply(op, self)

    def _binary(self, op: Op, other: Any) -> Any:
        return self._apply(op, self, other)

    def _reflected(self, op: Op, other: Any) -> Any:
        return self._apply(op, other, self)

    def _apply_op(self, op: Op, *args: Any) -> Any:
        return self._apply(op, *args)

    def __pos__(self) -> Any:
        return self


install_op_methods(OpArithmetic)
