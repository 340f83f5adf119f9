"""Hypothesis strategies for nn models (needs hypothesis, from the `test` extra).

    from hypothesis import given
    from autograd.testing import check_parameter_grads
    from nn.strategies import mlps

    @given(mlps())
    def test_mlp_gradients(case):
        check_parameter_grads(case.loss, case.model.named_parameters())

Importing nn does not import this module, so nn itself never needs hypothesis.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from autograd import Value
from nn.mlp import MLP

__all__ = ["MLPCase", "mlps"]


class MLPCase:
    """A small MLP with a batch of inputs and targets, and its half-sum-of-squares loss.

    `repr(case)` is the code-like description hypothesis prints for a failing example.
    """

    def __init__(self, model: MLP, inputs: list, targets: list, description: str):
        self.model = model
        self.inputs = inputs
        self.targets = targets
        self.description = description

    def loss(self) -> Value:
        """0.5 * sum over examples and outputs of (y_hat - y)**2, built from the model now."""
        total = 0.0
        for x, y in zip(self.inputs, self.targets, strict=True):
            for y_hat, target in zip(self.model(x), y, strict=True):
                total = total + (y_hat - target) ** 2
        return 0.5 * total

    def __repr__(self) -> str:
        return self.description

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.description)


@st.composite
def mlps(
    draw: Any,
    max_inputs: int = 3,
    max_hidden_layers: int = 2,
    max_width: int = 4,
    max_outputs: int = 2,
    max_examples: int = 3,
    activations: Sequence[str] = ("tanh", "sigmoid", "relu"),
) -> MLPCase:
    """Small MLPs (seeded, so reproducible) with inputs in [-2, 2] and targets in [-1, 1].

    Each case has 1..max_inputs inputs, up to max_hidden_layers hidden layers of
    1..max_width neurons, 1..max_outputs outputs, one of `activations`, and a batch of
    1..max_examples examples; `case.loss()` rebuilds the loss from the model's parameters.
    """
    nin = draw(st.integers(1, max_inputs))
    hidden = draw(st.lists(st.integers(1, max_width), max_size=max_hidden_layers))
    nout = draw(st.integers(1, max_outputs))
    activation = draw(st.sampled_from(tuple(activations)))
    seed = draw(st.integers(0, 2**16))
    widths = [*hidden, nout]
    model = MLP(nin, widths, activation=activation, seed=seed)
    count = draw(st.integers(1, max_examples))
    coordinate = st.floats(-2.0, 2.0, allow_nan=False)
    target = st.floats(-1.0, 1.0, allow_nan=False)
    inputs = draw(st.lists(st.lists(coordinate, min_size=nin, max_size=nin),
                           min_size=count, max_size=count))
    targets = draw(st.lists(st.lists(target, min_size=nout, max_size=nout),
                            min_size=count, max_size=count))
    description = (f"MLP({nin}, {widths}, activation={activation!r}, seed={seed}), "
                   f"inputs={inputs!r}, targets={targets!r}")
    return MLPCase(model, inputs, targets, description)
