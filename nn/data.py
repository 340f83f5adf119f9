"""Toy 2-D datasets from the standard library's random module, reproducible by seed.

Each generator returns (X, y): X a list of [x1, x2] lists of floats, y a list of int
class labels (0, 1, ...). Use `signed(y)` for the -1/+1 labels a hinge loss wants.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

from nn.init import check_positive_int, make_rng


def _check_noise(noise: Any, what: str = "noise") -> float:
    if isinstance(noise, bool) or not isinstance(noise, (int, float)):
        raise TypeError(f"{what} must be a number, got {type(noise).__name__}")
    if not math.isfinite(noise) or noise < 0:
        raise ValueError(f"{what} must be finite and >= 0, got {noise!r}")
    return float(noise)


def _shuffled(points: list[list[float]], labels: list[int], rng: random.Random):
    order = list(range(len(points)))
    rng.shuffle(order)
    return [points[i] for i in order], [labels[i] for i in order]


def _jitter(rng: random.Random, point: list[float], noise: float) -> list[float]:
    return [c + rng.gauss(0.0, noise) for c in point] if noise else point


def _spaced(count: int, stop: float) -> list[float]:
    """count evenly spaced numbers from 0 to stop inclusive."""
    if count == 1:
        return [0.0]
    return [stop * k / (count - 1) for k in range(count)]


def make_moons(n_samples: int = 100, noise: float = 0.0, seed: Any = None):
    """Two interleaving half circles; the outer (label 0) and the inner (label 1).

    Example:
        >>> X, y = make_moons(100, noise=0.1, seed=1)
        >>> len(X), sorted(set(y))
        (100, [0, 1])
    """
    check_positive_int(n_samples, "n_samples")
    noise = _check_noise(noise)
    rng = make_rng(seed)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    points = [[math.cos(t), math.sin(t)] for t in _spaced(n_outer, math.pi)]
    points += [[1.0 - math.cos(t), 0.5 - math.sin(t)] for t in _spaced(n_inner, math.pi)]
    labels = [0] * n_outer + [1] * n_inner
    points = [_jitter(rng, p, noise) for p in points]
    return _shuffled(points, labels, rng)


def make_circles(n_samples: int = 100, noise: float = 0.0, factor: float = 0.5, seed: Any = None):
    """A large circle (label 0) around a smaller one of radius `factor` (label 1).

    Example:
        >>> X, y = make_circles(10, factor=0.5, seed=0)
        >>> sorted(round(math.hypot(*p), 6) for p in X)[:1]
        [0.5]
    """
    check_positive_int(n_samples, "n_samples")
    noise = _check_noise(noise)
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0 < factor < 1:
        raise ValueError(f"factor must be a number between 0 and 1, got {factor!r}")
    rng = make_rng(seed)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    points = [[math.cos(2 * math.pi * k / n_outer), math.sin(2 * math.pi * k / n_outer)]
              for k in range(n_outer)]
    points += [[factor * math.cos(2 * math.pi * k / n_inner),
                factor * math.sin(2 * math.pi * k / n_inner)] for k in range(n_inner)]
    labels = [0] * n_outer + [1] * n_inner
    points = [_jitter(rng, p, noise) for p in points]
    return _shuffled(points, labels, rng)


def make_xor(n_samples: int = 100, noise: float = 0.0, seed: Any = None):
    """Points uniform in [-1, 1]^2, label 1 where x1 and x2 have different signs (XOR).

    Example:
        >>> X, y = make_xor(50, seed=0)
        >>> all(label == (p[0] * p[1] < 0) for p, label in zip(X, y))
        True
    """
    check_positive_int(n_samples, "n_samples")
    noise = _check_noise(noise)
    rng = make_rng(seed)
    points, labels = [], []
    for _ in range(n_samples):
        p = [rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)]
        labels.append(int(p[0] * p[1] < 0))
        points.append(_jitter(rng, p, noise))
    return points, labels


def make_spirals(n_samples: int = 100, n_classes: int = 2, noise: float = 0.0, seed: Any = None):
    """`n_classes` interleaved spiral arms from the origin, one label per arm.

    Example:
        >>> X, y = make_spirals(90, n_classes=3, seed=0)
        >>> [y.count(c) for c in range(3)]
        [30, 30, 30]
    """
    check_positive_int(n_samples, "n_samples")
    check_positive_int(n_classes, "n_classes")
    noise = _check_noise(noise)
    rng = make_rng(seed)
    points, labels = [], []
    for c in range(n_classes):
        count = n_samples // n_classes + (1 if c < n_samples % n_classes else 0)
        for r in _spaced(count, 1.0):
            angle = 4.0 * r + 2 * math.pi * c / n_classes
            points.append(_jitter(rng, [r * math.cos(angle), r * math.sin(angle)], noise))
            labels.append(c)
    return _shuffled(points, labels, rng)


def make_blobs(
    n_samples: int = 100, centers: int | Sequence[Sequence[float]] = 3,
    cluster_std: float = 1.0, seed: Any = None,
):
    """Gaussian blobs around `centers` (a count, drawn in [-10, 10]^2, or a list of points).

    Example:
        >>> X, y = make_blobs(30, centers=[[0, 0], [5, 5]], cluster_std=0.1, seed=0)
        >>> sorted(set(y))
        [0, 1]
    """
    check_positive_int(n_samples, "n_samples")
    std = _check_noise(cluster_std, "cluster_std")
    rng = make_rng(seed)
    if isinstance(centers, int) and not isinstance(centers, bool):
        check_positive_int(centers, "centers")
        middle = [[rng.uniform(-10.0, 10.0), rng.uniform(-10.0, 10.0)] for _ in range(centers)]
    else:
        if not isinstance(centers, Sequence) or not centers:
            raise ValueError(f"centers must be a count or a non-empty list of points, "
                             f"got {centers!r}")
        middle = []
        for c in centers:
            if not isinstance(c, Sequence) or len(c) != 2:
                raise ValueError(f"each center must be a point [x1, x2], got {c!r}")
            middle.append([float(c[0]), float(c[1])])
    points, labels = [], []
    for k in range(n_samples):
        c = k % len(middle)
        points.append([middle[c][0] + rng.gauss(0.0, std), middle[c][1] + rng.gauss(0.0, std)])
        labels.append(c)
    return _shuffled(points, labels, rng)


def signed(labels: Sequence[int]) -> list[int]:
    """Map 0/1 labels to -1/+1 (for the hinge loss).

    Example:
        >>> signed([0, 1, 1])
        [-1, 1, 1]
    """
    out = []
    for label in labels:
        if label not in (0, 1):
            raise ValueError(f"signed() maps labels 0 and 1, got {label!r}")
        out.append(2 * label - 1)
    return out
