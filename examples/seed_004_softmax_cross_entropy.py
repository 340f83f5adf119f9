"""Seed 004 (logistic layers, softmax, cross-entropy): the seed's question answered by the checker.

The seed: z^(l) = f(s^(l)) with f the logistic function and s^(l) = w^(l) z^(l-1) on the
hidden layers, y_hat = g(s^(l)) with g the softmax, and C = -sum_k y_k log(y_hat_k). It
derives dC/ds_c = y_hat_c - y_c (for sum_k y_k = 1), dC/dw_kj^(l) = (y_hat_k - y_k) z_j^(l-1),
the recursion delta^(l) = ((w^(l+1))^T delta^(l+1)) (.) f'(s^(l)) (written once more, and
in its summary, as (W^(l+1) delta^(l+1)) (.) f'(s^(l))), and for the third-last layer

    dL/dw_ih^(l-2) = (y_hat_k - y_k) w_kj^(l) z_j^(l-1)(1 - z_j^(l-1)) w_ji^(l-1)
                     z_i^(l-2)(1 - z_i^(l-2)) z_h^(l-3) summed over k,
    "Should have summation over j or not?"

Here x = z^(l-3) has 3 features, every layer has 3 neurons (so that W delta is defined
without the transpose and gives numbers to compare), the bias units z_0 are left out,
and y is the one-hot target (0, 1, 0). W1, W2, W3 are w^(l-2), w^(l-1), w^(l).

Run: python -m examples.seed_004_softmax_cross_entropy  (from the repository root)
"""

from __future__ import annotations

import sys

import numpy as np

from autograd import sigmoid as f
from examples.seed_report import Derivation, run_seed

Y = np.array([0.0, 1.0, 0.0])  # y, one-hot: sum_k y_k = 1
SHAPES = {"x": (3,), "W1": (3, 3), "W2": (3, 3), "W3": (3, 3)}


def g(s):
    e = np.exp(s)
    return e / e.sum()  # g(s_i) = e^(s_i) / sum e^(s_i) = y_hat_i


def C_of_s(s, y=Y):
    return -(y * np.log(g(s))).sum()  # C = -sum_k y_k log(y_hat_k)


def C(x, W1, W2, W3, y=Y):
    z1 = f(W1 @ x)  # z^(l-2) = f(s^(l-2))
    z2 = f(W2 @ z1)  # z^(l-1) = f(s^(l-1))
    for j, z_j in enumerate(z2):
        z_j.label = f"z_{j + 1}^(l-1)"  # the checker names paths by these nodes
    return C_of_s(W3 @ z2, y)  # s^(l) = w^(l) z^(l-1)


def forward(x, W1, W2, W3):
    z1 = f(W1 @ x)
    z2 = f(W2 @ z1)
    return z1, z2, g(W3 @ z2)


def dC_ds(s, y=Y):
    return g(s) - y  # dC/ds_c = y_hat_c - y_c


def dC_dW3(x, W1, W2, W3, y=Y):
    z1, z2, y_hat = forward(x, W1, W2, W3)
    return np.outer(y_hat - y, z2)  # dC/dw_kj^(l) = (y_hat_k - y_k) z_j^(l-1)


def delta2(x, W1, W2, W3, y=Y, transpose=True):
    z1, z2, y_hat = forward(x, W1, W2, W3)
    delta3 = y_hat - y  # delta^(l) = dC/ds^(l)
    back = W3.T @ delta3 if transpose else W3 @ delta3  # (w^(l))^T delta^(l), or as written
    return back * z2 * (1 - z2)  # delta^(l-1) = (...) (.) f'(s^(l-1))


def dC_dW2(x, W1, W2, W3, y=Y):
    z1 = f(W1 @ x)
    return np.outer(delta2(x, W1, W2, W3, y), z1)  # dC/dw_ji^(l-1) = delta_j^(l-1) z_i^(l-2)


def dC_dW2_as_written(x, W1, W2, W3, y=Y):
    z1 = f(W1 @ x)
    return np.outer(delta2(x, W1, W2, W3, y, transpose=False), z1)  # (W^(l) delta^(l))


def dC_dW1(x, W1, W2, W3, y=Y, j=None):
    z1, z2, y_hat = forward(x, W1, W2, W3)
    per_j = ((y_hat - y) @ W3) * z2 * (1 - z2)  # sum_k (y_hat_k - y_k) w_kj z_j (1 - z_j)
    if j is None:
        back = per_j @ W2  # summed over j: sum_j (...) w_ji^(l-1)
    else:
        back = per_j[j] * W2[j]  # the term of one j only
    return np.outer(back * z1 * (1 - z1), x)  # ... z_i^(l-2)(1 - z_i^(l-2)) z_h^(l-3)


def dC_dW1_one_j(x, W1, W2, W3, y=Y):
    return dC_dW1(x, W1, W2, W3, y, j=0)  # no summation over j: j = 1 alone


SLIPS = [
    Derivation("The seed writes delta^(l-1) = (W^(l) delta^(l)) (.) f'(s^(l-1)):", C,
               {"W2": dC_dW2_as_written}, SHAPES),
    Derivation("Should have summation over j or not? Without it (j = 1 alone):", C,
               {"W1": dC_dW1_one_j}, SHAPES),
]
DERIVATIONS = [
    Derivation("dC/ds_c = y_hat_c - y_c:", C_of_s, {"s": dC_ds}, {"s": (3,)}),
    Derivation("The last three layers, with (w^(l))^T and (the answer: yes) the sum over j:", C,
               {"W3": dC_dW3, "W2": dC_dW2, "W1": dC_dW1}, SHAPES),
]


def main() -> int:
    return run_seed(__doc__, SLIPS, DERIVATIONS)


if __name__ == "__main__":
    sys.exit(main())
