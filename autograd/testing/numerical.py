"""Numerical derivatives of a function written against Value's API: three independent methods."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from autograd.errors import DomainError
from autograd.grad_mode import no_grad
from autograd.ops import primal
from autograd.testing.complex_carrier import ComplexCarrier
from autograd.testing.errors import NumericallyUnreliable
from autograd.value import Value

EPS = sys.float_info.epsilon
METHODS = ("central", "richardson", "complex_step")
COMPLEX_STEP = 1e-20
RICHARDSON_FIRST_STEP = 2.0**-6
RICHARDSON_LEVELS = 5
RICHARDSON_TOLERANCE = 1e-7
RICHARDSON_ATTEMPTS = 4
ONE_SIDED_STEP = 2.0**-12
ONE_SIDED_POINTS = 4


@dataclass(frozen=True)
class Estimate:
    """One numerical partial derivative with the step used and an error estimate."""

    value: float
    step: float
    error: float


def as_floats(inputs: Sequence[Any]) -> list[float]:
    """Plain floats from numbers or Values, rejecting anything else by name."""
    out = []
    for i, x in enumerate(inputs):
        if isinstance(x, bool) or not isinstance(x, (int, float, Value)):
            raise TypeError(f"input {i} must be a real number or a Value, got {type(x).__name__}")
        out.append(float(primal(x)))
    return out


def _name(f: Callable[..., Any]) -> str:
    return getattr(f, "__name__", type(f).__name__)


def evaluate_real(f: Callable[..., Any], point: Sequence[float]) -> float:
    """f at point, run on fresh leaf Values without recording a graph; a float."""
    with no_grad():
        out = f(*[Value(x) for x in point])
    if isinstance(out, Value):
        return out.data
    if isinstance(out, (int, float)) and not isinstance(out, bool):
        return float(out)
    raise TypeError(f"{_name(f)} must return a Value or a number, got {type(out).__name__}")


RealFunction = Callable[[list[float]], float]


def _shifted(g: RealFunction, name: str, point: Sequence[float], i: int, h: float) -> tuple:
    """g at point with input i moved by +h and -h; also the width actually stepped."""
    plus, minus = list(point), list(point)
    plus[i] = point[i] + h
    minus[i] = point[i] - h
    try:
        g_plus, g_minus = g(plus), g(minus)
    except DomainError as err:
        raise NumericallyUnreliable(
            f"numerically unreliable here: {name} is undefined within {h:.3g} of input {i} "
            f"= {point[i]!r} ({err})"
        ) from err
    return g_plus, g_minus, plus[i] - minus[i]


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def stencil_radius(method: str, x: float) -> float:
    """How far from x the given method evaluates the function (its widest step)."""
    if method == "complex_step":
        return 0.0  # only the imaginary part moves
    if method == "central":
        return EPS ** (1 / 3) * max(1.0, abs(x))
    if method == "richardson":
        return RICHARDSON_FIRST_STEP * max(1.0, abs(x))
    _check_method(method)
    raise AssertionError("unreachable")


def central_difference(g: RealFunction, name: str, point: Sequence[float], i: int) -> Estimate:
    """(g(x + h) - g(x - h)) / (width actually representable), with h scaled to |x_i|."""
    h = stencil_radius("central", point[i])
    g_plus, g_minus, width = _shifted(g, name, point, i, h)
    scale = max(abs(g_plus), abs(g_minus), 1e-300)
    return Estimate((g_plus - g_minus) / width, width / 2, EPS * scale / width)


def _richardson_table(
    g: RealFunction, name: str, point: Sequence[float], i: int, h: float, g_here: float
) -> tuple[list[list[float]], list[float], float, float]:
    """Richardson table of central differences at h, h/2, ...; second differences at each
    step; the largest |g| seen; and the last width."""
    table: list[list[float]] = []
    curvatures = []
    largest = abs(g_here)
    width = h
    for level in range(RICHARDSON_LEVELS):
        g_plus, g_minus, width = _shifted(g, name, point, i, h)
        largest = max(largest, abs(g_plus), abs(g_minus))
        curvatures.append((g_plus - 2.0 * g_here + g_minus) / (width / 2.0) ** 2)
        row = [(g_plus - g_minus) / width]
        for j in range(1, level + 1):
            factor = 4.0**j
            row.append(row[j - 1] + (row[j - 1] - table[level - 1][j - 1]) / (factor - 1.0))
        table.append(row)
        h /= 2.0
    return table, curvatures, largest, width


def _kink_near(curvatures: list[float], largest: float, width: float, slope: float) -> bool:
    """True when second differences grow like 1/h as h halves: a kink inside the stencil.

    Symmetric kinks (relu at 0) fool central differences and Richardson alike: every level
    agrees on the average of the two one-sided slopes. Curvature does not: for a smooth g
    it settles to g'', at a kink of jump J it is about J / h and doubles with each halving.
    """
    last, before = curvatures[-1], curvatures[-2]
    noise = 64.0 * EPS * largest / (width / 2.0) ** 2
    allowed = max(noise, 0.1 * max(abs(last), abs(before)), 1e-4 * max(1.0, abs(slope)))
    return abs(last - before) > allowed


def _richardson_once(
    g: RealFunction, name: str, point: Sequence[float], i: int, h: float, g_here: float
) -> Estimate:
    table, curvatures, largest, width = _richardson_table(g, name, point, i, h, g_here)
    best, previous = table[-1][-1], table[-2][-2]
    disagreement = abs(best - previous)
    noise = 64.0 * EPS * largest / width
    allowed = max(noise, RICHARDSON_TOLERANCE * max(1.0, abs(best)))
    if math.isfinite(best) and _kink_near(curvatures, largest, width, best):
        raise NumericallyUnreliable(
            f"numerically unreliable here: {name} has a kink within {h:.3g} of input {i} "
            f"at {list(point)!r} (second differences {curvatures[-2]!r} then "
            f"{curvatures[-1]!r} grow as the step halves)"
        )
    if not math.isfinite(best) or disagreement > allowed:
        raise NumericallyUnreliable(
            f"numerically unreliable here: Richardson estimates of d {name} / d input {i} "
            f"at {list(point)!r} disagree ({previous!r} vs {best!r}, allowed {allowed:.3g}); "
            f"{name} may have a kink, a domain edge or heavy cancellation within "
            f"{h:.3g} of input {i}"
        )
    return Estimate(best, width / 2, max(disagreement, noise))


def richardson(g: RealFunction, name: str, point: Sequence[float], i: int) -> Estimate:
    """Central differences at halving steps, extrapolated; raises NumericallyUnreliable.

    The last two diagonal entries of the Richardson table must agree to within the
    rounding noise of the smallest step (or 1e-7 relative), and second differences must
    not grow like 1/h (a kink, see _kink_near). If they do not, or g is
    undefined a step away, the start step shrinks (x1/16, three times) before giving up:
    a kink or domain edge that close makes differences untrustworthy, and saying so beats
    a false mismatch.
    """
    h = RICHARDSON_FIRST_STEP * max(1.0, abs(point[i]))
    g_here = g(list(point))
    for attempt in range(RICHARDSON_ATTEMPTS):
        try:
            return _richardson_once(g, name, point, i, h, g_here)
        except NumericallyUnreliable:
            if attempt == RICHARDSON_ATTEMPTS - 1:
                raise
            h /= 16.0
    raise AssertionError("unreachable")


def _one_sided_once(
    g: RealFunction, name: str, point: Sequence[float], i: int, h: float
) -> float:
    """The slope at point of the cubic through g at point + k h, k = 1..4 (h may be < 0)."""
    offsets, values = [], []
    for k in range(1, ONE_SIDED_POINTS + 1):
        moved = list(point)
        moved[i] = point[i] + k * h
        try:
            values.append(g(moved))
        except DomainError as err:
            raise NumericallyUnreliable(
                f"numerically unreliable here: {name} is undefined within {abs(k * h):.3g} "
                f"{'above' if h > 0 else 'below'} input {i} = {point[i]!r} ({err})"
            ) from err
        offsets.append(moved[i] - point[i])  # the width actually representable
    slope = 0.0
    for k, (t_k, value) in enumerate(zip(offsets, values, strict=True)):
        others = [t for j, t in enumerate(offsets) if j != k]
        weight = math.prod(-t / (t_k - t) for t in others) * sum(-1.0 / t for t in others)
        slope += weight * value
    return slope


def one_sided(g: RealFunction, name: str, point: Sequence[float], i: int, side: int) -> Estimate:
    """d g / d input i from one side only (side +1: above, -1: below), never evaluating g
    at the point itself.

    g is sampled at point + side * k * h for k = 1..4 and the slope of the cubic through
    those samples is taken at the point, for h and h / 2; the error is their difference.
    Where g has a kink at the point these are its one-sided derivatives; where g jumps
    there, the limits of its derivative from each side (g at the point does not enter).
    """
    if side not in (1, -1):
        raise ValueError(f"side must be 1 or -1, got {side!r}")
    h = side * ONE_SIDED_STEP * max(1.0, abs(point[i]))
    coarse = _one_sided_once(g, name, point, i, h)
    fine = _one_sided_once(g, name, point, i, h / 2.0)
    return Estimate(fine, abs(h) / 2.0, abs(fine - coarse))


def complex_step(f: Callable[..., Any], point: Sequence[float], i: int) -> Estimate:
    """Im f(x + i h) / h with h = 1e-20: no subtraction, exact to rounding for analytic f."""
    args = [ComplexCarrier(complex(x)) for x in point]
    args[i] = ComplexCarrier(complex(point[i], COMPLEX_STEP))
    out = f(*args)
    if isinstance(out, ComplexCarrier):
        value = out.z.imag / COMPLEX_STEP
    elif isinstance(out, (int, float, Value)) and not isinstance(out, bool):
        value = 0.0
    else:
        raise TypeError(
            f"{_name(f)} returned {type(out).__name__} under the complex step; "
            "it must only use Value's arithmetic and methods"
        )
    return Estimate(value, COMPLEX_STEP, EPS * abs(value))


def real_function(f: Callable[..., Any]) -> RealFunction:
    """f as a function of a list of floats returning a float (run on untracked Values)."""

    def g(p: list[float]) -> float:
        return evaluate_real(f, p)

    return g


def numerical_estimate(
    f: Callable[..., Any], point: Sequence[float], i: int, method: str = "richardson"
) -> Estimate:
    """Estimate of d f / d input i at point (floats), with its step and an error bound."""
    _check_method(method)
    if method == "complex_step":
        return complex_step(f, point, i)
    differences = central_difference if method == "central" else richardson
    return differences(real_function(f), _name(f), point, i)


def numerical_estimates(
    f: Callable[..., Any], inputs: Sequence[Any], method: str = "richardson"
) -> list[Estimate]:
    """Estimate for every partial derivative of f at inputs, with steps and error bounds."""
    _check_method(method)
    point = as_floats(inputs)
    return [numerical_estimate(f, point, i, method) for i in range(len(point))]


def numerical_grad(
    f: Callable[..., Any], inputs: Sequence[Any], method: str = "richardson"
) -> list[float]:
    """Numerical gradient of f at inputs by "central", "richardson" or "complex_step".

    >>> numerical_grad(lambda x, y: x * y, [3.0, 4.0], method="complex_step")
    [4.0, 3.0]
    """
    return [e.value for e in numerical_estimates(f, inputs, method)]
