"""The op table: each operation's forward function, local derivative rule and formula text.

A rule receives the op's inputs and its output and returns d out / d input_i for every
input. Rules use only arithmetic and the functions at the bottom of this file, so the same
rule runs on floats (plain backprop), on Values (create_graph) and on dual numbers.
"""

from __future__ import annotations

import cmath
import math
import operator
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from autograd.errors import domain_error_for

Interval = tuple[float, float]

SMOOTH = ((-4.0, 4.0),)
POSITIVE = ((0.05, 6.0),)
NONZERO = ((-4.0, -0.1), (0.1, 4.0))


@dataclass(frozen=True, slots=True)
class Op:
    """One operation: how to compute it and how to differentiate it."""

    name: str
    symbol: str
    arity: int
    forward: Callable[..., float]
    rule: Callable[..., tuple]
    formulas: tuple[str, ...]
    domain: tuple[tuple[Interval, ...], ...]
    complex_forward: Callable[..., complex] | None = None
    parameter: float | None = None


def primal(x: Any) -> Any:
    """Return the plain number behind a Value or dual number; numbers and arrays pass through."""
    if isinstance(x, (int, float)):
        return x
    if isinstance(x, complex):
        return x.real
    if hasattr(x, "primal"):
        return x.primal
    if hasattr(x, "parents"):
        return x.data
    return x


def _numpy_of(x: Any) -> Any:
    """The numpy module if x is a numpy array or scalar (numpy is then already imported)."""
    if type(x).__module__ == "numpy":
        return sys.modules["numpy"]
    return None


def _divide(x: float, y: float) -> float:
    if y == 0:
        raise ZeroDivisionError(f"division by zero: x / y with y = {y!r}")
    return x / y


def _log(x: float) -> float:
    if not x > 0:
        raise ValueError(f"log(x) needs x > 0; got x = {x!r}")
    return math.log(x)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(
            f"exp(x) overflows a float for x > 709.78; got x = {x!r}"
        ) from None


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _relu(x: float) -> float:
    return x if x > 0 or x != x else 0.0  # nan stays nan, so it can be seen downstream


def _power(x: float, y: float) -> float:
    if x < 0 and not float(y).is_integer():
        raise ValueError(
            f"x ** y with a negative base needs an integer exponent; got x = {x!r}, y = {y!r}"
        )
    if x == 0 and y < 0:
        raise ZeroDivisionError(f"x ** y divides by zero; got x = {x!r}, y = {y!r}")
    try:
        return float(x) ** y
    except OverflowError:
        raise OverflowError(f"x ** y overflows a float; got x = {x!r}, y = {y!r}") from None


def _power_of_positive_base(x: float, y: float) -> float:
    if not x > 0:
        raise ValueError(
            "x ** y with a Value exponent needs x > 0 (d/dy = out * log(x)); "
            f"got x = {x!r}, y = {y!r}"
        )
    return _power(x, y)


def _complex_sigmoid(z: complex) -> complex:
    return 1 / (1 + cmath.exp(-z))


def _complex_relu(z: complex) -> complex:
    return z if z.real > 0 else 0j


def _pow_rule_exponent(x: Any, y: Any, out: Any) -> Any:
    return out * log(x)


ADD = Op("add", "+", 2, operator.add, lambda x, y, out: (1.0, 1.0), ("1", "1"), (SMOOTH, SMOOTH))
SUB = Op("sub", "-", 2, operator.sub, lambda x, y, out: (1.0, -1.0), ("1", "-1"), (SMOOTH, SMOOTH))
MUL = Op("mul", "*", 2, operator.mul, lambda x, y, out: (y, x), ("y", "x"), (SMOOTH, SMOOTH))
DIV = Op(
    "div", "/", 2, _divide,
    lambda x, y, out: (1.0 / y, -out / y),
    ("1 / y", "-out / y"),
    (SMOOTH, NONZERO),
    operator.truediv,
)
NEG = Op("neg", "neg", 1, operator.neg, lambda x, out: (-1.0,), ("-1",), (SMOOTH,))
POW = Op(
    "pow", "**", 2, _power_of_positive_base,
    lambda x, y, out: (y * x ** (y - 1.0), _pow_rule_exponent(x, y, out)),
    ("y * x**(y - 1)", "out * log(x)"),
    (POSITIVE, ((-3.0, 3.0),)),
    operator.pow,
)
EXP = Op("exp", "exp", 1, _exp, lambda x, out: (out,), ("out",), (SMOOTH,), cmath.exp)
LOG = Op("log", "log", 1, _log, lambda x, out: (1.0 / x,), ("1 / x",), (POSITIVE,), cmath.log)
TANH = Op(
    "tanh", "tanh", 1, math.tanh,
    lambda x, out: (1.0 - out * out,), ("1 - out**2",), (SMOOTH,), cmath.tanh,
)
SIGMOID = Op(
    "sigmoid", "sigmoid", 1, _sigmoid,
    lambda x, out: (out * (1.0 - out),), ("out * (1 - out)",), (SMOOTH,), _complex_sigmoid,
)
RELU = Op(
    "relu", "relu", 1, _relu,
    lambda x, out: ((primal(x) > 0) * 1.0,),
    ("1 if x > 0 else 0",),
    (((-4.0, -0.05), (0.05, 4.0)),),
    _complex_relu,
)


def _text(c: float) -> str:
    """Shortest text for a constant that still reads back as exactly that number."""
    short = f"{c:g}"
    return short if float(short) == c else repr(c)


@lru_cache(maxsize=1024)
def power_op(exponent: float) -> Op:
    """Return the op x ** exponent for a constant exponent (cached per exponent)."""
    c = float(exponent)
    if c.is_integer():
        domain = (NONZERO,) if c < 0 else (SMOOTH,)
    else:
        domain = (POSITIVE,)
    if c == 0:  # d(x**0)/dx = 0 everywhere, also at x = 0 where x**-1 is undefined
        rule, formula = (lambda x, out: (0.0,)), "0"
    else:
        rule, formula = (lambda x, out: (c * x ** (c - 1.0),)), f"{_text(c)} * x**{_text(c - 1.0)}"
    return Op(
        name="pow_const",
        symbol=f"**{_text(c)}",
        arity=1,
        forward=lambda x: _power(x, c),
        rule=rule,
        formulas=(formula,),
        domain=domain,
        complex_forward=lambda z: z**c,
        parameter=c,
    )


TABLE: tuple[Op, ...] = (
    ADD, SUB, MUL, DIV, NEG, POW, EXP, LOG, TANH, SIGMOID, RELU,
    power_op(2.0), power_op(3.0), power_op(-1.0), power_op(0.5), power_op(-1.5),
    power_op(0.0), power_op(1.0),
)
"""Every op the engine knows, including sample constant powers; tests iterate over it."""


def evaluate(op: Op, *inputs: Any) -> Any:
    """Run op's forward function on plain numbers, raising the engine's domain errors."""
    forward = op.forward
    if any(isinstance(x, complex) for x in inputs):
        forward = op.complex_forward or op.forward
    try:
        return forward(*inputs)
    except (ArithmeticError, ValueError) as err:
        raise domain_error_for(err)(str(err)) from None


def _apply_unary(op: Op, method: str, x: Any) -> Any:
    if isinstance(x, (int, float, complex)) and not isinstance(x, bool):
        return evaluate(op, x if isinstance(x, complex) else float(x))
    numpy = _numpy_of(x)
    if numpy is not None and hasattr(numpy, method):
        return getattr(numpy, method)(x)
    if hasattr(x, method):
        return getattr(x, method)()
    raise TypeError(f"{op.name}() takes a number or a Value, got {type(x).__name__}: {x!r}")


def exp(x: Any) -> Any:
    """e ** x for a float, a Value or a dual number."""
    return _apply_unary(EXP, "exp", x)


def log(x: Any) -> Any:
    """Natural logarithm of a float, a Value or a dual number."""
    return _apply_unary(LOG, "log", x)


def tanh(x: Any) -> Any:
    """Hyperbolic tangent of a float, a Value or a dual number."""
    return _apply_unary(TANH, "tanh", x)


def sigmoid(x: Any) -> Any:
    """Logistic function 1 / (1 + e**-x), finite for every finite x."""
    return _apply_unary(SIGMOID, "sigmoid", x)


def relu(x: Any) -> Any:
    """max(x, 0); its derivative at exactly 0 is taken to be 0."""
    return _apply_unary(RELU, "relu", x)
