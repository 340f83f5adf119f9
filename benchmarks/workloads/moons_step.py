"""The micrograd demo's training step: MLP 2-16-16-1 (relu), 100 moons points, SGD.

Loss = mean over points of relu(1 - y_i * score_i) (max-margin) + 1e-4 * sum(p * p).
Every engine starts from the same data and the same weights (made here from a seed with
the standard library), takes the same steps with the demo's learning rate, and reports
its loss at each step, so the losses can be compared between engines.

Engines (`STEPPERS`): this engine building Values (`gradledger`), this engine replaying a
traced per-point loss on numpy arrays (`gradledger-replay`) or point by point on floats
(`gradledger-replay-scalar`, no numpy), micrograd, torch with 0-dim float64 tensors
(`torch-scalar`) and torch with batched 2-D tensors (`torch-batched`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ALPHA = 1e-4
SIZES = (2, 16, 16, 1)
DEMO_STEPS = 100
TORCH_THREADS = 1
"""torch's intra-op threads. With its default (one per core) on this 2-core machine shared
with other work, batched steps stalled for 60 ms now and then while a worker thread waited
for a busy core; with one thread they take about 1 ms. Our engine is single-threaded too."""


@dataclass(frozen=True)
class Problem:
    """Points, labels in {-1, +1}, and the starting weights as plain floats.

    layers[l][j] is (weights of neuron j of layer l, its bias).
    """

    X: tuple[tuple[float, float], ...]
    y: tuple[int, ...]
    layers: tuple[tuple[tuple[tuple[float, ...], float], ...], ...]

    def flat_parameters(self) -> list[float]:
        """Every parameter in order: layer by layer, neuron by neuron, weights then bias."""
        return [p for layer in self.layers for w, b in layer for p in (*w, b)]


def make_problem(points: int = 100, seed: int = 1337, noise: float = 0.1) -> Problem:
    """Two interleaving half moons with gaussian noise, and uniform(-1, 1) weights, bias 0."""
    rng = random.Random(seed)
    outer = points // 2
    inner = points - outer
    X: list[tuple[float, float]] = []
    for k in range(outer):
        t = math.pi * k / max(outer - 1, 1)
        X.append((math.cos(t), math.sin(t)))
    for k in range(inner):
        t = math.pi * k / max(inner - 1, 1)
        X.append((1.0 - math.cos(t), 0.5 - math.sin(t)))
    X = [(a + rng.gauss(0.0, noise), b + rng.gauss(0.0, noise)) for a, b in X]
    y = [-1] * outer + [1] * inner
    layers = []
    for nin, nout in zip(SIZES, SIZES[1:], strict=False):
        layers.append(tuple(
            (tuple(rng.uniform(-1.0, 1.0) for _ in range(nin)), 0.0) for _ in range(nout)
        ))
    return Problem(tuple(X), tuple(y), tuple(layers))


def learning_rate(step: int) -> float:
    """The demo's schedule: 1.0 falling to 0.1 over 100 steps."""
    return 1.0 - 0.9 * step / DEMO_STEPS


def scalar_loss(layers: list, X, y, relu: Callable[[Any], Any]) -> Any:
    """The demo's loss on any scalar engine: layers of (weights, bias) nodes; X, y plain."""
    losses = []
    for point, label in zip(X, y, strict=True):
        h = list(point)
        for depth, layer in enumerate(layers):
            last = depth == len(layers) - 1
            h = [_neuron(w, b, h, relu, last) for w, b in layer]
        losses.append(relu(1 + -label * h[0]))
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for layer in layers for w, b in layer for p in (*w, b))
    return data_loss + reg_loss


def _neuron(w, b, h, relu, linear):
    act = sum((wi * xi for wi, xi in zip(w, h, strict=True)), b)
    return act if linear else relu(act)


def point_loss(*args: Any) -> Any:
    """One point's max-margin loss: args are every parameter (flat order), then x0, x1, y."""
    params, (x0, x1, label) = args[:-3], args[-3:]
    layers, k = [], 0
    for nin, nout in zip(SIZES, SIZES[1:], strict=False):
        layer = []
        for _ in range(nout):
            layer.append((params[k:k + nin], params[k + nin]))
            k += nin + 1
        layers.append(layer)
    h = [x0, x1]
    for depth, layer in enumerate(layers):
        last = depth == len(layers) - 1
        h = [_neuron(w, b, h, _relu_method, last) for w, b in layer]
    return (1 + -label * h[0]).relu()


def _relu_method(v: Any) -> Any:
    return v.relu()


def _nested(values: list, layers_shape) -> list:
    """Put a flat list of parameter nodes back into layers of (weights, bias)."""
    out, k = [], 0
    for layer in layers_shape:
        rows = []
        for w, _ in layer:
            rows.append((values[k:k + len(w)], values[k + len(w)]))
            k += len(w) + 1
        out.append(rows)
    return out


class ValueStepper:
    """Steps for engines whose nodes are Python objects with .data and .grad (ours, micrograd)."""

    def __init__(self, problem: Problem, value_class: type):
        self.problem = problem
        self.params = [value_class(p) for p in problem.flat_parameters()]
        self.layers = _nested(self.params, problem.layers)

    def step(self, k: int) -> float:
        """One training step; returns the loss before the update."""
        loss = scalar_loss(self.layers, self.problem.X, self.problem.y, _relu_method)
        for p in self.params:
            p.grad = 0.0
        loss.backward()
        lr = learning_rate(k)
        for p in self.params:
            p.data -= lr * p.grad
        return float(loss.data)

    def parameters(self) -> list[float]:
        return [float(p.data) for p in self.params]


class TorchScalarStepper:
    """Steps with one 0-dim float64 tensor per parameter and per intermediate value."""

    def __init__(self, problem: Problem):
        import torch

        torch.set_num_threads(TORCH_THREADS)
        self.torch = torch
        self.problem = problem
        self.params = [torch.tensor(p, dtype=torch.float64, requires_grad=True)
                       for p in problem.flat_parameters()]
        self.layers = _nested(self.params, problem.layers)

    def step(self, k: int) -> float:
        loss = scalar_loss(self.layers, self.problem.X, self.problem.y, _relu_method)
        for p in self.params:
            p.grad = None
        loss.backward()
        lr = learning_rate(k)
        with self.torch.no_grad():
            for p in self.params:
                p -= lr * p.grad
        return float(loss.item())

    def parameters(self) -> list[float]:
        return [float(p.item()) for p in self.params]


class TorchBatchedStepper:
    """Steps with one 2-D tensor per layer: the whole batch in a few matrix operations."""

    def __init__(self, problem: Problem):
        import torch

        torch.set_num_threads(TORCH_THREADS)
        self.torch = torch
        f64 = torch.float64
        self.X = torch.tensor(problem.X, dtype=f64)
        self.y = torch.tensor(problem.y, dtype=f64)
        self.weights = [torch.tensor([w for w, _ in layer], dtype=f64, requires_grad=True)
                        for layer in problem.layers]
        self.biases = [torch.tensor([b for _, b in layer], dtype=f64, requires_grad=True)
                       for layer in problem.layers]

    def step(self, k: int) -> float:
        torch = self.torch
        h = self.X
        last = len(self.weights) - 1
        for depth, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = h @ W.T + b
            if depth < last:
                h = h.relu()
        data_loss = (1 - self.y * h[:, 0]).relu().mean()
        reg_loss = ALPHA * sum((p * p).sum() for p in (*self.weights, *self.biases))
        loss = data_loss + reg_loss
        for p in (*self.weights, *self.biases):
            p.grad = None
        loss.backward()
        lr = learning_rate(k)
        with torch.no_grad():
            for p in (*self.weights, *self.biases):
                p -= lr * p.grad
        return float(loss.item())

    def parameters(self) -> list[float]:
        flat = []
        for W, b in zip(self.weights, self.biases, strict=True):
            for row, bias in zip(W.tolist(), b.tolist(), strict=True):
                flat += [*row, bias]
        return flat


class ReplayStepper:
    """This engine traced once on one point's loss, replayed on all points as numpy arrays."""

    def __init__(self, problem: Problem):
        import numpy as np

        from autograd import trace

        self.np = np
        self.params = np.array(problem.flat_parameters())
        self.x0 = np.array([x[0] for x in problem.X])
        self.x1 = np.array([x[1] for x in problem.X])
        self.y = np.array(problem.y, dtype=np.float64)
        self.loss = trace(point_loss)

    def step(self, k: int) -> float:
        np = self.np
        data_loss, grads = self.loss.batch_value_and_grad(
            *self.params, self.x0, self.x1, self.y, reduce="mean"
        )
        params = self.params
        loss = data_loss + ALPHA * float(np.dot(params, params))
        gradient = np.asarray(grads[:-3]) + (2 * ALPHA) * params
        self.params = params - learning_rate(k) * gradient
        return float(loss)

    def parameters(self) -> list[float]:
        return self.params.tolist()


class ScalarReplayStepper:
    """This engine traced once on one point's loss, replayed point by point on plain floats
    (the path without numpy)."""

    def __init__(self, problem: Problem):
        from autograd import trace

        self.problem = problem
        self.params = problem.flat_parameters()
        self.loss = trace(point_loss)

    def step(self, k: int) -> float:
        params = self.params
        n = len(self.problem.X)
        total, gradient = 0.0, [0.0] * len(params)
        for (x0, x1), label in zip(self.problem.X, self.problem.y, strict=True):
            value, grads = self.loss.value_and_grad(*params, x0, x1, label)
            total += value
            gradient = [g + d for g, d in zip(gradient, grads, strict=False)]
        loss = total / n + ALPHA * sum(p * p for p in params)
        lr = learning_rate(k)
        self.params = [p - lr * (g / n + 2 * ALPHA * p)
                       for p, g in zip(params, gradient, strict=True)]
        return loss

    def parameters(self) -> list[float]:
        return list(self.params)


def make_stepper(engine: str, problem: Problem) -> Any:
    """The stepper for one engine name of STEPPERS."""
    if engine == "gradledger":
        from autograd import Value

        return ValueStepper(problem, Value)
    if engine == "micrograd":
        from micrograd.engine import Value

        return ValueStepper(problem, Value)
    if engine == "gradledger-replay":
        return ReplayStepper(problem)
    if engine == "gradledger-replay-scalar":
        return ScalarReplayStepper(problem)
    if engine == "torch-scalar":
        return TorchScalarStepper(problem)
    if engine == "torch-batched":
        return TorchBatchedStepper(problem)
    raise ValueError(f"unknown engine {engine!r} for the moons step; choose from {STEPPERS}")


STEPPERS = ("gradledger", "gradledger-replay", "gradledger-replay-scalar", "micrograd",
            "torch-scalar", "torch-batched")
"""Engine names of the moons step, ours first."""

REQUIRES = {
    "gradledger": "autograd", "gradledger-replay": "numpy",
    "gradledger-replay-scalar": "autograd", "micrograd": "micrograd",
    "torch-scalar": "torch", "torch-batched": "torch",
}
"""The module each stepper needs importable."""
