"""The step to PyTorch: the same network, with the same weights, as a torch module and back.

`to_torch(model)` turns an `nn.MLP`, `nn.Layer` or `nn.Neuron` (or their `nn.micrograd`
counterparts) into a `torch.nn.Sequential` of float64 `Linear` layers and activations named
`layer1`, `act1`, `layer2`, ...: layer l's `weight[j, i]` is this project's `W{l}[j,i]`
and its `bias[j]` is `b{l}[j]`. `from_torch(module)` goes the other way for a plain
`Sequential` of `Linear` layers and the supported activations (Tanh, Sigmoid, ReLU,
Softmax(dim=-1), Identity). `paired_parameters(model, module)` lines up every parameter
with its torch entry, to compare gradients.

PyTorch is an optional extra (`pip install "gradledger[torch]"`); it is imported only
when one of these functions is called.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from autograd import Value

__all__ = ["from_torch", "paired_parameters", "to_torch"]

ACTIVATIONS = ("tanh", "sigmoid", "relu", "linear", "softmax")
"""The activations that cross over: each has a torch module that computes the same."""


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError(
            "this needs PyTorch, which is an optional extra: pip install 'gradledger[torch]' "
            "(or pip install torch)"
        ) from None
    return torch


@dataclass
class _LinearPart:
    """One layer as torch sees it: rows of weight Values, bias Values (or None), activation."""

    weights: list[list[Value]]
    biases: list[Value] | None
    activation: str


def _micrograd_activation(neurons: list[Any], where: str) -> str:
    kinds = {bool(n.nonlin) for n in neurons}
    if len(kinds) != 1:
        raise ValueError(f"{where} mixes ReLU and linear neurons; torch's Linear cannot")
    return "relu" if kinds.pop() else "linear"


def _part_of_neurons(neurons: list[Any], activation: str, where: str) -> _LinearPart:
    has_bias = {n.b is not None for n in neurons}
    if len(has_bias) != 1:
        raise ValueError(f"{where} mixes neurons with and without a bias")
    return _LinearPart(
        weights=[list(n.w) for n in neurons],
        biases=[n.b for n in neurons] if has_bias.pop() else None,
        activation=activation,
    )


def _parts(model: Any) -> list[_LinearPart]:
    """The model as a list of linear layers with activations, or a TypeError naming it."""
    from nn import micrograd
    from nn.layer import Layer
    from nn.mlp import MLP
    from nn.neuron import Neuron

    if isinstance(model, MLP):
        return [_parts(layer)[0] for layer in model.layers]
    if isinstance(model, Layer):
        return [_part_of_neurons(model.neurons, model.activation, "this Layer")]
    if isinstance(model, Neuron):
        return [_part_of_neurons([model], model.activation, "this Neuron")]
    if isinstance(model, micrograd.MLP):
        return [_parts(layer)[0] for layer in model.layers]
    if isinstance(model, micrograd.Layer):
        act = _micrograd_activation(model.neurons, "this Layer")
        return [_part_of_neurons(model.neurons, act, "this Layer")]
    if isinstance(model, micrograd.Neuron):
        return [_part_of_neurons([model], _micrograd_activation([model], "this Neuron"), "")]
    raise TypeError(
        "to_torch takes an nn.MLP, nn.Layer or nn.Neuron (or an nn.micrograd one), "
        f"got {type(model).__name__}"
    )


def _activation_module(torch: Any, name: str) -> Any:
    return {
        "tanh": torch.nn.Tanh,
        "sigmoid": torch.nn.Sigmoid,
        "relu": torch.nn.ReLU,
        "softmax": lambda: torch.nn.Softmax(dim=-1),
    }[name]()


def to_torch(model: Any) -> Any:
    """The same network as a `torch.nn.Sequential` in float64, with copies of the weights.

    Children are `layer1` (a `torch.nn.Linear`), `act1` (its activation, left out when
    linear), `layer2`, ...; `layer{l}.weight[j, i]` holds `W{l}[j,i]`. The torch module
    takes a tensor of shape (nin,) or (batch, nin) and returns (nout,) or (batch, nout),
    also where this project's model returns a list or (nn.micrograd, width 1) a bare Value.
    Later changes to either side are not copied to the other.

    Example:
        >>> import torch  # doctest: +SKIP
        >>> from nn import MLP
        >>> model = MLP(2, [3, 1], activation="tanh", seed=0)
        >>> net = to_torch(model)  # doctest: +SKIP
        >>> net  # doctest: +SKIP
        Sequential(
          (layer1): Linear(in_features=2, out_features=3, bias=True)
          (act1): Tanh()
          (layer2): Linear(in_features=3, out_features=1, bias=True)
        )
        >>> y = net(torch.tensor([0.5, -1.0], dtype=torch.float64))  # doctest: +SKIP
        >>> abs(y.item() - model([0.5, -1.0])[0].data) < 1e-12  # doctest: +SKIP
        True
    """
    parts = _parts(model)
    torch = _torch()
    children: OrderedDict[str, Any] = OrderedDict()
    for l, part in enumerate(parts, start=1):  # noqa: E741 (l is the seeds' layer index)
        nout, nin = len(part.weights), len(part.weights[0])
        linear = torch.nn.Linear(nin, nout, bias=part.biases is not None, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(
                torch.tensor([[w.data for w in row] for row in part.weights], dtype=torch.float64)
            )
            if part.biases is not None:
                linear.bias.copy_(torch.tensor([b.data for b in part.biases], dtype=torch.float64))
        children[f"layer{l}"] = linear
        if part.activation != "linear":
            children[f"act{l}"] = _activation_module(torch, part.activation)
    return torch.nn.Sequential(children)


def paired_parameters(model: Any, module: Any) -> list[tuple[str, Value, Any, tuple[int, ...]]]:
    """(name, Value, torch parameter, index) for every parameter of `model`, in its order.

    `module` is what `to_torch(model)` returned (or any module with the same children):
    `tensor[index]` is the Value's counterpart, so after a backward pass on each side
    `value.grad` can be compared with `tensor.grad[index]`.

    Example:
        >>> from nn import MLP
        >>> model = MLP(2, [2, 1], seed=0)
        >>> net = to_torch(model)  # doctest: +SKIP
        >>> pairs = paired_parameters(model, net)  # doctest: +SKIP
        >>> [(name, index) for name, _, _, index in pairs][:3]  # doctest: +SKIP
        [('W1[0,0]', (0, 0)), ('W1[0,1]', (0, 1)), ('b1[0]', (0,))]
    """
    names = {id(p): name for name, p in model.named_parameters()}
    where: dict[int, tuple[Any, tuple[int, ...]]] = {}
    for l, part in enumerate(_parts(model), start=1):  # noqa: E741
        linear = getattr(module, f"layer{l}")
        for j, row in enumerate(part.weights):
            for i, w in enumerate(row):
                where[id(w)] = (linear.weight, (j, i))
            if part.biases is not None:
                where[id(part.biases[j])] = (linear.bias, (j,))
    return [(names[id(p)], p, *where[id(p)]) for _, p in model.named_parameters()]


_TORCH_ACTIVATIONS = {"Tanh": "tanh", "Sigmoid": "sigmoid", "ReLU": "relu", "Softmax": "softmax"}


def _layers_of(torch: Any, module: Any) -> list[tuple[Any, str]]:
    """(Linear, activation name) per layer of a plain Sequential, or a ValueError naming why."""
    if isinstance(module, torch.nn.Linear):
        return [(module, "linear")]
    if not isinstance(module, torch.nn.Sequential):
        raise TypeError(
            f"from_torch takes a torch.nn.Sequential (or a Linear), got {type(module).__name__}"
        )
    layers: list[list[Any]] = []
    for name, child in module.named_children():
        kind = type(child).__name__
        if isinstance(child, torch.nn.Linear):
            layers.append([child, "linear"])
        elif isinstance(child, torch.nn.Identity):
            continue
        elif type(child) in (torch.nn.Tanh, torch.nn.Sigmoid, torch.nn.ReLU, torch.nn.Softmax):
            if not layers:
                raise ValueError(f"child {name!r} ({kind}) comes before any Linear layer")
            if layers[-1][1] != "linear":
                raise ValueError(f"child {name!r} ({kind}) follows another activation")
            if kind == "Softmax" and child.dim not in (-1,):
                raise ValueError(
                    f"child {name!r}: only Softmax(dim=-1) crosses over (over a layer's "
                    f"outputs), got dim={child.dim!r}"
                )
            if getattr(child, "inplace", False):
                raise ValueError(f"child {name!r}: an inplace {kind} is not supported")
            layers[-1][1] = _TORCH_ACTIVATIONS[kind]
        else:
            raise ValueError(
                f"child {name!r} is a {kind}; from_torch supports Linear, Tanh, Sigmoid, "
                "ReLU, Softmax(dim=-1) and Identity"
            )
    if not layers:
        raise ValueError("the Sequential has no Linear layer")
    return [(linear, activation) for linear, activation in layers]


def from_torch(module: Any) -> Any:
    """This project's `nn.MLP` with the weights of a plain torch `Sequential`.

    The Sequential holds `Linear` layers, each optionally followed by one activation (Tanh,
    Sigmoid, ReLU, or Softmax(dim=-1) for the last layer; Identity is skipped). Hidden
    layers must share one activation, and either every Linear has a bias or none has.
    Weights are copied as float64 numbers (float32 ones convert exactly).

    Example:
        >>> import torch  # doctest: +SKIP
        >>> net = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(),
        ...                           torch.nn.Linear(4, 1))  # doctest: +SKIP
        >>> from_torch(net)  # doctest: +SKIP
        MLP(2, [4, 1], activation='relu', output_activation='linear')
    """
    from nn.mlp import MLP

    torch = _torch()
    layers = _layers_of(torch, module)
    widths = [linear.out_features for linear, _ in layers]
    for k in range(1, len(layers)):
        if layers[k][0].in_features != widths[k - 1]:
            raise ValueError(
                f"Linear layer {k + 1} takes {layers[k][0].in_features} inputs, but the layer "
                f"before it gives {widths[k - 1]}"
            )
    hidden = {activation for _, activation in layers[:-1]}
    if len(hidden) > 1:
        raise ValueError(
            f"the hidden layers use different activations {sorted(hidden)}; nn.MLP has one "
            "activation for all hidden layers"
        )
    if "softmax" in hidden:
        raise ValueError("Softmax is only supported after the last Linear layer")
    biased = {linear.bias is not None for linear, _ in layers}
    if len(biased) > 1:
        raise ValueError("some Linear layers have a bias and some do not; nn.MLP needs one kind")
    has_bias = biased.pop()
    model = MLP(
        layers[0][0].in_features,
        widths,
        activation=hidden.pop() if hidden else "tanh",
        output_activation=layers[-1][1],
        bias=has_bias,
    )
    state = {}
    for l, (linear, _) in enumerate(layers, start=1):  # noqa: E741
        state[f"W{l}"] = linear.weight.detach().to(torch.float64).tolist()
        if has_bias:
            state[f"b{l}"] = linear.bias.detach().to(torch.float64).tolist()
    model.load_state_dict(state)
    return model
