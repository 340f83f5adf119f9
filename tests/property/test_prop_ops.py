"""Every op in the table, on inputs from its domain: rules against numerical derivatives.

The table is iterated, so an op added to ops.TABLE is checked here with no new test code.
Inputs come from each op's domain, which keeps clear of kinks and jumps. The reference is
the complex step of the op's complex forward; an op without one (floor) is checked against
Richardson differences instead.
"""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd import Value, ops
from autograd.forward import Dual
from autograd.testing import (
    NumericallyUnreliable,
    check_forward_reverse,
    check_grad,
    check_second_order,
    numerical_grad,
)
from autograd.testing.op_calls import call_op
from autograd.testing.strategies import arguments_for

TABLE_IDS = [op.symbol for op in ops.TABLE]
TOLERANCES = {"complex_step": (1e-9, 1e-12), "richardson": (1e-7, 1e-9)}  # (rel, abs)


def method_for(op):
    """The complex step where the op has a complex forward, else Richardson differences."""
    return "complex_step" if op.complex_forward is not None else "richardson"


def complex_step_of_forward(op, args):
    """d op / d arg_i straight from op.complex_forward, without the Value API."""
    h = 1e-20
    out = []
    for i in range(len(args)):
        zs = [complex(x) for x in args]
        zs[i] = complex(args[i], h)
        out.append(ops.evaluate(op, *zs).imag / h)
    return out


def reference_grad(op, args):
    """Numerical d op / d args from the forward alone (no rule involved)."""
    if op.complex_forward is not None:
        return complex_step_of_forward(op, args)
    try:
        return numerical_grad(lambda *xs: call_op(op, *xs), args, method="richardson")
    except NumericallyUnreliable:
        assume(False)


def test_only_ops_without_a_complex_forward_fall_back_to_richardson():
    assert {method_for(op) for op in ops.TABLE} <= set(TOLERANCES)
    assert method_for(ops.BY_NAME["floor"]) == "richardson"
    assert method_for(ops.BY_NAME["tanh"]) == "complex_step"


@pytest.mark.parametrize("op", ops.TABLE, ids=TABLE_IDS)
@given(data=st.data())
def test_local_grads_match_a_numerical_derivative_of_the_forward_function(op, data):
    args = data.draw(arguments_for(op))
    node = call_op(op, *[Value(x) for x in args])
    assert node.op_record is op
    rel, abs_ = TOLERANCES[method_for(op)]
    assert list(node.local_grads) == pytest.approx(reference_grad(op, args), rel=rel, abs=abs_)


@pytest.mark.parametrize("op", ops.TABLE, ids=TABLE_IDS)
@given(data=st.data())
def test_backprop_through_each_op_passes_check_grad(op, data):
    args = data.draw(arguments_for(op))
    rel, abs_ = TOLERANCES[method_for(op)]
    try:
        check_grad(lambda *xs: call_op(op, *xs), args, method=method_for(op), atol=abs_,
                   rtol=rel)
    except NumericallyUnreliable:
        assume(False)


@pytest.mark.parametrize("op", ops.TABLE, ids=TABLE_IDS)
@given(data=st.data())
def test_forward_mode_through_each_op_matches_a_numerical_derivative(op, data):
    args = data.draw(arguments_for(op))
    rel, abs_ = TOLERANCES[method_for(op)]
    expected = reference_grad(op, args)
    for i in range(len(args)):
        duals = [Dual(x, 1.0 if k == i else 0.0) for k, x in enumerate(args)]
        assert call_op(op, *duals).tangent == pytest.approx(expected[i], rel=rel, abs=abs_)
    check_forward_reverse(lambda *xs: call_op(op, *xs), args)


@pytest.mark.parametrize("op", ops.TABLE, ids=TABLE_IDS)
@given(data=st.data())
def test_second_derivatives_of_each_op_match_differences_of_its_gradient(op, data):
    args = data.draw(arguments_for(op))
    try:
        check_second_order(lambda *xs: call_op(op, *xs), args, atol=1e-5, rtol=1e-5)
    except NumericallyUnreliable:
        assume(False)
