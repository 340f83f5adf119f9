"""Seed 002 (an n-layer network, l2 loss with 1/N): its layer-by-layer formulas, checked.

The seed: y_hat(x) = phi^n(W^n phi^(n-1)(... phi^0(W^0 x + b^0) ...) + b^n),
l2 = 1/N sum (y_hat(x) - y)^T (y_hat(x) - y), and

  dl2/dW^m_ij = 2/N sum (y_hat(x) - y)^T dy_hat/dW^m_ij(x), where
  dy_hat/dW^m_ij(x) = phi^n'(...) (.) ... (.) (W^(m+2)(phi^(m+1)'(...) (.)
                       (W^(m+1)(O_i phi^m'(...) o_j phi^(m-1)(...)))))
  dy_hat/db^m_i(x)  = the same without o_j phi^(m-1)(...)     (phi^(-1)(...) = x)

O_i keeps only the i-th entry of a vector, o_j v = v_j. Here n = 2 (layers m = 0, 1, 2 of
widths 4, 3, 2 on 3 inputs, phi = tanh, tanh, sigmoid) and N = 3; the claims below are
those formulas, entry by entry. They hold: this seed's derivatives have no slip. Notes:
its layer 0 is the first layer of weights, not the input; dy_hat/dW^m_ij and db^m_i close
one bracket more than they open; the general form needs m <= n - 2 (for m = n - 1 it
reads phi^n' (.) (W^n (O_i phi^(n-1)' o_j phi^(n-2)))), which the claims also cover.

Run: python -m examples.seed_002_n_layer_l2  (from the repository root)
"""

from __future__ import annotations

import sys

import numpy as np

from autograd import sigmoid
from examples.seed_report import Derivation, run_seed

SIZES = [3, 4, 3, 2]  # the input x, then layers m = 0, 1, 2
N = 3
PHI = [np.tanh, np.tanh, sigmoid]  # phi^0, phi^1, phi^2 (phi^n = phi^2)
PHI_PRIME = [lambda a: 1 - np.tanh(a) ** 2, lambda a: 1 - np.tanh(a) ** 2,
             lambda a: sigmoid(a) * (1 - sigmoid(a))]
SHAPES = {"X": (N, SIZES[0]), "Y": (N, SIZES[-1])}
for m in range(3):
    SHAPES[f"W{m}"] = (SIZES[m + 1], SIZES[m])
    SHAPES[f"b{m}"] = (SIZES[m + 1],)


def layers(Ws, bs, x):
    """The pre-activations W^m phi^(m-1)(...) + b^m and the outputs phi^m(...) of every layer."""
    pre, out = [], [x]  # out[0] is phi^(-1)(...) = x
    for W, b, phi in zip(Ws, bs, PHI, strict=True):
        pre.append(W @ out[-1] + b)
        out.append(phi(pre[-1]))
    return pre, out


def l2(X, Y, W0, b0, W1, b1, W2, b2):
    total = 0
    for x, y in zip(X, Y, strict=True):
        y_hat = layers([W0, W1, W2], [b0, b1, b2], x)[1][-1]
        total = total + (y_hat - y) @ (y_hat - y)  # (y_hat(x) - y)^T (y_hat(x) - y)
    return total / N


def O(i, size):  # noqa: E743 - the seed names it O_i
    return np.diag(np.eye(size)[i])  # O_i: keeps only the i-th entry


def o(j, size):
    return np.eye(size)[j]  # o_j v = v_j


def dy_hat(m, i, j, Ws, pre, out):
    """dy_hat/dW^m_ij(x), or dy_hat/db^m_i(x) for j = None."""
    size = len(pre[m])
    v = O(i, size) @ PHI_PRIME[m](pre[m])  # O_i phi^m'(...)
    if j is not None:
        v = v * (o(j, len(out[m])) @ out[m])  # ... o_j phi^(m-1)(...)
    for q in range(m + 1, len(Ws)):
        v = PHI_PRIME[q](pre[q]) * (Ws[q] @ v)  # phi^q'(...) (.) (W^q (...))
    return v


def dl2(m, bias):
    """The claim for W^m (or b^m): 2/N sum (y_hat(x) - y)^T dy_hat/dW^m_ij(x), per entry."""

    def claim(X, Y, W0, b0, W1, b1, W2, b2):
        Ws, bs = [W0, W1, W2], [b0, b1, b2]
        grad = np.zeros(SHAPES[f"{'b' if bias else 'W'}{m}"])
        for x, y in zip(X, Y, strict=True):
            pre, out = layers(Ws, bs, x)
            for index in np.ndindex(*grad.shape):
                j = None if bias else index[1]
                grad[index] += 2 / N * (out[-1] - y) @ dy_hat(m, index[0], j, Ws, pre, out)
        return grad

    claim.__name__ = f"dl2_d{'b' if bias else 'W'}{m}"
    return claim


SLIPS: list[Derivation] = []
DERIVATIONS = [
    Derivation("The seed's dl2/dW^m_ij and dl2/db^m_i for m = 0, 1, 2:", l2,
               {f"{p}{m}": dl2(m, p == "b") for m in range(3) for p in "Wb"}, SHAPES),
]


def main() -> int:
    return run_seed(__doc__, SLIPS, DERIVATIONS)


if __name__ == "__main__":
    sys.exit(main())
