"""Regressions: an op gives one answer whichever way it is called (method, function, carrier,
numpy scalar or array, expression, define_op, scalar or batched replay)."""

import math

import numpy as np
import pytest

import autograd as ag
from autograd import DomainError, Tape, Value, define_op, trace
from autograd.expr import parse
from autograd.forward import Dual


@pytest.mark.parametrize("function", [ag.maximum, ag.minimum, ag.hypot, ag.arctan2])
def test_a_numpy_scalar_beside_a_value_is_a_number_and_the_value_keeps_its_gradient(function):
    x = Value(1.5, "x")
    out = function(x, np.float64(2.0))
    assert isinstance(out, Value) and out.parents[0] is x
    assert out.data == pytest.approx(function(1.5, 2.0))


def test_named_methods_hand_what_value_cannot_carry_to_the_right_carrier():
    assert Value(2.0).maximum(Dual(3.0, 1.0)).tangent == 1.0
    assert Value(2.0).hypot(Dual(3.0, 1.0)).primal == pytest.approx(math.hypot(2.0, 3.0))
    picked = Value(1.0).maximum(np.array([2.0, 0.0]))
    assert [v.data for v in picked] == [2.0, 1.0] and all(v.parents for v in picked)
    with pytest.raises(TypeError, match="add\\(\\) takes numbers, Values or numpy arrays"):
        Value(2.0).add(None)


def test_a_parameter_given_twice_is_refused():
    with pytest.raises(TypeError, match="slope twice"):
        ag.leaky_relu(-2.0, 0.2, slope=0.5)
    with pytest.raises(TypeError, match="slope twice"):
        Value(-2.0).leaky_relu(0.2, slope=0.5)


def test_clip_refuses_lo_above_hi_on_arrays_as_on_floats():
    for x in (0.5, Value(0.5), np.array([0.5])):
        with pytest.raises(DomainError, match="needs lo <= hi"):
            ag.clip(x, 2.0, 1.0)


def test_define_op_takes_autograd_functions_and_numpy_ufuncs():
    sine = define_op("sine_by_table", math.sin, ag.cos, "cos(x)")
    assert sine(Value(0.3)).local_grads == (math.cos(0.3),)
    sine_np = define_op("sine_by_numpy", np.sin, np.cos, "cos(x)")
    assert sine_np(0.3) == pytest.approx(math.sin(0.3))


def test_a_float_only_derivative_still_replays_in_batches():
    sine = define_op("sine_on_floats", math.sin, lambda x: math.cos(x), "cos(x)")
    f = trace(lambda x: sine(x) * x)
    values, (grads,) = f.batch_value_and_grad(np.array([1.0, 2.0]))
    for k, x in enumerate((1.0, 2.0)):
        value, (grad,) = f.value_and_grad(x)
        assert (values[k], grads[k]) == pytest.approx((value, grad), rel=1e-15)


@pytest.mark.parametrize(
    "text, x, value",
    [("clip(x, 1+1, 3)", 0.5, 2.0), ("leaky_relu(x, 0.1*2)", -2.0, -0.4),
     ("x ** (1+1)", -2.0, 4.0), ("sin(2) + x", 1.0, math.sin(2.0) + 1.0)],
)
def test_arithmetic_on_numbers_in_an_expression_stays_a_number(text, x, value):
    out = parse(text).evaluate({"x": Value(x, "x")})
    assert out.data == pytest.approx(value)


def test_batched_gradients_raise_where_scalar_replay_raises():
    tape = Tape.record(lambda x, y: ag.hypot(x, y), 3.0, 4.0)
    with pytest.raises(DomainError) as scalar:
        tape.value_and_grad(0.0, 0.0)
    with pytest.raises(DomainError) as batched:
        tape.batch_value_and_grad(np.array([3.0, 0.0]), np.array([4.0, 0.0]))
    assert type(scalar.value) is type(batched.value)
    values, (gx, gy) = tape.batch_value_and_grad(np.array([3.0]), np.array([4.0]))
    assert (gx[0], gy[0]) == pytest.approx((0.6, 0.8))
