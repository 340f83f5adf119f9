"""Layer: nout neurons reading the same inputs; always returns a list of nout outputs."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from typing import Any

from autograd import Value
from nn.activations import WHOLE_LAYER, check_activation
from nn.init import check_positive_int, check_scale, make_rng
from nn.inputs import per_input
from nn.module import Module
from nn.neuron import Neuron


class Layer(Module):
    """A layer of `nout` neurons, each reading all `nin` inputs: `act(W x + b)`.

    It always returns a list of `nout` Values, also when nout is 1. Parameters are
    labelled like a matrix and a vector: `W[j,i]` is the weight from input i to neuron j,
    `b[j]` the bias of neuron j (an MLP numbers them `W1`, `b1`, `W2`, ...).
    `activation` is "tanh", "sigmoid", "relu", "linear" or "softmax" (over the layer).
    Initialisation as for `Neuron`: uniform in [-1/sqrt(nin), 1/sqrt(nin)], biases 0.

    Example:
        >>> layer = Layer(3, 2, activation="relu", seed=0)
        >>> [p.label for p in layer.parameters()][:4]
        ['W[0,0]', 'W[0,1]', 'W[0,2]', 'b[0]']
        >>> len(layer([1.0, 2.0, 3.0]))
        2
    """

    _prefix_child_names = False

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "tanh",
        *,
        bias: bool = True,
        seed: Any = None,
        rng: random.Random | None = None,
        init_scale: float | None = None,
        weight_name: str = "W",
        bias_name: str = "b",
    ):
        self.nin = check_positive_int(nin, "nin")
        self.nout = check_positive_int(nout, "nout")
        self.activation = check_activation(activation, allow_layer_wide=True)
        check_scale(init_scale)
        generator = make_rng(seed, rng)
        per_neuron = "linear" if activation in WHOLE_LAYER else activation
        self.neurons = [
            Neuron(
                nin,
                per_neuron,
                bias=bias,
                rng=generator,
                init_scale=init_scale,
                weight_names=[f"{weight_name}[{j},{i}]" for i in range(nin)],
                bias_name=f"{bias_name}[{j}]",
            )
            for j in range(self.nout)
        ]

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """('neuron0', ...), ('neuron1', ...): one child per neuron, by row of W."""
        for j, neuron in enumerate(self.neurons):
            yield f"neuron{j}", neuron

    def __call__(self, x: Any) -> Any:
        """The layer's outputs for the inputs x, as a list of nout Values.

        x is a list or 1-D numpy array of numbers or Values; a 2-D numpy array is a batch,
        giving one output list per row.

        Example:
            >>> import numpy as np
            >>> layer = Layer(2, 3, activation="relu", seed=0)
            >>> [len(out) for out in layer(np.array([[1.0, 2.0], [3.0, 4.0]]))]
            [3, 3]
        """
        return per_input(x, self.nin, "Layer", self._forward)

    def _forward(self, x: Sequence[Any]) -> list[Value]:
        """The outputs for inputs already checked."""
        outputs = [neuron._output(x) for neuron in self.neurons]
        if self.activation in WHOLE_LAYER:
            return WHOLE_LAYER[self.activation](outputs)
        return outputs

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r})"
