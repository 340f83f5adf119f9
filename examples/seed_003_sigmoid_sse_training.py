"""Seed 003 (a two-layer sigmoid network, sum of squared errors, manual weight updates).

The seed's network has no biases: layer1 = sigmoid(input . weights1),
output = sigmoid(layer1 . weights2), loss L = sum_i (y_i - y_hat_i)^2, and it trains
with the manual updates (learning rate 1, the classic numpy-from-scratch loop):

    d2 = layer1.T . [2(y - y_hat) * sigmoid_derivative(y_hat)]
    d1 = input.T . ([2(y - y_hat) * sigmoid_derivative(y_hat) . weights2.T]
                    * sigmoid_derivative(layer1))
    weights2 += d2;  weights1 += d1

where sigmoid_derivative(s) = s (1 - s) takes a sigmoid's *output*. Here that loop runs
in plain Python (no engine) next to the engine version: nn.MLP(3, [4, 1], sigmoid,
output sigmoid, bias=False), nn.losses.sum_of_squared_errors, backward() and
nn.optim.SGD(lr=1). weights1[i][j] is W1[j,i] and weights2[j][0] is W2[0,j]. The two
must agree after every step.

Slips in the seed, pointed out and checked here:
  * "dL/dW = 2(y - y_hat) . sigmoid'(z) . layer^(L-1)" has the wrong sign: with
    L = sum (y - y_hat)^2, dL/dy_hat = -2(y - y_hat) = 2(y_hat - y) (the seed's own
    later line dC0/da^L = 2(a^L - y) is right). So d2 and d1 are MINUS the gradient,
    which is why the update is weights += d (plain gradient descent with step 1).
  * "sigmoid-derivative(y_hat)" and "z^L = w^L . a^(L-1) = output": the output is
    sigmoid(z^L), not z^L, and sigma'(z^L) = y_hat (1 - y_hat). The code works because its
    sigmoid_derivative(s) means s (1 - s) of an output s; read as sigma'(y_hat), the
    sigmoid's derivative at y_hat, it gives a different (wrong) update.

Run: python -m examples.seed_003_sigmoid_sse_training  (from the repository root)
"""

from __future__ import annotations

import operator

from examples.plain_math import elementwise, matmul, max_abs_diff, sigmoid, sigmoid_prime, transpose
from examples.seed_report import print_summary, print_verdict
from nn import MLP, losses, optim

STEPS = 1500
INPUT = [[0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 1.0]]
Y = [[0.0], [1.0], [1.0], [0.0]]


def sigmoid_derivative(s: float) -> float:
    """The seed's sigmoid-derivative: s (1 - s), for s a sigmoid's output."""
    return s * (1.0 - s)


def manual_step(weights1, weights2, literal_derivative=False):
    """One step of the seed's manual update; returns (weights1, weights2, d1, d2)."""
    deriv = sigmoid_prime if literal_derivative else sigmoid_derivative
    layer1 = elementwise(sigmoid, matmul(INPUT, weights1))
    output = elementwise(sigmoid, matmul(layer1, weights2))
    delta_out = elementwise(lambda y, yh: 2.0 * (y - yh) * deriv(yh), Y, output)
    d2 = matmul(transpose(layer1), delta_out)
    moved = matmul(delta_out, transpose(weights2))
    d1 = matmul(transpose(INPUT),
                elementwise(lambda m, h: m * sigmoid_derivative(h), moved, layer1))
    new1 = elementwise(operator.add, weights1, d1)
    new2 = elementwise(operator.add, weights2, d2)
    return new1, new2, d1, d2


def check(seed: int = 3, steps: int = STEPS) -> dict:
    """Train both ways for `steps` steps; return the largest weight difference and more."""
    model = MLP(3, [4, 1], activation="sigmoid", output_activation="sigmoid", bias=False,
                seed=seed, init_scale=1.0)
    P = dict(model.named_parameters())

    def engine_weights():
        w1 = [[P[f"W1[{j},{i}]"].data for j in range(4)] for i in range(3)]
        w2 = [[P[f"W2[0,{j}]"].data] for j in range(4)]
        return w1, w2

    weights1, weights2 = engine_weights()
    sgd = optim.SGD(model.parameters(), lr=1.0)
    worst = 0.0
    first = {}
    for step in range(steps):
        sgd.zero_grad()
        loss = losses.sum_of_squared_errors([model(x)[0] for x in INPUT], [y[0] for y in Y])
        loss.backward()
        if step == 0:
            grad2 = [[P[f"W2[0,{j}]"].grad] for j in range(4)]
            _, _, _, d2 = manual_step(weights1, weights2)
            _, _, _, d2_literal = manual_step(weights1, weights2, literal_derivative=True)
            first = {
                "gradient_is_minus_d2": max_abs_diff(grad2, elementwise(lambda d: -d, d2)),
                "gradient_vs_plus_d2": max_abs_diff(grad2, d2),
                "literal_sigma_prime_of_y_hat": max_abs_diff(
                    grad2, elementwise(lambda d: -d, d2_literal)),
                "first_loss": loss.data,
            }
        sgd.step()
        weights1, weights2, _, _ = manual_step(weights1, weights2)
        worst = max(worst, max_abs_diff(list(engine_weights()), [weights1, weights2]))
    outputs = [model(x)[0].data for x in INPUT]
    final_loss = sum((y[0] - o) ** 2 for y, o in zip(Y, outputs, strict=True))
    return {"weights": worst, "steps": steps, "final_loss": final_loss,
            "outputs": outputs, **first}


def main() -> dict:
    print_summary(__doc__)
    r = check()
    print(f"{r['steps']} steps of the seed's manual update vs the engine + SGD(lr=1):")
    print(f"  largest |engine weight - manual weight| over all steps: {r['weights']:.3e}")
    print(f"  loss {r['first_loss']:.6f} -> {r['final_loss']:.6f}; outputs "
          f"{[round(o, 3) for o in r['outputs']]} for targets {[y[0] for y in Y]}")
    print("slip 1, the sign of dL/dW: engine dL/dweights2 at step 0")
    print(f"  vs -d2 (the seed's d2 is minus the gradient): {r['gradient_is_minus_d2']:.3e}")
    print(f"  vs +d2 (dL/dW = 2(y - y_hat)... as written):  {r['gradient_vs_plus_d2']:.3e}")
    print("slip 2, sigmoid-derivative(y_hat) read as sigma'(y_hat) instead of y_hat(1 - y_hat):")
    print(f"  differs from the engine by {r['literal_sigma_prime_of_y_hat']:.3e}")
    print_verdict(r["weights"], label="largest difference")
    return r


if __name__ == "__main__":
    main()
