"""How numbers are written in tables, graph labels and the HTML stepper."""

from __future__ import annotations

import math
from typing import Any


def format_number(x: float, digits: int = 4) -> str:
    """Write x with `digits` decimals, switching to exponent form for tiny or huge values.

    Example:
        >>> format_number(0.70710678), format_number(-3.0), format_number(1e-9)
        ('0.7071', '-3.0000', '1.0000e-09')
    """
    x = float(x)
    if 0.001 <= abs(x) < 1e6 and digits == 4:  # the common case, first
        return f"{x:.4f}"
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return f"{0.0:.{digits}f}"
    if 10.0 ** -(digits - 1) <= abs(x) < 1e6:
        return f"{x:.{digits}f}"
    return f"{x:.{digits}e}"


def span(values: list[float], digits: int = 4) -> str:
    """'a .. b' from the smallest value to the largest, or one number when they are equal."""
    low, high = min(values), max(values)
    if low == high:
        return format_number(low, digits)
    return f"{format_number(low, digits)} .. {format_number(high, digits)}"


def backward_has_run(root: Any) -> bool:
    """Whether root's gradients were computed: backward() always leaves the root's .grad at
    its seed, which is never 0.0, so a root .grad of 0.0 means no backward pass (or
    zero_grad since); drawings then write "grad: not computed" instead of 0.0000."""
    return root.grad != 0.0
