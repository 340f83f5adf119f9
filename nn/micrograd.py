"""micrograd 0.1.0's `nn` API, built on this project's Value: Module, Neuron, Layer, MLP.

Change `from micrograd.nn import Neuron, Layer, MLP` to `from nn.micrograd import Neuron,
Layer, MLP` (and `from micrograd.engine import Value` to `from autograd import Value`) and a
micrograd program runs here with micrograd's defaults and numbers:

- hidden layers apply ReLU, the last layer is linear (`nonlin=False`);
- every weight is `random.uniform(-1, 1)` from Python's global `random`, drawn neuron by
  neuron, layer by layer, exactly as micrograd draws them, so after `random.seed(1337)` the
  weights are micrograd's bit for bit; biases start at 0 and draw nothing;
- a neuron computes `b + w[0]*x[0] + w[1]*x[1] + ...` in that order, so its forward values
  are micrograd's bit for bit too;
- a layer of width 1 returns a bare Value, wider layers a list;
- `parameters()`, `zero_grad()` and the reprs (`MLP of [Layer of [ReLUNeuron(2), ...]]`).

The models are also this project's `nn.Module`s, so `named_parameters()`, `state_dict()`,
`nn.save`/`nn.load`, `nn.to_torch` and the `viz` views work on them. Where this differs
from micrograd: `.grad` is always a float (`zero_grad()` sets 0.0, micrograd sets 0); an
input of the wrong length raises ValueError (micrograd's `zip` silently used a prefix);
nan or inf inputs raise ValueError naming the position; and a 2-D numpy array is a batch,
giving one output per row.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from autograd import Value
from nn.init import check_positive_int
from nn.inputs import per_input
from nn.module import Module as _ModuleBase

__all__ = ["MLP", "Layer", "Module", "Neuron"]


class Module(_ModuleBase):
    """micrograd's base class: `parameters()` (empty here) and `zero_grad()`.

    Subclass it as in micrograd and override `parameters()`. It is also an `nn.Module`,
    so `state_dict()` and `named_parameters()` find the Values held in attributes.

    Example:
        >>> from autograd import Value
        >>> class Scale(Module):
        ...     def __init__(self):
        ...         self.k = Value(2.0)
        ...     def __call__(self, x):
        ...         return self.k * x
        ...     def parameters(self):
        ...         return [self.k]
        >>> m = Scale()
        >>> m(3.0).backward()
        >>> m.k.grad
        3.0
        >>> m.zero_grad()
        >>> m.k.grad
        0.0
        >>> Module().parameters()
        []
    """

    def parameters(self) -> list[Value]:
        """The module's parameters: none for the base class, as in micrograd.

        Example:
            >>> Module().parameters()
            []
        """
        return []


class Neuron(Module):
    """`relu(b + sum_i w[i] * x[i])`, or without the relu when `nonlin=False`.

    The nin weights are drawn from Python's global `random` (`random.uniform(-1, 1)`, in
    order); the bias starts at 0. Attributes `w` (list of Values), `b`, `nonlin`.

    Example:
        >>> import random
        >>> random.seed(1337)
        >>> n = Neuron(2)
        >>> n
        ReLUNeuron(2)
        >>> random.seed(1337)
        >>> [w.data for w in n.w] == [random.uniform(-1, 1), random.uniform(-1, 1)]
        True
        >>> y = n([1.0, -2.0])
        >>> y._op, y.data == max(0.0, n.w[0].data * 1.0 + n.w[1].data * -2.0)
        ('ReLU', True)
    """

    def __init__(self, nin: int, nonlin: bool = True):
        check_positive_int(nin, "nin")
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = nonlin

    def _output(self, x: Sequence[Any]) -> Value:
        total = self.b  # micrograd's order: ((b + w0*x0) + w1*x1) + ...
        for w_i, x_i in zip(self.w, x, strict=True):
            total = total + w_i * x_i
        return total.relu() if self.nonlin else total

    def __call__(self, x: Any) -> Any:
        """The output for the inputs x (numbers or Values; a list or a numpy array).

        A 2-D numpy array is a batch: one output per row.

        Example:
            >>> import random
            >>> random.seed(0)
            >>> n = Neuron(3, nonlin=False)
            >>> n([1.0, 0.0, 0.0]).data == n.w[0].data
            True
        """
        return per_input(x, len(self.w), "Neuron", self._output)

    def parameters(self) -> list[Value]:
        """The weights, then the bias.

        Example:
            >>> len(Neuron(4).parameters())
            5
        """
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    """`nout` Neurons reading the same inputs; keyword arguments go to each Neuron.

    Returns a list of nout Values, or the bare Value when nout is 1 (as micrograd).

    Example:
        >>> import random
        >>> random.seed(1337)
        >>> layer = Layer(2, 3, nonlin=False)
        >>> layer
        Layer of [LinearNeuron(2), LinearNeuron(2), LinearNeuron(2)]
        >>> len(layer([1.0, 2.0])), type(Layer(2, 1)([1.0, 2.0])).__name__
        (3, 'Value')
    """

    def __init__(self, nin: int, nout: int, **kwargs: Any):
        check_positive_int(nout, "nout")
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def _forward(self, x: Sequence[Any]) -> Any:
        out = [n._output(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def __call__(self, x: Any) -> Any:
        """The outputs for the inputs x; a 2-D numpy array gives one result per row.

        Example:
            >>> import random
            >>> random.seed(0)
            >>> layer = Layer(2, 2)
            >>> [y.data >= 0.0 for y in layer([0.5, -0.5])]
            [True, True]
        """
        nin = len(self.neurons[0].w)
        return per_input(x, nin, "Layer", self._forward)

    def parameters(self) -> list[Value]:
        """Every neuron's parameters, neuron by neuron.

        Example:
            >>> len(Layer(3, 2).parameters())
            8
        """
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """Layers of the widths in `nouts`: ReLU in every layer but the last, which is linear.

    Example:
        >>> import random
        >>> random.seed(1337)
        >>> model = MLP(2, [16, 16, 1])
        >>> len(model.parameters())
        337
        >>> str(model)[:44]
        'MLP of [Layer of [ReLUNeuron(2), ReLUNeuron('
        >>> model.layers[-1]
        Layer of [LinearNeuron(16)]
        >>> type(model([0.5, -1.0])).__name__
        'Value'
    """

    def __init__(self, nin: int, nouts: Sequence[int]):
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise ValueError(f"nouts must be a non-empty list of layer widths, got {nouts!r}")
        sizes = [check_positive_int(nin, "nin")] + list(nouts)
        last = len(nouts) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != last) for i in range(len(nouts))]

    def _forward(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer._forward(x)
        return x

    def __call__(self, x: Any) -> Any:
        """The network's output: a bare Value when the last layer has width 1, else a list.

        A 2-D numpy array is a batch: one output per row.

        Example:
            >>> import random
            >>> import numpy as np
            >>> random.seed(1337)
            >>> model = MLP(2, [4, 1])
            >>> len(model(np.array([[0.5, -1.0], [1.0, 1.0]])))
            2
        """
        nin = len(self.layers[0].neurons[0].w)
        return per_input(x, nin, "MLP", self._forward)

    def parameters(self) -> list[Value]:
        """Every layer's parameters, layer by layer.

        Example:
            >>> len(MLP(3, [4, 4, 1]).parameters())
            41
        """
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
