"""The instruction set of generated programs: how each runs, prints and bounds its result."""

from __future__ import annotations

import math
from typing import Any

Interval = tuple[float, float]

BINARY = ("add", "sub", "mul", "div", "pow")
WITH_CONSTANT = ("add_const", "rsub_const", "rmul_const", "rdiv_const", "pow_const", "rpow_const")
UNARY = ("neg", "exp", "log", "tanh", "sigmoid", "relu")
KINDS = BINARY + WITH_CONSTANT + UNARY

TEMPLATES = {
    "add": "{a} + {b}",
    "sub": "{a} - {b}",
    "mul": "{a} * {b}",
    "div": "{a} / {b}",
    "pow": "{a} ** {b}",
    "add_const": "{a} + {c}",
    "rsub_const": "{c} - {a}",
    "rmul_const": "{c} * {a}",
    "rdiv_const": "{c} / {a}",
    "pow_const": "{a} ** {c}",
    "rpow_const": "{c} ** {a}",
    "neg": "-{a}",
    "exp": "{a}.exp()",
    "log": "{a}.log()",
    "tanh": "{a}.tanh()",
    "sigmoid": "{a}.sigmoid()",
    "relu": "{a}.relu()",
}


def run(kind: str, operands: tuple, constant: float | None) -> Any:
    """Apply one instruction to Values (or duals, or complex carriers) with Value's API."""
    a = operands[0]
    b = operands[1] if len(operands) > 1 else None
    c = constant
    if kind == "add":
        return a + b
    if kind == "sub":
        return a - b
    if kind == "mul":
        return a * b
    if kind == "div":
        return a / b
    if kind == "pow":
        return a**b
    if kind == "add_const":
        return a + c
    if kind == "rsub_const":
        return c - a
    if kind == "rmul_const":
        return c * a
    if kind == "rdiv_const":
        return c / a
    if kind == "pow_const":
        return a**c
    if kind == "rpow_const":
        return c**a
    if kind == "neg":
        return -a
    if kind in ("exp", "log", "tanh", "sigmoid", "relu"):
        return getattr(a, kind)()
    raise ValueError(f"unknown instruction kind {kind!r}")


def text(kind: str, operands: tuple[str, ...], constant: float | None) -> str:
    """Python source of one instruction, given the source of its operands."""
    a = operands[0]
    b = operands[1] if len(operands) > 1 else ""
    return TEMPLATES[kind].format(a=a, b=b, c=repr(constant))


def _hull(*xs: float) -> Interval:
    return (min(xs), max(xs))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def _power_bound(a: Interval, c: float) -> Interval:
    lo, hi = a
    if c.is_integer() and c > 0 and int(c) % 2 == 0 and lo < 0 < hi:
        return (0.0, max(lo**c, hi**c))
    return _hull(lo**c, hi**c)


def bound(kind: str, operands: tuple[Interval, ...], constant: float | None) -> Interval:
    """An interval holding the result whenever each operand lies in its interval."""
    a = operands[0]
    b = operands[1] if len(operands) > 1 else (0.0, 0.0)
    c = constant
    if kind == "add":
        return (a[0] + b[0], a[1] + b[1])
    if kind == "sub":
        return (a[0] - b[1], a[1] - b[0])
    if kind == "mul":
        return _hull(a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1])
    if kind == "div":
        return _hull(a[0] / b[0], a[0] / b[1], a[1] / b[0], a[1] / b[1])
    if kind == "pow":
        logs = (math.log(a[0]), math.log(a[1]))
        return _hull(*(math.exp(x * y) for x in logs for y in b))
    if kind == "add_const":
        return (a[0] + c, a[1] + c)
    if kind == "rsub_const":
        return (c - a[1], c - a[0])
    if kind == "rmul_const":
        return _hull(c * a[0], c * a[1])
    if kind == "rdiv_const":
        return _hull(c / a[0], c / a[1])
    if kind == "pow_const":
        return _power_bound(a, c)
    if kind == "rpow_const":
        return _hull(c ** a[0], c ** a[1])
    if kind == "neg":
        return (-a[1], -a[0])
    if kind == "exp":
        return (math.exp(a[0]), math.exp(a[1]))
    if kind == "log":
        return (math.log(a[0]), math.log(a[1]))
    if kind == "tanh":
        return (math.tanh(a[0]), math.tanh(a[1]))
    if kind == "sigmoid":
        return (_sigmoid(a[0]), _sigmoid(a[1]))
    if kind == "relu":
        return (max(a[0], 0.0), max(a[1], 0.0))
    raise ValueError(f"unknown instruction kind {kind!r}")
