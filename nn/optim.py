"""Optimizers: SGD (with momentum and weight decay) and Adam, stepping Values in place."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from autograd import Value
from autograd.ops import primal


def _check_number(value: Any, what: str, *, low: float, low_ok: bool, high: float | None = None):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} must be a number, got {type(value).__name__} {value!r}")
    ok = math.isfinite(value) and (value >= low if low_ok else value > low)
    if high is not None:
        ok = ok and value < high
    if not ok:
        bound = f"{'>=' if low_ok else '>'} {low}" + (f" and < {high}" if high is not None else "")
        raise ValueError(f"{what} must be finite and {bound}, got {value!r}")
    return float(value)


class Optimizer:
    """Shared parts: the parameter list, zero_grad, and reading gradients safely."""

    def __init__(self, params: Iterable[Value]):
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got no parameters (an empty list)")
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"parameter {i} is a {type(p).__name__}, not a Value")
        if len({id(p) for p in self.params}) != len(self.params):
            raise ValueError("the same parameter appears twice in the optimizer's list")

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0.0."""
        for p in self.params:
            p.grad = 0.0

    def _gradients(self) -> list[float]:
        """Every gradient as a float; raise before any update if one is not finite."""
        grads = [float(primal(p.grad)) for p in self.params]
        for p, g in zip(self.params, grads, strict=True):
            if not math.isfinite(g):
                name = repr(p.label) if p.label else "an unlabelled parameter"
                raise ValueError(f"gradient of {name} is {g!r}; no parameter was updated")
        return grads


class SGD(Optimizer):
    """Stochastic gradient descent: p <- p - lr * v, v = momentum * v + (grad + wd * p).

    `weight_decay` adds wd * p to each gradient, which is the gradient of the L2 penalty
    (wd / 2) * sum p^2. `lr` may be changed between steps (for a schedule).

    Example:
        >>> from autograd import Value
        >>> w = Value(1.0, "w")
        >>> opt = SGD([w], lr=0.1)
        >>> (w * w).backward()
        >>> opt.step()
        >>> round(w.data, 12)
        0.8
    """

    def __init__(
        self, params: Iterable[Value], lr: float = 0.01, momentum: float = 0.0,
        weight_decay: float = 0.0,
    ):
        super().__init__(params)
        self.lr = _check_number(lr, "lr", low=0.0, low_ok=False)
        self.momentum = _check_number(momentum, "momentum", low=0.0, low_ok=True, high=1.0)
        self.weight_decay = _check_number(weight_decay, "weight_decay", low=0.0, low_ok=True)
        self.velocity = [0.0] * len(self.params)

    def step(self) -> None:
        """Update every parameter from its current gradient."""
        lr = _check_number(self.lr, "lr", low=0.0, low_ok=False)
        grads = self._gradients()
        for i, (p, g) in enumerate(zip(self.params, grads, strict=True)):
            g = g + self.weight_decay * p.data
            if self.momentum:
                self.velocity[i] = self.momentum * self.velocity[i] + g
                g = self.velocity[i]
            p.data = p.data - lr * g


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias correction; `weight_decay` adds wd * p to the gradient.

    Example:
        >>> from autograd import Value
        >>> w = Value(1.0, "w")
        >>> opt = Adam([w], lr=0.1)
        >>> (w * w).backward()
        >>> opt.step()
        >>> round(w.data, 6)  # the first step moves by lr, whatever the gradient's size
        0.9
    """

    def __init__(
        self, params: Iterable[Value], lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        super().__init__(params)
        self.lr = _check_number(lr, "lr", low=0.0, low_ok=False)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair of numbers, got {betas!r}")
        self.beta1 = _check_number(betas[0], "betas[0]", low=0.0, low_ok=True, high=1.0)
        self.beta2 = _check_number(betas[1], "betas[1]", low=0.0, low_ok=True, high=1.0)
        self.eps = _check_number(eps, "eps", low=0.0, low_ok=False)
        self.weight_decay = _check_number(weight_decay, "weight_decay", low=0.0, low_ok=True)
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)
        self.t = 0

    def step(self) -> None:
        """Update every parameter from its current gradient."""
        lr = _check_number(self.lr, "lr", low=0.0, low_ok=False)
        grads = self._gradients()
        self.t += 1
        correction1 = 1.0 - self.beta1**self.t
        correction2 = 1.0 - self.beta2**self.t
        for i, (p, g) in enumerate(zip(self.params, grads, strict=True)):
            g = g + self.weight_decay * p.data
            self.m[i] = self.beta1 * self.m[i] + (1.0 - self.beta1) * g
            self.v[i] = self.beta2 * self.v[i] + (1.0 - self.beta2) * g * g
            m_hat = self.m[i] / correction1
            v_hat = self.v[i] / correction2
            p.data = p.data - lr * m_hat / (math.sqrt(v_hat) + self.eps)
