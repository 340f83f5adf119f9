"""Trigonometric rows: sin, cos, tan, their inverses, arctan2, hypot, and angle units."""

from __future__ import annotations

import cmath
import math
from collections.abc import Callable

from autograd.ops.op import NONZERO, SMOOTH, UNIT_OPEN, Op, table

RADIANS_PER_DEGREE = math.pi / 180.0
DEGREES_PER_RADIAN = 180.0 / math.pi


def _within_one(name: str, f: Callable[[float], float]) -> Callable:
    def forward(x: float) -> float:
        if not -1.0 <= x <= 1.0:
            raise ValueError(f"{name}(x) needs -1 <= x <= 1; got x = {x!r}")
        return f(x)

    return forward


def _tan(x: float) -> float:
    if math.isinf(x):
        raise ValueError(f"tan(x) needs a finite x; got x = {x!r}")
    return math.tan(x)


def _complex_arctan2(z: complex, w: complex) -> complex:
    angle = cmath.atan(z / w)
    if w.real < 0:
        angle += math.pi if z.real >= 0 else -math.pi
    return angle


def _hypot_kink(x: float, y: float) -> float:
    return math.hypot(x, y)


ROWS = (
    Op("sin", 1, math.sin, lambda x, out: (table.cos(x),), ("cos(x)",), (SMOOTH,), "Sine.",
       cmath.sin, "sin"),
    Op("cos", 1, math.cos, lambda x, out: (-table.sin(x),), ("-sin(x)",), (SMOOTH,), "Cosine.",
       cmath.cos, "cos"),
    Op("tan", 1, _tan, lambda x, out: (1.0 + out * out,), ("1 + out**2",), (((-1.4, 1.4),),),
       "Tangent.", cmath.tan, "tan"),
    Op("arcsin", 1, _within_one("arcsin", math.asin),
       lambda x, out: (1.0 / table.sqrt(1.0 - x * x),), ("1 / sqrt(1 - x**2)",), (UNIT_OPEN,),
       "Inverse sine, for -1 <= x <= 1 (the derivative at +-1 divides by zero).",
       cmath.asin, "arcsin"),
    Op("arccos", 1, _within_one("arccos", math.acos),
       lambda x, out: (-1.0 / table.sqrt(1.0 - x * x),), ("-1 / sqrt(1 - x**2)",), (UNIT_OPEN,),
       "Inverse cosine, for -1 <= x <= 1 (the derivative at +-1 divides by zero).",
       cmath.acos, "arccos"),
    Op("arctan", 1, math.atan, lambda x, out: (1.0 / (1.0 + x * x),), ("1 / (1 + x**2)",),
       (SMOOTH,), "Inverse tangent.", cmath.atan, "arctan"),
    Op("arctan2", 2, math.atan2,
       lambda x, y, out: (y / (x * x + y * y), -x / (x * x + y * y)),
       ("y / (x**2 + y**2)", "-x / (x**2 + y**2)"), (NONZERO, NONZERO),
       "The angle of the point (y, x), as numpy's arctan2(x1, x2); it jumps by 2 pi "
       "where x crosses 0 with y < 0.",
       _complex_arctan2, "arctan2",
       kink="at the origin the derivative divides by zero; across the cut (x = 0, y < 0) "
            "the angle jumps by 2 pi",
       kink_distance=lambda x, y: math.hypot(x, y) if y >= 0 else min(abs(x), math.hypot(x, y))),
    Op("hypot", 2, math.hypot, lambda x, y, out: (x / out, y / out), ("x / out", "y / out"),
       (NONZERO, NONZERO), "sqrt(x**2 + y**2) without overflow or underflow.",
       lambda z, w: cmath.sqrt(z * z + w * w), "hypot",
       kink="at the origin the derivative divides by zero", kink_distance=_hypot_kink),
    Op("deg2rad", 1, lambda x: x * RADIANS_PER_DEGREE, lambda x, out: (RADIANS_PER_DEGREE,),
       (repr(RADIANS_PER_DEGREE),), (((-200.0, 200.0),),), "Degrees to radians.",
       lambda z: z * RADIANS_PER_DEGREE, "deg2rad", aliases=("radians",)),
    Op("rad2deg", 1, lambda x: x * DEGREES_PER_RADIAN, lambda x, out: (DEGREES_PER_RADIAN,),
       (repr(DEGREES_PER_RADIAN),), (SMOOTH,), "Radians to degrees.",
       lambda z: z * DEGREES_PER_RADIAN, "rad2deg", aliases=("degrees",)),
)
