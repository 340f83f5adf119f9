"""Seed 001 (the 2-3-1 tanh/sigmoid network, binary cross-entropy over N points).

The seed's network: g_ij = u_j1 x_i1 + u_j2 x_i2 + b_j, h_ij = tanh(g_ij),
z_i = w_1 h_i1 + w_2 h_i2 + w_3 h_i3 + c, o_i = sigma(z_i), and the cost
eps = 1/N sum_i L(z_i, y_i). The engine builds it as nn.MLP(2, [3, 1], tanh, linear)
(U = W1, b = b1, W = W2, c = b2[0]) with nn.losses.binary_cross_entropy_with_logits,
and its gradients are compared with the seed's vector-form backward equations,
evaluated in plain Python (no engine), and with its scalar-form equations too:

    z-bar = (o - y) / N        W-bar = H^T z-bar       c-bar = z-bar^T 1
    H-bar = z-bar W            G-bar = H-bar (.) (1 - tanh^2(G))
    U-bar = G-bar^T X          b-bar = G-bar^T 1

Slips in the seed, pointed out and checked here:
  * The loss L(z, y) = y log(sigma(z)) + (1 - y) log(1 - sigma(z)) is missing its minus
    sign: the seed's second line, y log(1 + exp(-z)) + (1 - y) log(1 + exp(z)), is the
    negative of the first. The backward equation z-bar = (o - y)/N belongs to the second
    line (the usual cross-entropy); the first line as written has z-bar = (y - o)/N.
  * W-bar = H^T z-bar is a 3 x 1 column, while W is a 1 x 3 row: the values are right,
    but the shape matching W is W-bar = z-bar^T H.
  * The "Forward equations (Vector form)" section is empty. They are:
    G = X U^T + 1 b^T, H = tanh(G), z = H W^T + c 1, o = sigma(z).

Run: python -m examples.seed_001_two_layer_bce  (from the repository root)
"""

from __future__ import annotations

import math
import random

from autograd import Value
from examples.plain_math import hadamard, matmul, max_abs_diff, transpose
from examples.plain_math import sigmoid as sigma
from examples.seed_report import print_differences, print_summary, print_verdict
from examples.seed_setup import randomize_biases
from nn import MLP, losses

N_POINTS = 6


def seed_backward(X, y, U, b, W, c):
    """The seed's forward (vector form) and vector-form backward equations, plain Python."""
    n = len(X)
    ones = [[1.0] for _ in range(n)]
    G = [[gi + bj for gi, bj in zip(row, b, strict=True)] for row in matmul(X, transpose(U))]
    H = [[math.tanh(g) for g in row] for row in G]
    z = [[zi[0] + c] for zi in matmul(H, transpose(W))]
    o = [[sigma(zi[0])] for zi in z]
    z_bar = [[(o[i][0] - y[i]) / n] for i in range(n)]
    W_bar = matmul(transpose(H), z_bar)  # 3 x 1, as the seed writes it
    c_bar = matmul(transpose(z_bar), ones)[0][0]
    H_bar = matmul(z_bar, W)
    G_bar = hadamard(H_bar, [[1.0 - math.tanh(g) ** 2 for g in row] for row in G])
    U_bar = matmul(transpose(G_bar), X)
    b_bar = matmul(transpose(G_bar), ones)
    scalar = seed_backward_scalar(X, y, U, b, W, c)
    second_line = sum(y[i] * math.log(1 + math.exp(-z[i][0]))
                      + (1 - y[i]) * math.log(1 + math.exp(z[i][0])) for i in range(n)) / n
    first_line = sum(y[i] * math.log(sigma(z[i][0]))
                     + (1 - y[i]) * math.log(1 - sigma(z[i][0])) for i in range(n)) / n
    return {"z_bar": [r[0] for r in z_bar], "W_bar": W_bar, "c_bar": c_bar, "U_bar": U_bar,
            "b_bar": [r[0] for r in b_bar], "loss": second_line, "loss_first_line": first_line,
            "o": [r[0] for r in o], "scalar": scalar}


def seed_backward_scalar(X, y, U, b, W, c):
    """The seed's scalar-form backward equations, one index at a time, plain Python."""
    n, J, K = len(X), range(3), range(2)
    g = [[U[j][0] * X[i][0] + U[j][1] * X[i][1] + b[j] for j in J] for i in range(n)]
    h = [[math.tanh(g[i][j]) for j in J] for i in range(n)]
    o = [sigma(sum(W[0][j] * h[i][j] for j in J) + c) for i in range(n)]
    z_bar = [(o[i] - y[i]) / n for i in range(n)]
    w_bar = [sum(z_bar[i] * h[i][j] for i in range(n)) for j in J]
    c_bar = sum(z_bar)
    g_bar = [[z_bar[i] * W[0][j] * (1 - math.tanh(g[i][j]) ** 2) for j in J] for i in range(n)]
    u_bar = [[sum(g_bar[i][j] * X[i][k] for i in range(n)) for k in K] for j in J]
    b_bar = [sum(g_bar[i][j] for i in range(n)) for j in J]
    return {"w_bar": w_bar, "c_bar": c_bar, "u_bar": u_bar, "b_bar": b_bar}


def make_problem(seed: int):
    rng = random.Random(seed)
    X = [[rng.uniform(-2.0, 2.0), rng.uniform(-2.0, 2.0)] for _ in range(N_POINTS)]
    y = [float(rng.random() < 0.5) for _ in range(N_POINTS)]
    model = MLP(2, [3, 1], activation="tanh", output_activation="linear", seed=seed,
                init_scale=1.0)
    randomize_biases(model.named_parameters(), rng)
    return X, y, model


def check(seed: int = 1) -> dict:
    """Compare the engine with the seed's vector-form equations; return largest differences."""
    X, y, model = make_problem(seed)
    P = dict(model.named_parameters())
    U = [[P[f"W1[{j},{k}]"].data for k in range(2)] for j in range(3)]
    b = [P[f"b1[{j}]"].data for j in range(3)]
    W = [[P[f"W2[0,{j}]"].data for j in range(3)]]
    c = P["b2[0]"].data
    seed_values = seed_backward(X, y, U, b, W, c)

    z = [model(x)[0] for x in X]
    for i, zi in enumerate(z):
        zi.label = f"z[{i}]"
    loss = losses.binary_cross_entropy_with_logits(z, y)
    loss.backward()
    engine = {
        "z_bar": [zi.grad for zi in z],
        "W_bar_row": [[P[f"W2[0,{j}]"].grad for j in range(3)]],
        "c_bar": P["b2[0]"].grad,
        "U_bar": [[P[f"W1[{j},{k}]"].grad for k in range(2)] for j in range(3)],
        "b_bar": [P[f"b1[{j}]"].grad for j in range(3)],
    }

    # The first line of the seed's loss, exactly as written (no minus sign), on the engine.
    z_lit = [Value(zi.data, f"z[{i}]") for i, zi in enumerate(z)]
    first_line = sum((yi * zi.sigmoid().log() + (1 - yi) * (1 - zi.sigmoid()).log()
                      for zi, yi in zip(z_lit, y, strict=True)), Value(0.0)) / len(y)
    first_line.backward()
    minus_o_bar = [(yi - oi) / len(y) for oi, yi in zip(seed_values["o"], y, strict=True)]

    return {
        "loss": abs(loss.data - seed_values["loss"]),
        "z_bar": max_abs_diff(engine["z_bar"], seed_values["z_bar"]),
        "W_bar": max_abs_diff(transpose(engine["W_bar_row"]), seed_values["W_bar"]),
        "c_bar": abs(engine["c_bar"] - seed_values["c_bar"]),
        "U_bar": max_abs_diff(engine["U_bar"], seed_values["U_bar"]),
        "b_bar": max_abs_diff(engine["b_bar"], seed_values["b_bar"]),
        "scalar form": max(
            max_abs_diff(engine["W_bar_row"][0], seed_values["scalar"]["w_bar"]),
            abs(engine["c_bar"] - seed_values["scalar"]["c_bar"]),
            max_abs_diff(engine["U_bar"], seed_values["scalar"]["u_bar"]),
            max_abs_diff(engine["b_bar"], seed_values["scalar"]["b_bar"])),
        "first_line_is_minus_second": abs(seed_values["loss_first_line"] + seed_values["loss"]),
        "first_line_value": seed_values["loss_first_line"],
        "second_line_value": seed_values["loss"],
        "first_line_z_bar_is_y_minus_o": max_abs_diff([v.grad for v in z_lit], minus_o_bar),
        "first_line_z_bar_vs_seed_z_bar": max_abs_diff([v.grad for v in z_lit],
                                                       seed_values["z_bar"]),
        "W_bar_shape": (len(seed_values["W_bar"]), len(seed_values["W_bar"][0])),
        "W_shape": (len(W), len(W[0])),
    }


CHECKS = ("loss", "z_bar", "W_bar", "c_bar", "U_bar", "b_bar", "scalar form")


def main() -> dict:
    print_summary(__doc__)
    r = check()
    print(f"N = {N_POINTS} points; largest |engine - seed equation|:")
    print_differences({key: r[key] for key in CHECKS}, width=11)
    print("slip 1, the missing minus sign in L(z, y):")
    print(f"  first line as written: eps = {r['first_line_value']:.12f}")
    print(f"  second line:           eps = {r['second_line_value']:.12f}"
          f"  (first + second = {r['first_line_is_minus_second']:.3e})")
    print("  engine z-bar of the first line vs (y - o)/N: "
          f"{r['first_line_z_bar_is_y_minus_o']:.3e}")
    print(f"  engine z-bar of the first line vs the seed's (o - y)/N: "
          f"{r['first_line_z_bar_vs_seed_z_bar']:.3e} (so the seed's z-bar needs the minus)")
    print(f"slip 2: W-bar = H^T z-bar has shape {r['W_bar_shape']}, W has shape {r['W_shape']};"
          " compared after transposing (W-bar = z-bar^T H)")
    worst = max(r[key] for key in CHECKS)
    print_verdict(worst)
    return r


if __name__ == "__main__":
    main()
