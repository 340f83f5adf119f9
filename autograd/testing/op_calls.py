"""call_op: apply an op-table entry through Value's public API (operators and methods)."""

from __future__ import annotations

from typing import Any

from autograd.ops import Op

_BINARY_OPERATORS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
}
_METHODS = ("exp", "log", "tanh", "sigmoid", "relu")


def constant_exponent(op: Op) -> float:
    """The exponent c of a power_op(c) entry."""
    if op.name != "pow_const" or op.parameter is None:
        raise ValueError(f"{op.name} ({op.symbol}) is not a constant power")
    return op.parameter


def call_op(op: Op, *args: Any) -> Any:
    """op applied to Values (or duals, or complex carriers) the way a user would write it."""
    if len(args) != op.arity:
        raise TypeError(f"{op.name} takes {op.arity} argument(s), got {len(args)}")
    if op.name in _BINARY_OPERATORS:
        return _BINARY_OPERATORS[op.name](*args)
    if op.name == "neg":
        return -args[0]
    if op.name == "pow_const":
        return args[0] ** constant_exponent(op)
    if op.name in _METHODS:
        return getattr(args[0], op.name)()
    raise ValueError(f"call_op does not know how to apply op {op.name!r} ({op.symbol})")
