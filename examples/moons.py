"""Moons: a 2-16-16-1 ReLU classifier in the style of the micrograd demo, to 100% accuracy.

Same recipe as micrograd's demo: 100 points of make_moons(noise=0.1), labels -1/+1,
max-margin (hinge) loss plus 1e-4 * sum(p^2), full-batch SGD with the learning rate
falling from 1.0 to 0.1 over 100 steps. Then it saves a decision-boundary plot as PNG
(needs matplotlib: pip install 'gradledger[plot]'; without it the plot is skipped).

With numpy installed (pip install 'gradledger[fast]') each step replays a tape of the
model's score, traced once with autograd.Tape, on all points at once; without numpy, or
with --dynamic, every step builds and backpropagates the Value graph. Both give the same
losses (to about 1e-12).

Run: python -m examples.moons [out/moons.png] [--steps 100] [--points 100] [--dynamic]  (from the
repository root)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from autograd import Tape, Value
from nn import MLP, accuracy, data, losses, optim

DEFAULT_PLOT = Path(__file__).resolve().parents[1] / "out" / "moons.png"


def train(points: int = 100, steps: int = 100, seed: int = 1337, report=print,
          fast: bool | None = None):
    """Train the demo model; return (model, X, y, history) with y in {-1, +1}.

    fast: replay a traced tape on numpy arrays (default: when numpy is installed).
    """
    X, labels = data.make_moons(points, noise=0.1, seed=seed)
    y = data.signed(labels)
    model = MLP(2, [16, 16, 1], activation="relu", seed=seed, init_scale=1.0)
    params = model.parameters()
    sgd = optim.SGD(params, lr=1.0)
    if fast is None:
        fast = numpy_installed()
    batched = BatchedLoss(model, X, y) if fast else None
    history = []
    for step in range(steps):
        if batched is not None:
            loss_value, acc = batched.loss_and_grads()
        else:
            loss_value, acc = dynamic_loss_and_grads(model, X, y)
        sgd.lr = 1.0 - 0.9 * step / steps
        sgd.step()
        history.append({"step": step, "loss": loss_value, "accuracy": acc})
        if report is not None and (step % 10 == 0 or step == steps - 1):
            report(f"step {step:3d}  loss {loss_value:.6f}  accuracy {acc:.0%}")
    final = accuracy([model(x)[0] for x in X], y)
    history.append({"step": steps, "loss": None, "accuracy": final})
    return model, X, y, history


def dynamic_loss_and_grads(model: MLP, X, y) -> tuple[float, float]:
    """Build the whole loss as a Value graph and backpropagate: sets every parameter's .grad."""
    params = model.parameters()
    scores = [model(x)[0] for x in X]
    squares = params[0] * params[0]
    for p in params[1:]:
        squares = squares + p * p
    loss = losses.hinge(scores, y) + 1e-4 * squares
    model.zero_grad()
    loss.backward()
    return loss.data, accuracy(scores, y)


def numpy_installed() -> bool:
    """True when numpy (the 'fast' extra) can be imported."""
    try:
        import numpy  # noqa: F401
    except ImportError:
        return False
    return True


class BatchedLoss:
    """The same loss by replay: the model's score is traced once as a Tape whose inputs are
    the parameters and one point; each step replays it on all points as numpy arrays."""

    def __init__(self, model: MLP, X, y):
        import numpy as np

        self.np = np
        self.params = model.parameters()
        point = [Value(0.0, "x0"), Value(0.0, "x1")]
        self.tape = Tape.of(model(point)[0], [*self.params, *point])
        self.x0 = np.array([x[0] for x in X], dtype=float)
        self.x1 = np.array([x[1] for x in X], dtype=float)
        self.y = np.array(y, dtype=float)

    def loss_and_grads(self) -> tuple[float, float]:
        """Hinge loss + 1e-4 * sum(p^2) and the accuracy; sets every parameter's .grad."""
        np = self.np
        weights = np.array([p.data for p in self.params])
        scores, grads = self.tape.batch_value_and_grad(*weights, self.x0, self.x1)
        margins = 1.0 - self.y * scores
        active = margins > 0  # relu'(0) = 0, as in the engine
        n = len(self.y)
        data_loss = float(np.where(active, margins, 0.0).sum()) / n
        # d loss / d p = mean over points of relu'(margin) * -y * d score / d p, plus 2e-4 * p.
        slope = np.where(active, -self.y, 0.0) / n
        gradient = np.stack(grads[: len(self.params)]) @ slope + 2e-4 * weights
        for p, g in zip(self.params, gradient.tolist(), strict=True):
            p.grad = g
        guesses = np.where(scores > 0, 1.0, -1.0)
        acc = float((guesses == self.y).mean())
        return data_loss + 1e-4 * float(weights @ weights), acc


def plain_forward(weights: list[tuple[list[list[float]], list[float]]], x: list[float]) -> float:
    """The trained model's score on floats only (fast, for drawing the boundary)."""
    h = x
    for depth, (W, b) in enumerate(weights):
        h = [sum(w * v for w, v in zip(row, h, strict=True)) + bj for row, bj in zip(W, b,
                                                                                     strict=True)]
        if depth < len(weights) - 1:
            h = [v if v > 0 else 0.0 for v in h]
    return h[0]


def weights_of(model: MLP) -> list[tuple[list[list[float]], list[float]]]:
    """(W, b) of each layer as floats, for plain_forward."""
    state = model.state_dict()
    return [(state[f"W{l}"], state[f"b{l}"]) for l in range(1, len(model.layers) + 1)]  # noqa: E741


def save_plot(model: MLP, X, y, path: Path, resolution: int = 80) -> Path | None:
    """Draw the decision boundary and the points to path (PNG); None without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    weights = weights_of(model)
    xs = [-2.0 + 4.5 * i / (resolution - 1) for i in range(resolution)]
    ys = [-1.5 + 3.5 * j / (resolution - 1) for j in range(resolution)]
    grid = [[plain_forward(weights, [gx, gy]) > 0 for gx in xs] for gy in ys]
    figure, axes = plt.subplots(figsize=(6, 5))
    axes.contourf(xs, ys, grid, levels=[-0.5, 0.5, 1.5], cmap="Spectral", alpha=0.8)
    axes.scatter([p[0] for p in X], [p[1] for p in X], c=y, s=30, cmap="jet", edgecolors="k")
    axes.set_title("2-16-16-1 MLP on make_moons: decision boundary")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def positive_int(text: str) -> int:
    """argparse type: an int >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("plot", nargs="?", type=Path, default=DEFAULT_PLOT,
                        help=f"where to write the PNG (default {DEFAULT_PLOT})")
    parser.add_argument("--steps", type=positive_int, default=100)
    parser.add_argument("--points", type=positive_int, default=100)
    parser.add_argument("--dynamic", action="store_true",
                        help="build the Value graph every step even when numpy is installed")
    args = parser.parse_args(argv)
    fast = numpy_installed() and not args.dynamic
    start = time.perf_counter()
    model, X, y, history = train(args.points, args.steps, fast=fast)
    seconds = time.perf_counter() - start
    final = history[-1]["accuracy"]
    how = "batched replay with numpy" if fast else "dynamic Value graphs"
    print(f"final training accuracy {final:.0%} after {args.steps} steps "
          f"({seconds:.1f} s of training, {how})")
    written = save_plot(model, X, y, args.plot)
    if written is None:
        print("matplotlib is not installed: no plot (pip install 'gradledger[plot]')")
    else:
        print(f"decision boundary saved to {written}")
    return 0 if final == 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
