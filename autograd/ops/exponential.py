"""Exponential and logarithm rows: exp, exp2, expm1, log, log2, log10, log1p, sqrt, cbrt."""

from __future__ import annotations

import cmath
import math
from collections.abc import Callable

from autograd.ops.op import NONZERO, POSITIVE, SMOOTH, Op, overflow_named

LN2 = math.log(2.0)
LN10 = math.log(10.0)


def _needs_positive(name: str, f: Callable[[float], float], low: float = 0.0) -> Callable:
    def forward(x: float) -> float:
        if not x > low:
            raise ValueError(f"{name}(x) needs x > {low:g}; got x = {x!r}")
        return f(x)

    return forward


def _sqrt(x: float) -> float:
    if not x >= 0:
        raise ValueError(f"sqrt(x) needs x >= 0; got x = {x!r}")
    return math.sqrt(x)


def _cbrt(x: float) -> float:
    root = abs(x) ** (1.0 / 3.0)
    if root and math.isfinite(root):  # one Newton step makes perfect cubes exact
        root -= (root * root * root - abs(x)) / (3.0 * root * root)
    return math.copysign(root, x)


def _complex_cbrt(z: complex) -> complex:
    return z ** (1.0 / 3.0) if z.real >= 0 else -((-z) ** (1.0 / 3.0))


ROWS = (
    Op("exp", 1, overflow_named("exp", math.exp, "709.78"), lambda x, out: (out,), ("out",),
       (SMOOTH,), "e ** x.", cmath.exp, "exp"),
    Op("exp2", 1, overflow_named("exp2", lambda x: 2.0**x, "1024"),
       lambda x, out: (out * LN2,), ("out * log(2)",), (SMOOTH,), "2 ** x.",
       lambda z: cmath.exp(z * LN2), "exp2"),
    Op("expm1", 1, overflow_named("expm1", math.expm1, "709.78"),
       lambda x, out: (out + 1.0,), ("out + 1",), (SMOOTH,),
       "e ** x - 1, accurate for tiny x.", lambda z: cmath.exp(z) - 1.0, "expm1"),
    Op("log", 1, _needs_positive("log", math.log), lambda x, out: (1.0 / x,), ("1 / x",),
       (POSITIVE,), "Natural logarithm; x <= 0 raises DomainError.", cmath.log, "log"),
    Op("log2", 1, _needs_positive("log2", math.log2), lambda x, out: (1.0 / (x * LN2),),
       ("1 / (x * log(2))",), (POSITIVE,), "Base-2 logarithm.",
       lambda z: cmath.log(z) / LN2, "log2"),
    Op("log10", 1, _needs_positive("log10", math.log10), lambda x, out: (1.0 / (x * LN10),),
       ("1 / (x * log(10))",), (POSITIVE,), "Base-10 logarithm.",
       lambda z: cmath.log(z) / LN10, "log10"),
    Op("log1p", 1, _needs_positive("log1p", math.log1p, -1.0),
       lambda x, out: (1.0 / (1.0 + x),), ("1 / (1 + x)",), (((-0.9, 4.0),),),
       "log(1 + x), accurate for tiny x.", lambda z: cmath.log(1.0 + z), "log1p"),
    Op("sqrt", 1, _sqrt, lambda x, out: (0.5 / out,), ("0.5 / out",), (POSITIVE,),
       "Square root; x < 0 raises DomainError (the derivative at 0 divides by zero).",
       cmath.sqrt, "sqrt"),
    Op("cbrt", 1, _cbrt, lambda x, out: (1.0 / (3.0 * out * out),), ("1 / (3 * out**2)",),
       (NONZERO,), "Real cube root, also of negative x (the derivative at 0 divides by zero).",
       _complex_cbrt, "cbrt"),
)
