"""Activation functions by name: tanh, sigmoid, relu, linear (and softmax for a whole layer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd import Value
from nn.probabilities import softmax


def _linear(s: Value) -> Value:
    return s


ELEMENTWISE: dict[str, Callable[[Value], Value]] = {
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
    "linear": _linear,
}
"""Activations applied to one neuron's weighted sum."""

WHOLE_LAYER: dict[str, Callable[[list[Any]], list[Value]]] = {"softmax": softmax}
"""Activations that need every output of a layer at once."""


def check_activation(name: Any, *, allow_layer_wide: bool) -> str:
    """Return name if it is a known activation, else raise ValueError listing the choices."""
    known = list(ELEMENTWISE) + (list(WHOLE_LAYER) if allow_layer_wide else [])
    if not isinstance(name, str) or name not in known:
        hint = ""
        if name in WHOLE_LAYER:
            hint = " (softmax needs a whole layer: use it on a Layer or as an MLP output)"
        raise ValueError(f"unknown activation {name!r}; choose one of {known}{hint}")
    return name
