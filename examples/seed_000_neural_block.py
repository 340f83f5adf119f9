"""Seed 000 (a single neural block): the engine's gradients equal the seed's delta formulas.

The seed: T(x) = f(Wx + b) with W an m x n matrix, y_i = sum_k w_ik x_k + b_i,
t_hat_i = f(y_i), loss L = 1/2 sum_i (t_hat_i - t_i)^2, and gradient steps (1.3)-(1.5)
for W, b and also x. The engine's gradients (nn.Layer + nn.losses.half_sum_of_squares +
backward) are compared with the seed's formulas evaluated in plain Python (no engine):

    delta w_ij = (f(y_i) - t_i) f'(y_i) x_j
    delta b_i  = (f(y_i) - t_i) f'(y_i)
    delta x_k  = sum_i w_ik f'(y_i) (f(y_i) - t_i)

Slips in the seed, pointed out and checked here:
  * delta w_ij and delta b_i are written with a sum over i, but i is the free index of
    the left-hand side: w_ij only affects t_hat_i, so there is no sum. Read literally,
    the sum makes every row of delta-W (and every entry of delta-b) the same number,
    which the engine disagrees with.
  * Section 2 (the neural chain T = T_1 o T_2) stops after its definition. The check
    below continues it: T_2 runs first, and the seed's delta-x of T_1 is the upstream
    error that T_2's delta-w and delta-b formulas multiply (in place of f(y_i) - t_i).
  * x is written with m entries (x_1 ... x_m) and y_i sums k = 1 ... m, but W is m x n,
    so x has n entries and the sum runs to n. Here m = 3 and n = 4 to make that visible.

Run: python -m examples.seed_000_neural_block  (from the repository root)
"""

from __future__ import annotations

import random

from autograd import Value
from examples.plain_math import ACTIVATIONS, DERIVATIVES, affine, max_abs_diff
from examples.seed_report import print_differences, print_summary, print_verdict
from examples.seed_setup import randomize_biases
from nn import Layer, losses, optim

M, N = 3, 4  # W is m x n: m outputs t_1..t_m, n inputs x_1..x_n
GAMMA = 0.1  # the seed's small positive step size


def seed_formulas(W, b, x, t, activation):
    """The seed's delta-w, delta-b, delta-x (corrected: no sum over i) and the literal
    delta-w, delta-b (with the sum over i), in plain Python."""
    f, fp = ACTIVATIONS[activation], DERIVATIVES[activation]
    y = affine(W, x, b)
    err = [f(y[i]) - t[i] for i in range(M)]
    delta_w = [[err[i] * fp(y[i]) * x[j] for j in range(N)] for i in range(M)]
    delta_b = [err[i] * fp(y[i]) for i in range(M)]
    delta_x = [sum(W[i][k] * fp(y[i]) * err[i] for i in range(M)) for k in range(N)]
    summed = sum(err[i] * fp(y[i]) for i in range(M))
    literal_w = [[summed * x[j] for j in range(N)] for _ in range(M)]
    literal_b = [summed for _ in range(M)]
    return {"delta_w": delta_w, "delta_b": delta_b, "delta_x": delta_x,
            "literal_w": literal_w, "literal_b": literal_b}


def check(activation: str = "tanh", seed: int = 0) -> dict:
    """Compare engine and seed for one activation f; return the largest differences."""
    layer = Layer(N, M, activation=activation, seed=seed, init_scale=1.0)
    rng = random.Random(seed + 1000)
    randomize_biases(layer.named_parameters(), rng)  # non-zero, so delta-b is not trivial
    x = [Value(rng.uniform(-1.0, 1.0), f"x[{k}]") for k in range(N)]
    t = [rng.uniform(-0.9, 0.9) for _ in range(M)]
    params = dict(layer.named_parameters())
    W = [[params[f"W[{i},{j}]"].data for j in range(N)] for i in range(M)]
    b = [params[f"b[{i}]"].data for i in range(M)]
    x0 = [xk.data for xk in x]

    loss = losses.half_sum_of_squares(layer(x), t)
    loss.backward()
    engine_w = [[params[f"W[{i},{j}]"].grad for j in range(N)] for i in range(M)]
    engine_b = [params[f"b[{i}]"].grad for i in range(M)]
    engine_x = [xk.grad for xk in x]
    seed_values = seed_formulas(W, b, x0, t, activation)

    # Updates (1.3)-(1.5): one gradient step on W, b and x together.
    optim.SGD(layer.parameters() + x, lr=GAMMA).step()
    stepped = [[params[f"W[{i},{j}]"].data for j in range(N)] for i in range(M)]
    stepped += [[params[f"b[{i}]"].data for i in range(M)], [xk.data for xk in x]]
    expected = [[W[i][j] - GAMMA * seed_values["delta_w"][i][j] for j in range(N)]
                for i in range(M)]
    expected += [[b[i] - GAMMA * seed_values["delta_b"][i] for i in range(M)],
                 [x0[k] - GAMMA * seed_values["delta_x"][k] for k in range(N)]]
    return {
        "delta_w": max_abs_diff(engine_w, seed_values["delta_w"]),
        "delta_b": max_abs_diff(engine_b, seed_values["delta_b"]),
        "delta_x": max_abs_diff(engine_x, seed_values["delta_x"]),
        "update": max_abs_diff(stepped, expected),
        "literal_delta_w": max_abs_diff(engine_w, seed_values["literal_w"]),
        "literal_delta_b": max_abs_diff(engine_b, seed_values["literal_b"]),
    }


def block_deltas(W, b, x, upstream, activation):
    """The seed's formulas with a general upstream dL/dt_hat_i in place of f(y_i) - t_i."""
    fp = DERIVATIVES[activation]
    y = affine(W, x, b)
    delta_w = [[upstream[i] * fp(y[i]) * x[j] for j in range(len(x))] for i in range(len(W))]
    delta_b = [upstream[i] * fp(y[i]) for i in range(len(W))]
    delta_x = [sum(W[i][k] * fp(y[i]) * upstream[i] for i in range(len(W)))
               for k in range(len(x))]
    return y, delta_w, delta_b, delta_x


def check_chain(seed: int = 0) -> float:
    """Section 2: T = T_1 o T_2 (T_2 first); the largest |engine - chained seed formulas|."""
    t2 = Layer(N, 5, activation="tanh", seed=seed, init_scale=1.0, weight_name="W2",
               bias_name="b2")
    t1 = Layer(5, M, activation="sigmoid", seed=seed + 1, init_scale=1.0, weight_name="W1",
               bias_name="b1")
    rng = random.Random(seed + 2000)
    x = [rng.uniform(-1.0, 1.0) for _ in range(N)]
    t = [rng.uniform(0.1, 0.9) for _ in range(M)]

    def matrix(layer, name, rows, cols):
        p = dict(layer.named_parameters())
        return ([[p[f"{name}[{i},{j}]"].data for j in range(cols)] for i in range(rows)],
                [p[f"b{name[1:]}[{i}]"].data for i in range(rows)])

    (W2, b2), (W1, b1) = matrix(t2, "W2", 5, N), matrix(t1, "W1", M, 5)
    hidden = [ACTIVATIONS["tanh"](v) for v in affine(W2, x, b2)]
    y1 = affine(W1, hidden, b1)
    errors = [ACTIVATIONS["sigmoid"](y1[i]) - t[i] for i in range(M)]
    _, dW1, db1, d_hidden = block_deltas(W1, b1, hidden, errors, "sigmoid")
    _, dW2, db2, _ = block_deltas(W2, b2, x, d_hidden, "tanh")

    losses.half_sum_of_squares(t1(t2(x)), t).backward()
    p1, p2 = dict(t1.named_parameters()), dict(t2.named_parameters())
    engine = [[[p1[f"W1[{i},{j}]"].grad for j in range(5)] for i in range(M)],
              [p1[f"b1[{i}]"].grad for i in range(M)],
              [[p2[f"W2[{i},{j}]"].grad for j in range(N)] for i in range(5)],
              [p2[f"b2[{i}]"].grad for i in range(5)]]
    return max_abs_diff(engine, [dW1, db1, dW2, db2])


def main() -> dict:
    print_summary(__doc__)
    results = {}
    for activation in ("tanh", "sigmoid"):
        r = check(activation)
        results[activation] = r
        print(f"f = {activation}, m = {M}, n = {N}: largest |engine - seed formula|")
        print_differences({"delta w_ij (no sum over i)": r["delta_w"],
                           "delta b_i  (no sum over i)": r["delta_b"],
                           "delta x_k  (sum over i)": r["delta_x"]}, width=28)
        print(f"  updates (1.3)-(1.5), gamma={GAMMA}  {r['update']:.3e}")
        print(f"  slip: delta w as written, with sum over i: differs by {r['literal_delta_w']:.3e}")
        print(f"  slip: delta b as written, with sum over i: differs by {r['literal_delta_b']:.3e}")
    chain = check_chain()
    print(f"section 2, T = T_1 o T_2 with the deltas chained: {chain:.3e}")
    worst = max(r[k] for r in results.values() for k in ("delta_w", "delta_b", "delta_x", "update"))
    worst = max(worst, chain)
    results["chain"] = chain
    print_verdict(worst)
    return results


if __name__ == "__main__":
    main()
