"""Seed 001 (a 2-3-1 tanh/sigmoid network, cross-entropy over N points), judged by the checker.

The seed: g_ij = u_j1 x_i1 + u_j2 x_i2 + b_j, h_ij = tanh(g_ij),
z_i = w_1 h_i1 + w_2 h_i2 + w_3 h_i3 + c, o_i = sigma(z_i), eps = 1/N sum_i L(z_i, y_i) with

    L(z, y) = y log(sigma(z)) + (1 - y) log(1 - sigma(z))
            = y log(1 + exp(-z)) + (1 - y) log(1 + exp(z))

and the vector-form backward equations

    z-bar = 1/N (o - y)     W-bar = H^T z-bar       c-bar = z-bar^T 1
    H-bar = z-bar W         G-bar = H-bar (.) (1 - tanh^2(G))
    U-bar = G-bar^T X       b-bar = G-bar^T 1

The two lines of L differ by a sign: the first lacks its minus. Its "Forward equations
(Vector form)" section is empty; they are G = X U^T + 1 b^T, H = tanh(G), z = H W^T + c 1,
o = sigma(z), with b a 3 x 1 column and W a 1 x 3 row, as the seed sets them up.

Run: python -m examples.seed_001_two_layer_bce  (from the repository root)
"""

from __future__ import annotations

import sys

import numpy as np

from examples.seed_report import Derivation, run_seed

N = 4  # data points
ONE = np.ones((N, 1))  # the seed's 1, a column of ones
SHAPES = {"X": (N, 2), "y": (N, 1), "U": (3, 2), "b": (3, 1), "W": (1, 3)}  # c is a number
DOMAIN = {"y": (0.0, 1.0)}  # labels (and soft labels) lie in [0, 1]


def sigma(v):
    return 1 / (1 + np.exp(-v))


def forward(X, U, b, W, c):
    G = X @ U.T + ONE @ b.T  # g_ij = u_j1 x_i1 + u_j2 x_i2 + b_j
    H = np.tanh(G)  # h_ij = tanh(g_ij)
    z = H @ W.T + c  # z_i = w_1 h_i1 + w_2 h_i2 + w_3 h_i3 + c
    return G, H, z


def eps(X, y, U, b, W, c):
    z = forward(X, U, b, W, c)[2]
    L = y * np.log(1 + np.exp(-z)) + (1 - y) * np.log(1 + np.exp(z))  # the second line
    return L.sum() / N  # eps = 1/N sum_i L(z_i, y_i)


def eps_as_written(X, y, U, b, W, c):
    z = forward(X, U, b, W, c)[2]
    L = y * np.log(sigma(z)) + (1 - y) * np.log(1 - sigma(z))  # the first line, no minus
    return L.sum() / N


def backward(X, y, U, b, W, c):
    G, H, z = forward(X, U, b, W, c)
    z_bar = (sigma(z) - y) / N  # z-bar = 1/N (o - y)
    H_bar = z_bar @ W  # H-bar = z-bar W
    G_bar = H_bar * (1 - np.tanh(G) ** 2)  # G-bar = H-bar (.) (1 - tanh^2(G))
    return H, z_bar, G_bar


def W_bar(X, y, U, b, W, c):
    H, z_bar, _ = backward(X, y, U, b, W, c)
    return z_bar.T @ H  # W-bar = z-bar^T H: a 1 x 3 row, like W


def W_bar_as_written(X, y, U, b, W, c):
    H, z_bar, _ = backward(X, y, U, b, W, c)
    return H.T @ z_bar  # W-bar = H^T z-bar


def c_bar(X, y, U, b, W, c):
    return (backward(X, y, U, b, W, c)[1].T @ ONE).item()  # c-bar = z-bar^T 1


def U_bar(X, y, U, b, W, c):
    return backward(X, y, U, b, W, c)[2].T @ X  # U-bar = G-bar^T X


def b_bar(X, y, U, b, W, c):
    return backward(X, y, U, b, W, c)[2].T @ ONE  # b-bar = G-bar^T 1


BACKWARD = {"U": U_bar, "b": b_bar, "W": W_bar, "c": c_bar}
SLIPS = [
    Derivation("The seed writes L(z, y) = y log(sigma(z)) + (1 - y) log(1 - sigma(z)) with "
               "z-bar = 1/N (o - y) and the rest:", eps_as_written, BACKWARD, SHAPES, DOMAIN),
    Derivation("The seed writes W-bar = H^T z-bar:", eps, {"W": W_bar_as_written}, SHAPES,
               DOMAIN),
]
DERIVATIONS = [
    Derivation("L as its second line (the first with its minus), W-bar = z-bar^T H:", eps,
               BACKWARD, SHAPES, DOMAIN),
]


def main() -> int:
    return run_seed(__doc__, SLIPS, DERIVATIONS)


if __name__ == "__main__":
    sys.exit(main())
