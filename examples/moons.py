"""Moons: a 2-16-16-1 ReLU classifier in the style of the micrograd demo, to 100% accuracy.

Same recipe as micrograd's demo: 100 points of make_moons(noise=0.1), labels -1/+1,
max-margin (hinge) loss plus 1e-4 * sum(p^2), full-batch SGD with the learning rate
falling from 1.0 to 0.1 over 100 steps. Then it saves a decision-boundary plot as PNG
(needs matplotlib: pip install 'gradledger[plot]'; without it the plot is skipped).

Run: python examples/moons.py [out/moons.png] [--steps 100] [--points 100]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from nn import MLP, accuracy, data, losses, optim

DEFAULT_PLOT = Path(__file__).resolve().parents[1] / "out" / "moons.png"


def train(points: int = 100, steps: int = 100, seed: int = 1337, report=print):
    """Train the demo model; return (model, X, y, history) with y in {-1, +1}."""
    X, labels = data.make_moons(points, noise=0.1, seed=seed)
    y = data.signed(labels)
    model = MLP(2, [16, 16, 1], activation="relu", seed=seed, init_scale=1.0)
    params = model.parameters()
    sgd = optim.SGD(params, lr=1.0)
    history = []
    for step in range(steps):
        scores = [model(x)[0] for x in X]
        squares = params[0] * params[0]
        for p in params[1:]:
            squares = squares + p * p
        loss = losses.hinge(scores, y) + 1e-4 * squares
        acc = accuracy(scores, y)
        sgd.zero_grad()
        loss.backward()
        sgd.lr = 1.0 - 0.9 * step / steps
        sgd.step()
        history.append({"step": step, "loss": loss.data, "accuracy": acc})
        if report is not None and (step % 10 == 0 or step == steps - 1):
            report(f"step {step:3d}  loss {loss.data:.6f}  accuracy {acc:.0%}")
    final = accuracy([model(x)[0] for x in X], y)
    history.append({"step": steps, "loss": None, "accuracy": final})
    return model, X, y, history


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
    args = parser.parse_args(argv)
    start = time.perf_counter()
    model, X, y, history = train(args.points, args.steps)
    seconds = time.perf_counter() - start
    final = history[-1]["accuracy"]
    print(f"final training accuracy {final:.0%} after {args.steps} steps "
          f"({seconds:.1f} s of training)")
    written = save_plot(model, X, y, args.plot)
    if written is None:
        print("matplotlib is not installed: no plot (pip install 'gradledger[plot]')")
    else:
        print(f"decision boundary saved to {written}")
    return 0 if final == 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
