"""Neuron: act(sum_i w_i x_i + b), one output from nin inputs."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from autograd import Value
from nn.activations import ELEMENTWISE, check_activation
from nn.init import check_positive_int, check_scale, default_scale, make_rng
from nn.inputs import check_vector, per_input
from nn.module import Module


class Neuron(Module):
    """One neuron: `act(w[0]*x[0] + ... + w[nin-1]*x[nin-1] + b)`.

    Weights start uniform in [-s, s] with s = `init_scale`, by default 1/sqrt(nin); the
    bias starts at 0. Pass `seed` (or a shared `random.Random` as `rng`) for reproducible
    weights. `activation` is one of "tanh", "sigmoid", "relu", "linear". Parameters are
    labelled `w[i]` and `b` unless `weight_names` / `bias_name` say otherwise.

    Example:
        >>> n = Neuron(2, activation="tanh", seed=0)
        >>> [p.label for p in n.parameters()]
        ['w[0]', 'w[1]', 'b']
        >>> out = n([1.0, -2.0])
        >>> out.backward()
        >>> n.b.grad == 1 - out.data ** 2
        True
    """

    def __init__(
        self,
        nin: int,
        activation: str = "tanh",
        *,
        bias: bool = True,
        seed: Any = None,
        rng: random.Random | None = None,
        init_scale: float | None = None,
        weight_names: Sequence[str] | None = None,
        bias_name: str | None = None,
    ):
        self.nin = check_positive_int(nin, "nin")
        self.activation = check_activation(activation, allow_layer_wide=False)
        scale = check_scale(init_scale)
        scale = default_scale(self.nin) if scale is None else scale
        generator = make_rng(seed, rng)
        if weight_names is None:
            weight_names = [f"w[{i}]" for i in range(self.nin)]
        if len(weight_names) != self.nin:
            raise ValueError(f"weight_names needs {self.nin} names, got {len(weight_names)}")
        self.w = [Value(generator.uniform(-scale, scale), name) for name in weight_names]
        self.b = Value(0.0, bias_name or "b") if bias else None

    def weighted_sum(self, x: Sequence[Any]) -> Value:
        """sum_i w_i x_i + b, before the activation.

        Example:
            >>> n = Neuron(2, seed=0)
            >>> n.w[0].data, n.w[1].data, n.b.data = 1.0, 2.0, 0.5
            >>> n.weighted_sum([3.0, 4.0]).data
            11.5
        """
        return self._weighted_sum(check_vector(x, self.nin, "Neuron"))

    def _weighted_sum(self, x: Sequence[Any]) -> Value:
        if self.b is None:
            s = self.w[0] * x[0]
            start = 1
        else:
            s = self.b
            start = 0
        for i in range(start, self.nin):
            s = s + self.w[i] * x[i]
        return s

    def _output(self, x: Sequence[Any]) -> Value:
        """The output for inputs already checked."""
        return ELEMENTWISE[self.activation](self._weighted_sum(x))

    def __call__(self, x: Any) -> Any:
        """The neuron's output for the inputs x: numbers or Values, a list or a numpy array.

        A 2-D numpy array is a batch: the result is then one output per row. Inputs must
        be finite; nan or inf raises ValueError naming the position.

        Example:
            >>> n = Neuron(1, activation="relu", seed=0)
            >>> n.w[0].data = -1.0
            >>> n([2.0]).data
            0.0
        """
        return per_input(x, self.nin, "Neuron", self._output)

    def __repr__(self) -> str:
        kind = "" if self.b is not None else ", bias=False"
        return f"Neuron({self.nin}, activation={self.activation!r}{kind})"
