"""Every op in the table, on inputs from its domain: rules against the complex step.

The table is iterated, so an op added to ops.TABLE is checked here with no new test code.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, ops
from autograd.forward import Dual
from autograd.testing import check_grad, numerical_grad
from autograd.testing.op_calls import call_op
from autograd.testing.strategies import arguments_for

TABLE_IDS = [op.symbol for op in ops.TABLE]
REL = 1e-9
ABS = 1e-12


def complex_step_of_forward(op, args):
    """d op / d arg_i straight from op.complex_forward, without the Value API."""
    h = 1e-20
    out = []
    for i in range(len(args)):
        zs = [complex(x) for x in args]
        zs[i] = complex(args[i], h)
        out.append(ops.evaluate(op, *zs).imag / h)
    return out


@pytest.mark.parametrize("op", ops.TABLE, ids=TABLE_IDS)
@given(data=st.data())
def test_local_grads_match_the_complex_step_of_the_forward_function(op, data):
    args = data.draw(arguments_for(op))
    node = call_op(op, *[Value(x) for x in args])
    assert node.op_record is op
    expected = complex_step_of_forward(op, args)
    assert list(node.local_grads) == pytest.approx(expected, rel=REL, abs=ABS)


@pytest.mark.parametrize("op", ops.TABLE, ids=TABLE_IDS)
@given(data=st.data())
def test_backprop_through_each_op_passes_check_grad(op, data):
    args = data.draw(arguments_for(op))
    check_grad(lambda *xs: call_op(op, *xs), args, method="complex_step", atol=ABS, rtol=REL)


@pytest.mark.parametrize("op", ops.TABLE, ids=TABLE_IDS)
@given(data=st.data())
def test_forward_mode_through_each_op_matches_the_complex_step(op, data):
    args = data.draw(arguments_for(op))
    expected = numerical_grad(lambda *xs: call_op(op, *xs), args, method="complex_step")
    for i in range(len(args)):
        duals = [Dual(x, 1.0 if k == i else 0.0) for k, x in enumerate(args)]
        assert call_op(op, *duals).tangent == pytest.approx(expected[i], rel=REL, abs=ABS)
