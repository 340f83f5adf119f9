"""Hyperbolic rows: sinh, cosh, tanh, their inverses, and the sigmoid and softplus built on them."""

from __future__ import annotations

import cmath
import math
from typing import Any

from autograd.ops.op import SMOOTH, UNIT_OPEN, Op, overflow_named, table


def _arccosh(x: float) -> float:
    if not x >= 1.0:
        raise ValueError(f"arccosh(x) needs x >= 1; got x = {x!r}")
    return math.acosh(x)


def _arctanh(x: float) -> float:
    if not -1.0 < x < 1.0:
        raise ValueError(f"arctanh(x) needs -1 < x < 1; got x = {x!r}")
    return math.atanh(x)


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _array_sigmoid(np: Any, x: Any) -> Any:
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softplus(x: float) -> float:
    if x != x:
        return x
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _array_softplus(np: Any, x: Any) -> Any:
    with np.errstate(under="ignore"):
        return np.logaddexp(0.0, x)


ROWS = (
    Op("sinh", 1, overflow_named("sinh", math.sinh), lambda x, out: (table.cosh(x),),
       ("cosh(x)",), (SMOOTH,), "Hyperbolic sine.", cmath.sinh, "sinh"),
    Op("cosh", 1, overflow_named("cosh", math.cosh), lambda x, out: (table.sinh(x),),
       ("sinh(x)",), (SMOOTH,), "Hyperbolic cosine.", cmath.cosh, "cosh"),
    Op("tanh", 1, math.tanh, lambda x, out: (1.0 - out * out,), ("1 - out**2",), (SMOOTH,),
       "Hyperbolic tangent.", cmath.tanh, "tanh"),
    Op("arcsinh", 1, math.asinh, lambda x, out: (1.0 / table.sqrt(x * x + 1.0),),
       ("1 / sqrt(x**2 + 1)",), (SMOOTH,), "Inverse hyperbolic sine.", cmath.asinh, "arcsinh"),
    Op("arccosh", 1, _arccosh, lambda x, out: (1.0 / table.sqrt(x * x - 1.0),),
       ("1 / sqrt(x**2 - 1)",), (((1.05, 6.0),),),
       "Inverse hyperbolic cosine, for x >= 1 (the derivative at 1 divides by zero).",
       cmath.acosh, "arccosh"),
    Op("arctanh", 1, _arctanh, lambda x, out: (1.0 / (1.0 - x * x),), ("1 / (1 - x**2)",),
       (UNIT_OPEN,), "Inverse hyperbolic tangent, for -1 < x < 1.", cmath.atanh, "arctanh"),
    Op("sigmoid", 1, _sigmoid, lambda x, out: (out * (1.0 - out),), ("out * (1 - out)",),
       (SMOOTH,), "Logistic function 1 / (1 + e**-x), finite for every finite x.",
       lambda z: 1.0 / (1.0 + cmath.exp(-z)), _array_sigmoid),
    Op("softplus", 1, _softplus, lambda x, out: (table.sigmoid(x),), ("sigmoid(x)",), (SMOOTH,),
       "log(1 + e**x), computed without overflow.", lambda z: cmath.log(1.0 + cmath.exp(z)),
       _array_softplus),
)
