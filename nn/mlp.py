"""MLP: a stack of Layers, the seeds' multi-layer network."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from autograd import Value
from nn.activations import check_activation
from nn.init import check_positive_int, check_scale, make_rng
from nn.inputs import per_input
from nn.layer import Layer
from nn.module import Module


class MLP(Module):
    """A multi-layer perceptron: `nin` inputs, then one Layer per entry of `nouts`.

    Hidden layers use `activation`; the last layer uses `output_activation` ("linear" by
    default, or "tanh", "sigmoid", "relu", "softmax"). Layer l (counting from 1) has
    parameters `W{l}[j,i]` and `b{l}[j]`, as in the seeds. Calling the MLP returns a list
    of `nouts[-1]` Values. With `seed` set the weights are the same on every run;
    they start uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)] (or [-init_scale, init_scale])
    and biases at 0.

    Example:
        >>> model = MLP(2, [16, 16, 1], activation="relu", seed=1)
        >>> len(model.parameters())
        337
        >>> [name for name, _ in model.named_parameters()][:2]
        ['W1[0,0]', 'W1[0,1]']
        >>> out = model([0.5, -1.0])
        >>> len(out)
        1
    """

    _prefix_child_names = False

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "tanh",
        output_activation: str = "linear",
        seed: Any = None,
        *,
        bias: bool = True,
        init_scale: float | None = None,
    ):
        self.nin = check_positive_int(nin, "nin")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise ValueError(f"nouts must be a non-empty list of layer widths, got {nouts!r}")
        sizes = [self.nin] + [check_positive_int(n, "each layer width") for n in nouts]
        self.activation = check_activation(activation, allow_layer_wide=False)
        self.output_activation = check_activation(output_activation, allow_layer_wide=True)
        check_scale(init_scale)
        generator = make_rng(seed)
        self.layers = [
            Layer(
                sizes[l - 1],
                sizes[l],
                activation if l < len(nouts) else output_activation,
                bias=bias,
                rng=generator,
                init_scale=init_scale,
                weight_name=f"W{l}",
                bias_name=f"b{l}",
            )
            for l in range(1, len(sizes))  # noqa: E741 (l is the seeds' layer index)
        ]

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """('layer1', ...), ('layer2', ...): numbered from 1 like W1, W2."""
        for l, layer in enumerate(self.layers, start=1):  # noqa: E741
            yield f"layer{l}", layer

    def __call__(self, x: Any) -> Any:
        """The network's outputs for one input vector x, as a list of Values.

        x is a list or 1-D numpy array of numbers or Values; a 2-D numpy array is a batch,
        giving one output list per row. nan or inf inputs raise ValueError naming the
        position.

        Example:
            >>> import numpy as np
            >>> model = MLP(2, [3, 1], seed=0)
            >>> len(model(np.array([0.5, -1.0])))
            1
            >>> len(model(np.array([[0.5, -1.0], [1.0, 2.0], [0.0, 0.0]])))
            3
        """
        return per_input(x, self.nin, "MLP", self._forward)

    def _forward(self, x: Sequence[Any]) -> list[Value]:
        for layer in self.layers:
            x = layer._forward(x)
        return x

    def __repr__(self) -> str:
        widths = [layer.nout for layer in self.layers]
        return (
            f"MLP({self.nin}, {widths}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r})"
        )
