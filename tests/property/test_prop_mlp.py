"""MLP parameter gradients (nn) against Richardson differences of the loss."""

from hypothesis import assume, given

from autograd.testing import NumericallyUnreliable, check_parameter_grads
from autograd.testing.strategies import mlps


@given(mlps())
def test_mlp_parameter_gradients_match_finite_differences(case):
    try:
        check_parameter_grads(case.loss, case.model.named_parameters(), atol=1e-6, rtol=1e-6)
    except NumericallyUnreliable:
        assume(False)  # a relu pre-activation within a step of its kink
