"""Seed 002 (a general n-layer network, l2 loss with 1/N): the layer-by-layer formulas.

The seed: y_hat(x) = phi^n(W^n phi^(n-1)(... phi^0(W^0 x + b^0) ...) + b^n),
l2 = 1/N sum (y_hat(x) - y)^T (y_hat(x) - y), and

  dl2/dW^m_ij = 2/N sum (y_hat(x) - y)^T dy_hat/dW^m_ij(x), where
  dy_hat/dW^m_ij(x) = phi^n'(...) (.) ... (.) (W^(m+2)(phi^(m+1)'(...) (.)
                       (W^(m+1)(O_i phi^m'(...) o_j phi^(m-1)(...)))))
  dy_hat/db^m_i(x)  = the same with o_j phi^(m-1)(...) left out
  (phi^(-1)(...) = x, so o_j phi^(-1) = x_j for the first layer).

The engine builds the network as nn.MLP(3, [4, 3, 2], tanh, output sigmoid): the seed's
layers m = 0, 1, 2 are the MLP's layers 1, 2, 3 (W^m = W{m+1}). Its gradients of
nn.losses.l2_loss are compared with the seed's formulas evaluated literally in plain
Python (no engine): for every W^m_ij, the vector O_i phi^m' o_j phi^(m-1) is pushed
through W^(m+1), phi^(m+1)', ... up to the output, then dotted with 2/N (y_hat - y).
One gradient-descent step (learning rate alpha) is checked too.

Notes on the seed (the formulas themselves are right):
  * "Hidden layers are indexed from 0 to n ... 0 being the input layer", but W^0 acts
    on x, so layer 0 is the first layer of weights, not the input.
  * The formulas for dy_hat/dW^m_ij, dy_hat/db^m_i and dy_hat/db^0_i each close one
    bracket more than they open; the nesting meant is
    phi^n' (.) (W^n (... (.) (W^(m+1) (O_i phi^m' o_j phi^(m-1))))).
  * The general form needs m <= n - 2 (it mentions W^(m+2)); for m = n - 1 it reads
    phi^n' (.) (W^n (O_i phi^(n-1)' o_j phi^(n-2))), which the code below also covers.

Run: python -m examples.seed_002_n_layer_l2  (from the repository root)
"""

from __future__ import annotations

import random

from examples.plain_math import ACTIVATIONS as PHI
from examples.plain_math import DERIVATIVES as PHI_PRIME
from examples.plain_math import affine, inner, matvec, max_abs_diff
from examples.seed_report import print_differences, print_summary, print_verdict
from examples.seed_setup import randomize_biases
from nn import MLP, losses, optim

SIZES = [3, 4, 3, 2]  # input, then the widths of layers m = 0, 1, 2
ACTIVATIONS = ["tanh", "tanh", "sigmoid"]  # phi^0, phi^1, phi^2
ALPHA = 0.05
N_POINTS = 5


def forward(Ws, bs, x):
    """Pre-activations a^m and outputs h^m of every layer (h[-1] is y_hat), plain Python."""
    pre, out = [], []
    h = x
    for m, (W, b) in enumerate(zip(Ws, bs, strict=True)):
        a = affine(W, h, b)
        h = [PHI[ACTIVATIONS[m]](ai) for ai in a]
        pre.append(a)
        out.append(h)
    return pre, out


def dy_hat(Ws, pre, out, x, m, i, j=None):
    """The seed's dy_hat/dW^m_ij(x) (or dy_hat/db^m_i when j is None) as a vector."""
    below = x if m == 0 else out[m - 1]  # phi^(m-1)(...)
    o_j = 1.0 if j is None else below[j]
    v = [PHI_PRIME[ACTIVATIONS[m]](pre[m][k]) * o_j if k == i else 0.0
         for k in range(len(pre[m]))]  # O_i phi^m'(...) o_j phi^(m-1)(...)
    for q in range(m + 1, len(Ws)):
        Wv = matvec(Ws[q], v)
        v = [PHI_PRIME[ACTIVATIONS[q]](pre[q][r]) * Wv[r] for r in range(len(Wv))]
    return v


def seed_gradients(Ws, bs, X, Y):
    """dl2/dW^m_ij and dl2/db^m_i from the seed's formulas, and the loss, plain Python."""
    n = len(X)
    gW = [[[0.0] * len(W[0]) for _ in W] for W in Ws]
    gb = [[0.0] * len(b) for b in bs]
    loss = 0.0
    for x, y in zip(X, Y, strict=True):
        pre, out = forward(Ws, bs, x)
        residual = [yh - yt for yh, yt in zip(out[-1], y, strict=True)]
        loss += sum(r * r for r in residual) / n
        for m, W in enumerate(Ws):
            for i in range(len(W)):
                v = dy_hat(Ws, pre, out, x, m, i)
                gb[m][i] += 2.0 / n * inner(residual, v)
                for j in range(len(W[0])):
                    v = dy_hat(Ws, pre, out, x, m, i, j)
                    gW[m][i][j] += 2.0 / n * inner(residual, v)
    return gW, gb, loss


def check(seed: int = 2) -> dict:
    """Compare engine gradients with the seed's formulas; return the largest differences."""
    model = MLP(SIZES[0], SIZES[1:], activation="tanh", output_activation="sigmoid",
                seed=seed, init_scale=1.0)
    rng = random.Random(seed)
    P = dict(model.named_parameters())
    randomize_biases(P.items(), rng)
    X = [[rng.uniform(-1.0, 1.0) for _ in range(SIZES[0])] for _ in range(N_POINTS)]
    Y = [[rng.uniform(0.0, 1.0) for _ in range(SIZES[-1])] for _ in range(N_POINTS)]
    layers = range(len(SIZES) - 1)
    Ws = [[[P[f"W{m + 1}[{i},{j}]"].data for j in range(SIZES[m])] for i in range(SIZES[m + 1])]
          for m in layers]
    bs = [[P[f"b{m + 1}[{i}]"].data for i in range(SIZES[m + 1])] for m in layers]
    gW, gb, seed_loss = seed_gradients(Ws, bs, X, Y)

    loss = losses.l2_loss([model(x) for x in X], Y)
    loss.backward()
    engine_W = [[[P[f"W{m + 1}[{i},{j}]"].grad for j in range(SIZES[m])]
                 for i in range(SIZES[m + 1])] for m in layers]
    engine_b = [[P[f"b{m + 1}[{i}]"].grad for i in range(SIZES[m + 1])] for m in layers]

    optim.SGD(model.parameters(), lr=ALPHA).step()
    stepped = [[[P[f"W{m + 1}[{i},{j}]"].data for j in range(SIZES[m])]
                for i in range(SIZES[m + 1])] for m in layers]
    expected = [[[Ws[m][i][j] - ALPHA * gW[m][i][j] for j in range(SIZES[m])]
                 for i in range(SIZES[m + 1])] for m in layers]
    result = {"loss": abs(loss.data - seed_loss), "update": max_abs_diff(stepped, expected)}
    for m in layers:
        result[f"W^{m}"] = max_abs_diff(engine_W[m], gW[m])
        result[f"b^{m}"] = max_abs_diff(engine_b[m], gb[m])
    return result


def main() -> dict:
    print_summary(__doc__)
    r = check()
    print(f"layers {SIZES}, activations {ACTIVATIONS}, N = {N_POINTS}; "
          "largest |engine - seed formula|:")
    print_differences(r, width=7)
    print_verdict(max(r.values()))
    return r


if __name__ == "__main__":
    main()
