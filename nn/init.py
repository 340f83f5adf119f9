"""Seeded initialisation: where the random starting weights come from."""

from __future__ import annotations

import math
import random
from typing import Any


def make_rng(seed: Any = None, rng: random.Random | None = None) -> random.Random:
    """The generator to draw from: rng if given, else random.Random(seed).

    seed=None gives a fresh, unseeded generator (a different model on every run).

    Example:
        >>> make_rng(7).random() == make_rng(7).random()
        True
    """
    if rng is not None:
        if seed is not None:
            raise ValueError("pass either seed or rng, not both")
        if not isinstance(rng, random.Random):
            raise TypeError(f"rng must be a random.Random, got {type(rng).__name__}")
        return rng
    if isinstance(seed, bool) or not (seed is None or isinstance(seed, (int, str, bytes))):
        raise TypeError(f"seed must be an int, str, bytes or None, got {type(seed).__name__}")
    return random.Random(seed)


def default_scale(nin: int) -> float:
    """1 / sqrt(nin): the weights' bound, so a weighted sum of nin unit inputs stays near 1.

    Example:
        >>> default_scale(16)
        0.25
    """
    return 1.0 / math.sqrt(nin)


def check_positive_int(value: Any, what: str) -> int:
    """Return value if it is an int >= 1, else raise a TypeError/ValueError naming `what`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{what} must be at least 1, got {value}")
    return value


def check_scale(scale: Any) -> float | None:
    """Return scale as a float if given (finite and >= 0), else None for the default."""
    if scale is None:
        return None
    if isinstance(scale, bool) or not isinstance(scale, (int, float)):
        raise TypeError(f"init_scale must be a number, got {type(scale).__name__}")
    if not math.isfinite(scale) or scale < 0:
        raise ValueError(f"init_scale must be finite and >= 0, got {scale!r}")
    return float(scale)
