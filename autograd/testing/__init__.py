"""Gradient checkers and check_op (standard library only; check_op imports hypothesis when
it runs); hypothesis strategies live in .strategies."""

from autograd.testing.checks import (
    analytic_grad,
    check_forward_reverse,
    check_grad,
    check_second_order,
)
from autograd.testing.complex_carrier import ComplexCarrier
from autograd.testing.derivation import DerivationMismatch, DerivationReport, check_derivation
from autograd.testing.errors import GradientMismatch, NumericallyUnreliable
from autograd.testing.numerical import numerical_estimates, numerical_grad
from autograd.testing.op_checks import OpCheckReport, OpMismatch, check_op
from autograd.testing.parameters import check_parameter_grads
from autograd.testing.report import GradCheckReport

__all__ = [
    "ComplexCarrier",
    "DerivationMismatch",
    "DerivationReport",
    "GradCheckReport",
    "GradientMismatch",
    "NumericallyUnreliable",
    "OpCheckReport",
    "OpMismatch",
    "analytic_grad",
    "check_forward_reverse",
    "check_grad",
    "check_derivation",
    "check_op",
    "check_parameter_grads",
    "check_second_order",
    "numerical_estimates",
    "numerical_grad",
]
