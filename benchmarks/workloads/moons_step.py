"""The micrograd demo's training step: MLP 2-16-16-1 (relu), 100 moons points, SGD.

Loss = mean over points of relu(1 - y_i * score_i) (max-margin) + 1e-4 * sum(p * p).
Every engine starts from the same data and the same weights (made here from a seed with
the standard library), takes the same steps with the demo's learning rate, and reports
its loss at each step, so the losses can be compared between engines.

Engines (`STEPPERS`): this engine building Values (`gradledger`), micrograd, torch with 0-dim
float64 tensors (`torch-scalar`), the floor probe's bare nodes (`floor`, benchmarks/floor.py);
this engine replaying a traced per-point loss on numpy arrays, lowered (`gradledger-replay`)
or entry by entry (`gradledger-replay-unlowered`), on torch tensors
(`gradledger-replay-torch`, where the checkout has that backend) or point by point on
floats (`gradledger-replay-scalar`, no numpy), and torch with batched 2-D tensors
(`torch-batched`).
"""

from __future__ import annotations

import inspect
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks import clock

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
    """Steps for engines whose nodes are Python objects with .data and .grad (ours, micrograd,
    the floor probe).

    Each step times its phases: `phases` holds the last step's build (the forward pass that
    makes the graph) and backward seconds; `nodes` is the graph's size (counted after the
    first step, outside the timed part).
    """

    def __init__(self, problem: Problem, value_class: type,
                 count: Callable[[Any], int] | None = None,
                 order: Callable[[Any], list] | None = None):
        self.problem = problem
        self.params = [value_class(p) for p in problem.flat_parameters()]
        self.layers = _nested(self.params, problem.layers)
        self.count = count
        self.order = order
        self.nodes: int | None = None
        self.phases: dict[str, float] = {}

    def _backward(self, loss: Any) -> None:
        start = clock.now()
        loss.backward()
        self.phases["backward_seconds"] = clock.now() - start

    def step(self, k: int) -> float:
        """One training step; returns the loss before the update."""
        start = clock.now()
        loss = scalar_loss(self.layers, self.problem.X, self.problem.y, _relu_method)
        self.phases = {"build_seconds": clock.now() - start}
        for p in self.params:
            p.grad = 0.0
        self._backward(loss)
        lr = learning_rate(k)
        for p in self.params:
            p.data -= lr * p.grad
        if self.nodes is None and self.count is not None:
            self.nodes = self.count(loss)
        return float(loss.data)

    def parameters(self) -> list[float]:
        return [float(p.data) for p in self.params]

    def time_order(self) -> dict[str, float]:
        """Seconds of the engine's public topological order on this step's graph, after its
        backward (as the graph workloads time it); outside any timed step, no update."""
        if self.order is None:
            return {}
        loss = scalar_loss(self.layers, self.problem.X, self.problem.y, _relu_method)
        loss.backward()
        start = clock.now()
        self.order(loss)
        return {"order_seconds": clock.now() - start}


class OrderedValueStepper(ValueStepper):
    """A ValueStepper whose backward is timed as its two phases: topological order, then
    propagate (the floor probe: `order` and `propagate` of benchmarks/floor.py)."""

    def __init__(self, problem: Problem, value_class: type, count: Callable[[Any], int],
                 order: Callable[[Any], list], propagate: Callable[[list], None]):
        super().__init__(problem, value_class, count, order)
        self.propagate = propagate

    def _backward(self, loss: Any) -> None:
        start = clock.now()
        nodes = self.order(loss)
        ordered = clock.now()
        self.propagate(nodes)
        done = clock.now()
        self.phases.update(order_seconds=ordered - start, propagate_seconds=done - ordered,
                           backward_seconds=done - start)

    def time_order(self) -> dict[str, float]:
        """Nothing more: this stepper's steps already time their order."""
        return {}


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
        self.nodes: int | None = None
        self.phases: dict[str, float] = {}

    def step(self, k: int) -> float:
        start = clock.now()
        loss = scalar_loss(self.layers, self.problem.X, self.problem.y, _relu_method)
        built = clock.now()
        for p in self.params:
            p.grad = None
        backward_start = clock.now()
        loss.backward()
        self.phases = {"build_seconds": built - start,
                       "backward_seconds": clock.now() - backward_start}
        lr = learning_rate(k)
        with self.torch.no_grad():
            for p in self.params:
                p -= lr * p.grad
        if self.nodes is None:
            from benchmarks.engines import ENGINES

            self.nodes = ENGINES["torch"].count_nodes(loss)
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
    """This engine traced once on one point's loss, replayed on all points at once (options,
    such as lower=False or backend="torch", go to batch_value_and_grad).

    The points are numpy arrays, or float64 CPU tensors for backend="torch"; the parameters
    are one number each; the L2 term and the update run in numpy.
    """

    def __init__(self, problem: Problem, **options: Any):
        import numpy as np

        from autograd import trace

        self.np = np
        self.params = np.array(problem.flat_parameters())
        columns = ([x[0] for x in problem.X], [x[1] for x in problem.X], list(problem.y))
        if options.get("backend") == "torch":
            import torch

            torch.set_num_threads(TORCH_THREADS)
            self.batch = tuple(torch.tensor(c, dtype=torch.float64) for c in columns)
        else:
            self.batch = tuple(np.array(c, dtype=np.float64) for c in columns)
        self.loss = trace(point_loss)
        self.options = options

    def step(self, k: int) -> float:
        np = self.np
        data_loss, grads = self.loss.batch_value_and_grad(
            *self.params.tolist(), *self.batch, reduce="mean", **self.options
        )
        params = self.params
        loss = float(data_loss) + ALPHA * float(np.dot(params, params))
        gradient = _as_array(np, grads[:-3]) + (2 * ALPHA) * params
        self.params = params - learning_rate(k) * gradient
        return loss

    def parameters(self) -> list[float]:
        return self.params.tolist()


def _as_array(np: Any, values: Any) -> Any:
    """Gradients as one float64 numpy array, whether numbers or 0-dim torch tensors."""
    if values and hasattr(values[0], "detach"):
        import torch

        return torch.stack([v.reshape(()) for v in values]).cpu().numpy()
    return np.asarray(values, dtype=np.float64)


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


REPLAY_OPTIONS: dict[str, dict[str, Any]] = {
    "gradledger-replay": {},
    "gradledger-replay-unlowered": {"lower": False},
    "gradledger-replay-torch": {"backend": "torch"},
}
"""Batched-replay engines: the keyword arguments each passes to batch_value_and_grad (the
default replay lowers the tape; lower=False replays it entry by entry)."""


def replay_unavailable(engine: str) -> str | None:
    """Why a batched-replay engine cannot run with this checkout's autograd, or None.

    Checks that batch_value_and_grad takes the engine's options, then replays a two-point
    batch of a tiny function with them.
    """
    from autograd import TracedFunction, trace

    options = REPLAY_OPTIONS[engine]
    accepted = inspect.signature(TracedFunction.batch_value_and_grad).parameters
    for option, value in options.items():
        if option not in accepted:
            return (f"not available in this checkout (batch_value_and_grad takes no "
                    f"{option}={value!r})")
    try:
        import numpy as np

        trace(lambda a, b: a * b + a).batch_value_and_grad(
            np.array([1.0, 2.0]), np.array([3.0, 4.0]), reduce="mean", **options)
    except ImportError as err:
        return f"not available in this checkout ({type(err).__name__}: {err})"
    return None


def make_stepper(engine: str, problem: Problem) -> Any:
    """The stepper for one engine name of STEPPERS."""
    from benchmarks.engines import ENGINES

    if engine == "gradledger":
        from autograd import Value
        from autograd.graph import topological_order

        return ValueStepper(problem, Value, ENGINES["gradledger"].count_nodes,
                            topological_order)
    if engine == "micrograd":
        from micrograd.engine import Value

        return ValueStepper(problem, Value, ENGINES["micrograd"].count_nodes)
    if engine == "floor":
        from benchmarks import floor

        return OrderedValueStepper(problem, floor.FloorNode, ENGINES["floor"].count_nodes,
                                   floor.order, floor.propagate)
    if engine in REPLAY_OPTIONS:
        reason = replay_unavailable(engine)
        if reason is not None:
            raise ValueError(f"{engine}: {reason}")
        return ReplayStepper(problem, **REPLAY_OPTIONS[engine])
    if engine == "gradledger-replay-scalar":
        return ScalarReplayStepper(problem)
    if engine == "torch-scalar":
        return TorchScalarStepper(problem)
    if engine == "torch-batched":
        return TorchBatchedStepper(problem)
    raise ValueError(f"unknown engine {engine!r} for the moons step; choose from {STEPPERS}")


STEPPERS = ("gradledger", "micrograd", "torch-scalar", "floor", "gradledger-replay",
            "gradledger-replay-unlowered", "gradledger-replay-torch",
            "gradledger-replay-scalar", "torch-batched")
"""Engine names of the moons step, ours first."""

DYNAMIC = ("gradledger", "micrograd", "torch-scalar", "floor")
"""Steppers that build a graph of scalars every step (timed in phases: build, backward)."""

BATCHED = ("gradledger-replay", "gradledger-replay-unlowered", "gradledger-replay-torch",
           "torch-batched")
"""Steppers that run the whole batch at once (timed at several batch sizes)."""

REQUIRES = {
    "gradledger": "autograd", "micrograd": "micrograd", "torch-scalar": "torch",
    "floor": "autograd", "gradledger-replay": "numpy", "gradledger-replay-unlowered": "numpy",
    "gradledger-replay-torch": "torch",
    "gradledger-replay-scalar": "autograd", "torch-batched": "torch",
}
"""The module each stepper needs importable."""
