"""Seed 003 (two sigmoid layers, sum of squared errors, manual updates), judged by the checker.

The seed's network has no biases: layer1 = sigmoid(input . weights1),
output = y_hat = sigmoid(layer1 . weights2), L = sum_i (y_i - y_hat_i)^2. It derives
dL/dW = 2(y - y_hat) . sigmoid-derivative(z) . layer^(L-1), and trains with

    d2 = layer1.T . [2(y - y_hat) * sigmoid_derivative(y_hat)]
    d1 = input.T . ([2(y - y_hat) * sigmoid_derivative(y_hat) . weights2.T]
                    * sigmoid_derivative(layer1))
    weights2 += d2;  weights1 += d1

where sigmoid_derivative(s) = s (1 - s) takes a sigmoid's output. Read as the seed writes
them, d2 is dL/dweights2 and "sigmoid-derivative(y_hat)" is sigma'(y_hat); the checker
says what is wrong with each reading. The loop itself is right: d is minus the gradient.

Run: python -m examples.seed_003_sigmoid_sse_training  (from the repository root)
"""

from __future__ import annotations

import sys

import numpy as np

from autograd import sigmoid
from examples.seed_report import Derivation, run_seed

INPUT = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 1.0]])
Y = np.array([[0.0], [1.0], [1.0], [0.0]])
SHAPES = {"input": INPUT.shape, "weights1": (3, 4), "weights2": (4, 1), "y": Y.shape}
DOMAIN = {"y": (0.0, 1.0)}


def sigmoid_derivative(s):
    return s * (1 - s)  # the seed's sigmoid-derivative, of a sigmoid's output s


def forward(input, weights1, weights2):
    layer1 = sigmoid(input @ weights1)  # layer1 = sigmoid(input . weights1)
    return layer1, sigmoid(layer1 @ weights2)  # y_hat = sigmoid(layer1 . weights2)


def L(input, weights1, weights2, y):
    y_hat = forward(input, weights1, weights2)[1]
    return ((y - y_hat) ** 2).sum()  # L = sum_i (y_i - y_hat_i)^2


def d2(input, weights1, weights2, y):
    layer1, y_hat = forward(input, weights1, weights2)
    return layer1.T @ (2 * (y - y_hat) * sigmoid_derivative(y_hat))  # the seed's d2


def d1(input, weights1, weights2, y):
    layer1, y_hat = forward(input, weights1, weights2)
    moved = (2 * (y - y_hat) * sigmoid_derivative(y_hat)) @ weights2.T  # to layer 1
    return input.T @ (moved * sigmoid_derivative(layer1))  # the seed's d1


def dL_dweights2(input, weights1, weights2, y):
    return -d2(input, weights1, weights2, y)  # 2(y_hat - y), as dC0/da^L = 2(a^L - y)


def dL_dweights1(input, weights1, weights2, y):
    return -d1(input, weights1, weights2, y)


def dL_dweights2_sigma_prime(input, weights1, weights2, y):
    layer1, y_hat = forward(input, weights1, weights2)
    sigma_prime = sigmoid(y_hat) * (1 - sigmoid(y_hat))  # sigma'(y_hat), read literally
    return layer1.T @ (2 * (y_hat - y) * sigma_prime)


def train(steps: int = 1500, seed: int = 3) -> tuple[float, float, np.ndarray]:
    """The seed's loop on its data: weights += d; return (first L, last L, outputs)."""
    rng = np.random.default_rng(seed)
    weights1, weights2 = rng.uniform(-1, 1, (3, 4)), rng.uniform(-1, 1, (4, 1))
    first = float(((Y - forward(INPUT, weights1, weights2)[1]) ** 2).sum())
    for _ in range(steps):
        weights1, weights2 = (weights1 + d1(INPUT, weights1, weights2, Y),
                              weights2 + d2(INPUT, weights1, weights2, Y))
    y_hat = forward(INPUT, weights1, weights2)[1]
    return first, float(((Y - y_hat) ** 2).sum()), y_hat.ravel()


SLIPS = [
    Derivation("The seed writes dL/dW = 2(y - y_hat) . sigmoid-derivative(z) . layer^(L-1), "
               "that is dL/dweights2 = d2:", L, {"weights2": d2}, SHAPES, DOMAIN),
    Derivation("The seed writes sigmoid-derivative(y_hat), read as sigma'(y_hat):", L,
               {"weights2": dL_dweights2_sigma_prime}, SHAPES, DOMAIN),
]
DERIVATIONS = [
    Derivation("dL/dweights = -d (2(y_hat - y)), with y_hat (1 - y_hat) = sigma'(z):", L,
               {"weights1": dL_dweights1, "weights2": dL_dweights2}, SHAPES, DOMAIN),
]


def main() -> int:
    status = run_seed(__doc__, SLIPS, DERIVATIONS)
    first, last, y_hat = train()
    print(f"\nSo weights += d is gradient descent with step 1; 1500 steps on the seed's data "
          f"take L from {first:.4f} to {last:.4f}, y_hat = {np.round(y_hat, 3)} for "
          f"y = {Y.ravel()}")
    return status


if __name__ == "__main__":
    sys.exit(main())
