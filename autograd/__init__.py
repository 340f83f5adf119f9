"""A scalar autograd engine you can watch: Values, backprop, and function transforms."""

from autograd.backprop import backward, gradients
from autograd.errors import DivisionByZeroError, DomainError, NumericOverflowError
from autograd.forward import jvp
from autograd.functional import grad, hessian, jacobian, value_and_grad
from autograd.grad_mode import is_grad_enabled, no_grad
from autograd.graph import topological_order
from autograd.ops import exp, log, relu, sigmoid, tanh
from autograd.tape import Tape, TraceMismatchError, compile
from autograd.value import Value

__all__ = [
    "DivisionByZeroError",
    "DomainError",
    "NumericOverflowError",
    "Tape",
    "TraceMismatchError",
    "Value",
    "backward",
    "compile",
    "exp",
    "grad",
    "gradients",
    "hessian",
    "is_grad_enabled",
    "jacobian",
    "jvp",
    "log",
    "no_grad",
    "relu",
    "sigmoid",
    "tanh",
    "topological_order",
    "value_and_grad",
]
