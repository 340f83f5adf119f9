"""Neural networks built from autograd Values: modules, losses, optimizers, data, training.

`nn.micrograd` has micrograd's own Neuron, Layer and MLP; `to_torch`/`from_torch` cross to
PyTorch (an optional extra, imported only when called).
"""

from nn import data, losses, micrograd, optim
from nn.layer import Layer
from nn.mlp import MLP
from nn.module import Module
from nn.neuron import Neuron
from nn.probabilities import log_softmax, logsumexp, softmax
from nn.serialization import load, save
from nn.state import StateDictError
from nn.torch_bridge import from_torch, to_torch
from nn.training import accuracy, fit

__all__ = [
    "MLP",
    "Layer",
    "Module",
    "Neuron",
    "StateDictError",
    "accuracy",
    "data",
    "fit",
    "from_torch",
    "load",
    "log_softmax",
    "logsumexp",
    "losses",
    "micrograd",
    "optim",
    "save",
    "softmax",
    "to_torch",
]
