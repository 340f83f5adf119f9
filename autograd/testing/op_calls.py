"""call_op: apply an op-table entry through Value's public API (operators and methods)."""

from __future__ import annotations

import operator
from typing import Any

from autograd.ops import Op


def constant_exponent(op: Op) -> float:
    """The exponent c of a pow_const entry (x ** c)."""
    if op.name != "pow_const" or op.parameter is None:
        raise ValueError(f"{op.name} ({op.symbol}) is not a constant power")
    return op.parameter


def call_op(op: Op, *args: Any) -> Any:
    """op applied to Values (or duals, or complex carriers) the way a user would write it.

    Ops with a Python operator use it (`a + b`, `-a`, `abs(a)`, `a ** 2.0`); every other op
    is called as a method, with the op's bound parameters (`a.clip(-1.0, 1.0)`).
    """
    if len(args) != op.arity:
        raise TypeError(f"{op.name} takes {op.arity} argument(s), got {len(args)}")
    if op.name in ("pow", "pow_const"):
        return args[0] ** (args[1] if op.name == "pow" else constant_exponent(op))
    if op.dunders:
        return getattr(operator, op.dunders[0].strip("_"))(*args)
    return getattr(args[0], op.name)(*args[1:], *(op.bound or ()))
