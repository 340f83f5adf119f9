"""Arithmetic rows: + - * / ** and %, negation, square and reciprocal."""

from __future__ import annotations

import math
import operator
from typing import Any

from autograd.ops.op import NONZERO, POSITIVE, SMOOTH, Op, number_text, numpy_of, primal, table


def _divide(x: float, y: float) -> float:
    if y == 0:
        raise ZeroDivisionError(f"division by zero: x / y with y = {y!r}")
    return x / y


def _reciprocal(x: float) -> float:
    if x == 0:
        raise ZeroDivisionError(f"reciprocal(x) divides by zero; got x = {x!r}")
    return 1.0 / x


def _power(x: float, c: float) -> float:
    if x < 0 and not float(c).is_integer():
        raise ValueError(
            f"x ** y with a negative base needs an integer exponent; got x = {x!r}, y = {c!r}"
        )
    if x == 0 and c < 0:
        raise ZeroDivisionError(f"x ** y divides by zero; got x = {x!r}, y = {c!r}")
    try:
        return float(x) ** c
    except OverflowError:
        raise OverflowError(f"x ** y overflows a float; got x = {x!r}, y = {c!r}") from None


def _power_of_value(x: float, y: float) -> float:
    if x < 0 or (x == 0 and not y > 0):
        raise ValueError(
            "x ** y with a Value exponent needs x > 0, or x = 0 with y > 0 "
            f"(d/dy = out * log(x)); got x = {x!r}, y = {y!r}"
        )
    return _power(x, y)


def _array_power_of_value(np: Any, x: Any, y: Any) -> Any:
    if np.any((x < 0) | ((x == 0) & ~(y > 0))):
        raise ValueError("x ** y with a Value exponent needs x > 0, or x = 0 with y > 0")
    return np.power(x, y)


def _power_base_rule(x: Any, y: Any) -> Any:
    """d(x**y)/dx = y * x**(y - 1); at x = 0: 0 for y > 1, 1 for y = 1, inf for y < 1."""
    np = numpy_of(x) or numpy_of(y)
    if np is not None:
        at_zero = np.where(y > 1, 0.0, np.where(y == 1, 1.0, np.inf))
        safe = np.where(x == 0, 1.0, x)
        return np.where(x == 0, at_zero, y * safe ** (y - 1.0))
    if primal(x) == 0:
        b = primal(y)
        return 0.0 if b > 1 else (1.0 if b == 1 else math.inf)
    return y * x ** (y - 1.0)


def _power_exponent_rule(x: Any, y: Any, out: Any) -> Any:
    """d(x**y)/dy = out * log(x), taken as 0 at x = 0 (where out is 0 for every y > 0)."""
    np = numpy_of(x)
    if np is not None:
        return np.where(x == 0, 0.0, out * np.log(np.where(x == 0, 1.0, x)))
    return 0.0 if primal(x) == 0 else out * table.log(x)


def _constant_power_rule(x: Any, out: Any, c: float) -> tuple:
    if c == 0:  # d(x**0)/dx = 0 everywhere, also at x = 0 where x**-1 is undefined
        return (0.0,)
    return (c * x ** (c - 1.0),)


def _constant_power_formula(c: float) -> tuple[str, ...]:
    """c * x**(c - 1) as a reader writes it: 2 * x, 3 * x**2, -1 / x**2, 0.5 / x**0.5."""
    if c == 0:
        return ("0",)
    if c == 1:
        return ("1",)
    exponent = c - 1.0
    power = "x" if abs(exponent) == 1 else f"x**{number_text(abs(exponent))}"
    return (f"{number_text(c)} {'/' if exponent < 0 else '*'} {power}",)


def _constant_power_domain(c: float) -> tuple:
    if c.is_integer():
        return (NONZERO,) if c < 0 else (SMOOTH,)
    return (POSITIVE,)


def _mod(x: float, y: float) -> float:
    if y == 0:
        raise ZeroDivisionError(f"x % y with y = 0; got x = {x!r}")
    return x % y


def _complex_mod(z: complex, w: complex) -> complex:
    return z - w * math.floor((z / w).real)


def _mod_kink(x: float, y: float) -> float:
    ratio = x / y
    return abs(ratio - round(ratio)) * abs(y)


ROWS = (
    Op("add", 2, operator.add, lambda x, y, out: (1.0, 1.0), ("1", "1"), (SMOOTH, SMOOTH),
       "x + y.", operator.add, "add", symbol="+", dunders=("__add__", "__radd__")),
    Op("sub", 2, operator.sub, lambda x, y, out: (1.0, -1.0), ("1", "-1"), (SMOOTH, SMOOTH),
       "x - y.", operator.sub, "subtract", symbol="-", dunders=("__sub__", "__rsub__"),
       aliases=("subtract",)),
    Op("mul", 2, operator.mul, lambda x, y, out: (y, x), ("y", "x"), (SMOOTH, SMOOTH),
       "x * y.", operator.mul, "multiply", symbol="*", dunders=("__mul__", "__rmul__"),
       aliases=("multiply",)),
    Op("div", 2, _divide, lambda x, y, out: (1.0 / y, -out / y), ("1 / y", "-out / y"),
       (SMOOTH, NONZERO), "x / y; dividing by zero raises DivisionByZeroError.",
       operator.truediv, "divide", symbol="/", dunders=("__truediv__", "__rtruediv__"),
       aliases=("divide", "true_divide")),
    Op("negative", 1, operator.neg, lambda x, out: (-1.0,), ("-1",), (SMOOTH,), "-x.",
       operator.neg, "negative", symbol="neg", dunders=("__neg__",)),
    Op("pow", 2, _power_of_value, lambda x, y, out: (_power_base_rule(x, y),
                                                    _power_exponent_rule(x, y, out)),
       ("y * x**(y - 1)", "out * log(x)"), (POSITIVE, ((-3.0, 3.0),)),
       "x ** y with a Value exponent: x > 0, or x = 0 with y > 0.",
       operator.pow, _array_power_of_value, symbol="**",
       kink="at x = 0, d/dy is taken as 0 and d/dx as 0 (y > 1), 1 (y = 1) or inf (y < 1)",
       kink_distance=lambda x, y: abs(x)),
    Op("pow_const", 1, _power, _constant_power_rule, _constant_power_formula,
       _constant_power_domain, "x ** c for a constant c (an integer c allows x < 0).",
       lambda z, c: z**c, lambda np, x, c: np.power(x, c), symbol="**{}",
       parameters=("c",), samples=((2.0,), (3.0,), (-1.0,), (0.5,), (-1.5,), (0.0,), (1.0,))),
    Op("square", 1, lambda x: x * x, lambda x, out: (2.0 * x,), ("2 * x",), (SMOOTH,),
       "x * x.", lambda z: z * z, "square"),
    Op("reciprocal", 1, _reciprocal, lambda x, out: (-out * out,), ("-out**2",), (NONZERO,),
       "1 / x; x = 0 raises DivisionByZeroError.", lambda z: 1 / z, "reciprocal"),
    Op("mod", 2, _mod, lambda x, y, out: (1.0, -table.floor(x / y)), ("1", "-floor(x / y)"),
       (((0.3, 0.7), (1.3, 1.7), (-1.7, -1.3)), ((0.9, 1.0),)),
       "x % y with Python's sign convention (the sign of y), as numpy's mod.",
       _complex_mod, "mod", symbol="%", dunders=("__mod__", "__rmod__"),
       kink="where x / y is an integer x % y jumps; the rule there is the right-hand side's",
       kink_distance=_mod_kink),
    Op("floor", 1, lambda x: float(math.floor(x)), lambda x, out: (0.0,), ("0",),
       (((0.2, 0.8), (1.2, 1.8), (-1.8, -1.2)),),
       "The largest integer <= x; its derivative is 0 (it jumps at integers).",
       None, "floor", kink="at an integer floor jumps; the derivative is taken as 0",
       kink_distance=lambda x: abs(x - round(x))),
)
