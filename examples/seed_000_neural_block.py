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
  * x is written with m entries (x_1 ... x_m) and y_i sums k = 1 ... m, but W is m x n,
    so x has n entries and the sum runs to n. Here m = 3 and n = 4 to make that visible.

Run: python examples/seed_000_neural_block.py
"""

from __future__ import annotations

import math
import random

from autograd import Value
from nn import Layer, losses, optim

TOLERANCE = 1e-10
M, N = 3, 4  # W is m x n: m outputs t_1..t_m, n inputs x_1..x_n
GAMMA = 0.1  # the seed's small positive step size

F = {"tanh": math.tanh, "sigmoid": lambda y: 1.0 / (1.0 + math.exp(-y))}
F_PRIME = {
    "tanh": lambda y: 1.0 - math.tanh(y) ** 2,
    "sigmoid": lambda y: F["sigmoid"](y) * (1.0 - F["sigmoid"](y)),
}


def max_abs_diff(a, b) -> float:
    """Largest |a - b| over two equally nested lists of floats."""
    stack, worst = [(a, b)], 0.0
    while stack:
        x, y = stack.pop()
        if isinstance(x, list):
            assert len(x) == len(y), "shapes differ"
            stack.extend(zip(x, y, strict=True))
        else:
            worst = max(worst, abs(x - y))
    return worst


def seed_formulas(W, b, x, t, activation):
    """The seed's delta-w, delta-b, delta-x (corrected: no sum over i) and the literal
    delta-w, delta-b (with the sum over i), in plain Python."""
    f, fp = F[activation], F_PRIME[activation]
    y = [sum(W[i][k] * x[k] for k in range(N)) + b[i] for i in range(M)]
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
    for param in layer.parameters():  # non-zero biases, so delta-b is not trivial
        if param.label.startswith("b"):
            param.data = rng.uniform(-0.5, 0.5)
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


def main() -> dict:
    print(__doc__.split("Run:")[0])
    results = {}
    for activation in ("tanh", "sigmoid"):
        r = check(activation)
        results[activation] = r
        print(f"f = {activation}, m = {M}, n = {N}: largest |engine - seed formula|")
        print(f"  delta w_ij (no sum over i)   {r['delta_w']:.3e}")
        print(f"  delta b_i  (no sum over i)   {r['delta_b']:.3e}")
        print(f"  delta x_k  (sum over i)      {r['delta_x']:.3e}")
        print(f"  updates (1.3)-(1.5), gamma={GAMMA}  {r['update']:.3e}")
        print(f"  slip: delta w as written, with sum over i: differs by {r['literal_delta_w']:.3e}")
        print(f"  slip: delta b as written, with sum over i: differs by {r['literal_delta_b']:.3e}")
    worst = max(r[k] for r in results.values() for k in ("delta_w", "delta_b", "delta_x", "update"))
    print(f"largest difference over all checks: {worst:.3e} (tolerance {TOLERANCE:g})")
    print("PASS" if worst <= TOLERANCE else "FAIL")
    return results


if __name__ == "__main__":
    main()
