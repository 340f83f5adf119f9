"""MLP parameter gradients (nn) against Richardson differences of the loss.

The differences replay a tape of the loss instead of rebuilding it (an MLP's graph does not
depend on the data), so hypothesis can try more models in the same time.
"""

from hypothesis import assume, given, settings

from autograd.testing import NumericallyUnreliable, check_parameter_grads
from nn.strategies import mlps


@settings(max_examples=settings().max_examples * 2)
@given(mlps())
def test_mlp_parameter_gradients_match_finite_differences(case):
    try:
        check_parameter_grads(
            case.loss, case.model.named_parameters(), atol=1e-6, rtol=1e-6, replay=True
        )
    except NumericallyUnreliable:
        assume(False)  # a relu pre-activation within a step of its kink


@given(mlps())
def test_replayed_and_rebuilt_differences_agree(case):
    params = list(case.model.named_parameters())
    try:
        rebuilt = check_parameter_grads(case.loss, params, replay=False)
        replayed = check_parameter_grads(case.loss, params, replay=True)
    except NumericallyUnreliable:
        assume(False)
    assert [row.numeric for row in replayed.rows] == [row.numeric for row in rebuilt.rows]
