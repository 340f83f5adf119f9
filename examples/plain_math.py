"""Plain-Python math for the seed examples: nested lists as matrices, activations, differences.

The seed examples evaluate each document's formulas with these helpers and compare the
numbers with the engine's gradients. This module never imports the engine (autograd, nn),
so that comparison stays independent of the code it checks.
"""

from __future__ import annotations

import math
import operator


def max_abs_diff(a, b) -> float:
    """Largest |a - b| over two equally nested lists of floats (unequal lengths raise)."""
    stack, worst = [(a, b)], 0.0
    while stack:
        x, y = stack.pop()
        if isinstance(x, list):
            stack.extend(zip(x, y, strict=True))
        else:
            worst = max(worst, abs(x - y))
    return worst


def transpose(A: list[list[float]]) -> list[list[float]]:
    """A^T: the rows of A become columns."""
    return [list(col) for col in zip(*A, strict=True)]


def inner(u: list[float], v: list[float]) -> float:
    """u . v, summed from the first entry to the last."""
    return sum(a * b for a, b in zip(u, v, strict=True))


def matvec(A: list[list[float]], v: list[float]) -> list[float]:
    """A v for a matrix A (a list of rows) and a vector v."""
    return [inner(row, v) for row in A]


def affine(W: list[list[float]], x: list[float], b: list[float]) -> list[float]:
    """W x + b, the pre-activation of a layer."""
    return [s + bi for s, bi in zip(matvec(W, x), b, strict=True)]


def matmul(A: list[list[float]], B: list[list[float]]) -> list[list[float]]:
    """The matrix product A B."""
    return [[inner(row, col) for col in zip(*B, strict=True)] for row in A]


def elementwise(f, *matrices: list[list[float]]) -> list[list[float]]:
    """f applied entry by entry across equally shaped matrices."""
    return [[f(*vals) for vals in zip(*rows, strict=True)] for rows in zip(*matrices, strict=True)]


def hadamard(A: list[list[float]], B: list[list[float]]) -> list[list[float]]:
    """The entrywise product A (.) B."""
    return elementwise(operator.mul, A, B)


def sigmoid(z: float) -> float:
    """The logistic function sigma(z) = 1 / (1 + e^-z)."""
    return 1.0 / (1.0 + math.exp(-z))


def sigmoid_prime(z: float) -> float:
    """sigma'(z) = sigma(z) (1 - sigma(z)), taken at the input z."""
    return sigmoid(z) * (1.0 - sigmoid(z))


def tanh_prime(z: float) -> float:
    """tanh'(z) = 1 - tanh(z)^2."""
    return 1.0 - math.tanh(z) ** 2


ACTIVATIONS = {"tanh": math.tanh, "sigmoid": sigmoid}
DERIVATIVES = {"tanh": tanh_prime, "sigmoid": sigmoid_prime}
