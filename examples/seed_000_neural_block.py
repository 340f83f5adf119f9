"""Seed 000 (a neural block): the seed's delta formulas as claims, judged by check_derivation.

The seed: T(x) = f(Wx + b) with W an m x n matrix, y_i = sum_k w_ik x_k + b_i,
t_hat_i = f(y_i) and L = 1/2 sum_i (t_hat_i - t_i)^2 (here f = tanh). It derives

    delta w_ij = sum_i (f(y_i) - t_i) x_j f'(y_i)
    delta b_i  = sum_i (f(y_i) - t_i) f'(y_i)
    delta x_k  = sum_i w_ik f'(y_i) (f(y_i) - t_i)

Section 2 (the chain T = T_1 o T_2) stops after its definition; the last claims continue
it: T_2 runs first, and T_1's delta x is the error that T_2's delta w and delta b take in
place of f(y_i) - t_i. (x is written x_1 ... x_m, but W is m x n, so x has n entries;
here m = 3, n = 4.)

Run: python -m examples.seed_000_neural_block  (from the repository root)
"""

from __future__ import annotations

import sys

import numpy as np

from examples.seed_report import Derivation, run_seed

M, N, HIDDEN = 3, 4, 5  # W is m x n; T_2 of section 2 has 5 outputs
BLOCK = {"W": (M, N), "b": (M,), "x": (N,), "t": (M,)}
CHAIN = {"W1": (M, HIDDEN), "b1": (M,), "W2": (HIDDEN, N), "b2": (HIDDEN,), "x": (N,),
         "t": (M,)}


def f(y):
    return np.tanh(y)


def f_prime(y):
    return 1 - np.tanh(y) ** 2


def L(W, b, x, t):
    t_hat = f(W @ x + b)  # T(x) = f(Wx + b)                 (1.1)
    return ((t_hat - t) ** 2).sum() / 2  # L = 1/2 sum_i (t_hat_i - t_i)^2   (1.2)


def error(W, b, x, t):
    y = W @ x + b
    return (f(y) - t) * f_prime(y)  # (f(y_i) - t_i) f'(y_i), shared by every delta


def delta_w(W, b, x, t):
    return np.outer(error(W, b, x, t), x)  # delta w_ij = (f(y_i) - t_i) x_j f'(y_i)


def delta_b(W, b, x, t):
    return error(W, b, x, t)  # delta b_i = (f(y_i) - t_i) f'(y_i)


def delta_x(W, b, x, t):
    return W.T @ error(W, b, x, t)  # delta x_k = sum_i w_ik f'(y_i) (f(y_i) - t_i)


def delta_w_as_written(W, b, x, t):
    summed = np.full(M, error(W, b, x, t).sum())  # sum_i (f(y_i) - t_i) f'(y_i), for every i
    return np.outer(summed, x)  # delta w_ij = sum_i (f(y_i) - t_i) x_j f'(y_i)


def delta_b_as_written(W, b, x, t):
    return np.full(M, error(W, b, x, t).sum())  # delta b_i = sum_i (f(y_i) - t_i) f'(y_i)


def L_chain(W1, b1, W2, b2, x, t):
    return L(W1, b1, f(W2 @ x + b2), t)  # T = T_1 o T_2: T_1 gets T_2(x) = f(W2 x + b2)


def chain_error(W1, b1, W2, b2, x, t):
    upstream = delta_x(W1, b1, f(W2 @ x + b2), t)  # T_1's delta x_k, for T_2's output k
    return upstream * f_prime(W2 @ x + b2)  # in place of (f(y_k) - t_k) f'(y_k)


def delta_w1(W1, b1, W2, b2, x, t):
    return delta_w(W1, b1, f(W2 @ x + b2), t)  # T_1's delta w_ij, its x_j being T_2(x)_j


def delta_w2(W1, b1, W2, b2, x, t):
    return np.outer(chain_error(W1, b1, W2, b2, x, t), x)  # delta w_kj of T_2


def delta_b2(W1, b1, W2, b2, x, t):
    return chain_error(W1, b1, W2, b2, x, t)  # delta b_k of T_2


SLIPS = [
    Derivation("The seed writes delta w_ij = sum_i (f(y_i) - t_i) x_j f'(y_i):", L,
               {"W": delta_w_as_written}, BLOCK),
    Derivation("The seed writes delta b_i = sum_i (f(y_i) - t_i) f'(y_i):", L,
               {"b": delta_b_as_written}, BLOCK),
]
DERIVATIONS = [
    Derivation("Without the sum over i (w_ij and b_i reach t_hat_i only), with delta x_k:", L,
               {"W": delta_w, "b": delta_b, "x": delta_x}, BLOCK),
    Derivation("Section 2 continued: T = T_1 o T_2, T_1's delta x as T_2's error:", L_chain,
               {"W1": delta_w1, "W2": delta_w2, "b2": delta_b2}, CHAIN),
]


def main() -> int:
    return run_seed(__doc__, SLIPS, DERIVATIONS)


if __name__ == "__main__":
    sys.exit(main())
