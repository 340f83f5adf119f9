"""A scalar autograd engine you can watch: Values, backprop, and function transforms.

Every op of the table (`autograd.ops`) is also a function here: `autograd.sin(0.5)` is a
float, `autograd.sin(x)` a Value. `abs` and `pow` are attributes too, but left out of
`__all__`, so that `from autograd import *` keeps Python's builtins.
"""

import builtins

from autograd import ops
from autograd.define import define_op
from autograd.errors import DivisionByZeroError, DomainError, NumericOverflowError
from autograd.forward import jvp
from autograd.functional import grad, hessian, jacobian, value_and_grad
from autograd.grad_mode import is_grad_enabled, no_grad
from autograd.graph import topological_order
from autograd.tape import Tape, TracedFunction, TraceMismatchError, trace
from autograd.value import Value

globals().update(ops.FUNCTIONS)

__all__ = [
    # values and graphs
    "Value",
    "define_op",
    "topological_order",
    # function transforms
    "grad",
    "value_and_grad",
    "jacobian",
    "hessian",
    "jvp",
    # recording
    "no_grad",
    "is_grad_enabled",
    # trace once, replay many times
    "Tape",
    "trace",
    "TracedFunction",
    "TraceMismatchError",
    # errors
    "DomainError",
    "DivisionByZeroError",
    "NumericOverflowError",
]
__all__ += [name for name in ops.FUNCTIONS if not hasattr(builtins, name)]  # every op
