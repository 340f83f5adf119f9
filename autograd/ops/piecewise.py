"""Piecewise rows: abs, sign, relu, leaky_relu, elu, maximum, minimum, clip.

Each has a kink; the row's `kink` text says which derivative the engine takes there.
"""

from __future__ import annotations

import cmath
import math
from typing import Any

from autograd.ops.op import AWAY_FROM_ZERO, Op, number_text, step, table

SPLIT = ((-4.0, -1.0), (1.0, 4.0))  # maximum/minimum: x on either side of y, never tied
MIDDLE = ((-0.5, 0.5),)

def _sign(x: float) -> float:
    if x != x:
        return x
    return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)

def _relu(x: float) -> float:
    return x if x > 0 or x != x else 0.0  # nan stays nan, so it can be seen downstream

def _real_sign(z: complex) -> complex:
    return complex(_sign(z.real))

def _leaky_relu(x: float, slope: float) -> float:
    return x if x > 0 or x != x else slope * x

def _elu(x: float, alpha: float) -> float:
    return x if x > 0 or x != x else alpha * math.expm1(x)

def _array_elu(np: Any, x: Any, alpha: float) -> Any:
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))

def _maximum(x: float, y: float) -> float:
    if x != x or y != y:
        return math.nan
    return x if x >= y else y

def _minimum(x: float, y: float) -> float:
    if x != x or y != y:
        return math.nan
    return x if x <= y else y

def _clip(x: float, lo: float, hi: float) -> float:
    if lo > hi:
        raise ValueError(f"clip(x, lo, hi) needs lo <= hi; got lo = {lo!r}, hi = {hi!r}")
    return x if x != x else min(max(x, lo), hi)

def _array_clip(np: Any, x: Any, lo: float, hi: float) -> Any:
    _clip(0.0, lo, hi)  # the same refusal of lo > hi as on floats
    return np.clip(x, lo, hi)


def _clip_rule(x: Any, out: Any, lo: float, hi: float) -> tuple:
    inside = step(x, lo, at_tie=1.0) * step(hi, x, at_tie=1.0)
    return (inside,)

def _complex_clip(z: complex, lo: float, hi: float) -> complex:
    return z if lo <= z.real <= hi else complex(min(max(z.real, lo), hi))

def _clip_domain(lo: float, hi: float) -> tuple:
    middle = (lo + 0.05, hi - 0.05) if hi - lo > 0.1 else None
    pieces = ((lo - 3.0, lo - 0.05),) + ((middle,) if middle else ()) + ((hi + 0.05, hi + 3.0),)
    return (pieces,)

ROWS = (
    Op("abs", 1, abs, lambda x, out: (table.sign(x),), ("sign(x)",), (AWAY_FROM_ZERO,),
       "Absolute value.", lambda z: z if z.real >= 0 else -z, "abs", dunders=("__abs__",),
       aliases=("absolute",), kink="at x = 0 the derivative is taken as 0 (as PyTorch)",
       kink_distance=abs),
    Op("sign", 1, _sign, lambda x, out: (0.0,), ("0",), (AWAY_FROM_ZERO,),
       "-1, 0 or 1 by the sign of x; its derivative is 0.", _real_sign, "sign",
       kink="at x = 0 sign jumps; the derivative is taken as 0", kink_distance=abs),
    Op("relu", 1, _relu, lambda x, out: (step(x),), ("1 if x > 0 else 0",), (AWAY_FROM_ZERO,),
       "max(x, 0).", lambda z: z if z.real > 0 else 0j,
       lambda np, x: np.maximum(x, 0.0), kink="at x = 0 the derivative is taken as 0",
       kink_distance=abs),
    Op("leaky_relu", 1, _leaky_relu,
       lambda x, out, slope: (slope + (1.0 - slope) * step(x),),
       lambda slope: (f"1 if x > 0 else {number_text(slope)}",), (AWAY_FROM_ZERO,),
       "x for x > 0, else slope * x (slope 0.01 by default).",
       lambda z, slope: z if z.real > 0 else slope * z,
       lambda np, x, slope: np.where(x > 0, x, slope * x),
       kink="at x = 0 the derivative is taken as slope", kink_distance=lambda x, slope: abs(x),
       parameters=("slope",), defaults=(0.01,), samples=((0.01,), (0.2,))),
    Op("elu", 1, _elu,
       lambda x, out, alpha: (step(x) + (1.0 - step(x)) * (out + alpha),),
       lambda alpha: (f"1 if x > 0 else out + {number_text(alpha)}",), (AWAY_FROM_ZERO,),
       "x for x > 0, else alpha * (e**x - 1) (alpha 1 by default).",
       lambda z, alpha: z if z.real > 0 else alpha * (cmath.exp(z) - 1.0), _array_elu,
       kink="at x = 0 the derivative is taken as alpha (the left side)",
       kink_distance=lambda x, alpha: abs(x),
       parameters=("alpha",), defaults=(1.0,), samples=((1.0,), (0.5,))),
    Op("maximum", 2, _maximum, lambda x, y, out: (step(x, y, 0.5), step(y, x, 0.5)),
       ("1 if x > y else (0.5 if x >= y else 0)", "1 if y > x else (0.5 if y >= x else 0)"),
       (SPLIT, MIDDLE),
       "The larger of x and y.", lambda z, w: z if z.real >= w.real else w, "maximum",
       kink="at x = y each input gets half the gradient",
       kink_distance=lambda x, y: abs(x - y)),
    Op("minimum", 2, _minimum, lambda x, y, out: (step(y, x, 0.5), step(x, y, 0.5)),
       ("1 if x < y else (0.5 if x <= y else 0)", "1 if y < x else (0.5 if y <= x else 0)"),
       (SPLIT, MIDDLE),
       "The smaller of x and y.", lambda z, w: z if z.real <= w.real else w, "minimum",
       kink="at x = y each input gets half the gradient",
       kink_distance=lambda x, y: abs(x - y)),
    Op("clip", 1, _clip, _clip_rule,
       lambda lo, hi: (f"1 if {number_text(lo)} <= x <= {number_text(hi)} else 0",), _clip_domain,
       "x limited to [lo, hi].", _complex_clip, _array_clip,
       kink="at x = lo and x = hi the derivative is taken as 1 (as PyTorch's clamp)",
       kink_distance=lambda x, lo, hi: min(abs(x - lo), abs(x - hi)),
       parameters=("lo", "hi"), samples=((-1.0, 1.0), (0.0, 2.0))),
)
