"""check_parameter_grads and the mlps strategy."""

import math

import pytest
from hypothesis import given

from autograd import Value, ops
from autograd.testing import GradientMismatch, check_parameter_grads
from nn.strategies import mlps


def small_model():
    w, b = Value(0.7, "w"), Value(-0.2, "b")
    xs, ys = [0.5, -1.5, 2.0], [0.1, 0.4, -0.3]

    def loss():
        return sum(((w * x + b).tanh() - y) ** 2 for x, y in zip(xs, ys, strict=True))

    return w, b, loss, xs, ys


@pytest.mark.parametrize("replay", [False, True])
def test_hand_derived_gradients_pass_and_everything_is_restored(replay):
    w, b, loss, xs, ys = small_model()
    w.grad, b.grad = 5.0, 6.0
    report = check_parameter_grads(loss, [w, b], replay=replay)
    expected_w = sum(2 * (math.tanh(0.7 * x - 0.2) - y) * (1 - math.tanh(0.7 * x - 0.2) ** 2) * x
                     for x, y in zip(xs, ys, strict=True))
    assert report.rows[0].name == "w"
    assert report.rows[0].analytic == pytest.approx(expected_w, rel=1e-12)
    assert (w.data, b.data, w.grad, b.grad) == (0.7, -0.2, 5.0, 6.0)


@pytest.mark.parametrize("replay", [False, True])
def test_a_wrong_tanh_derivative_is_caught_in_a_model(replay):
    w, b, loss, _, _ = small_model()
    tanh = ops.BY_NAME["tanh"]
    rule = tanh.rule
    object.__setattr__(tanh, "rule", lambda x, out: (1.0 - out,))  # Op is frozen: swap in place
    try:
        with pytest.raises(GradientMismatch, match="parameter gradient check FAILED"):
            check_parameter_grads(loss, [w, b], replay=replay)
    finally:
        object.__setattr__(tanh, "rule", rule)
    assert (w.data, b.data) == (0.7, -0.2)
    check_parameter_grads(loss, [w, b], replay=replay)


def test_interior_nodes_are_not_parameters():
    w, _, loss, _, _ = small_model()
    with pytest.raises(TypeError, match="must be a leaf Value"):
        check_parameter_grads(loss, [w * 2])


@given(mlps(max_examples=2))
def test_mlps_give_a_seeded_model_with_matching_data_and_a_finite_loss(case):
    nin = case.model.nin
    nout = case.model.layers[-1].nout
    assert all(len(x) == nin for x in case.inputs)
    assert all(len(y) == nout for y in case.targets)
    assert len(case.inputs) == len(case.targets) >= 1
    loss = case.loss()
    assert math.isfinite(loss.data) and loss.data >= 0
    assert repr(case).startswith("MLP(")
