"""Random programs and expressions: backprop against Richardson, the complex step, forward mode.

Programs reuse earlier results (fan-out, shared subexpressions), which is what catches
accumulation bugs. Where relu puts a kink within a step of the point, Richardson says
NumericallyUnreliable and the example is discarded rather than reported as a mismatch.
The complex step cannot see a kink: where relu's input is within rounding of 0, the
complex carrier picks a branch by the sign of rounding noise, so such examples are
discarded as well.
"""

from hypothesis import assume, given

from autograd import Value, topological_order
from autograd.testing import (
    NumericallyUnreliable,
    check_forward_reverse,
    check_grad,
    check_second_order,
)
from autograd.testing.instructions import KINDS
from autograd.testing.strategies import expressions_with_inputs, programs_with_inputs

SMOOTH_KINDS = tuple(k for k in KINDS if k != "relu")


def relu_input_at_kink(function, inputs):
    """True if some relu in function's graph at inputs gets an input within 1e-9 of 0."""
    out = function(*[Value(x) for x in inputs])
    return any(
        node.op == "relu" and abs(node.parents[0].data) < 1e-9
        for node in topological_order(out)
    )


@given(programs_with_inputs())
def test_programs_against_richardson_differences(case):
    program, inputs = case
    try:
        check_grad(program, inputs, method="richardson", atol=1e-6, rtol=1e-6)
    except NumericallyUnreliable:
        assume(False)


@given(programs_with_inputs())
def test_programs_against_the_complex_step(case):
    program, inputs = case
    assume(not relu_input_at_kink(program, inputs))
    check_grad(program, inputs, method="complex_step", atol=1e-10, rtol=1e-9)


@given(expressions_with_inputs(n_inputs=3))
def test_expression_trees_against_the_complex_step(case):
    expression, inputs = case
    assume(not relu_input_at_kink(expression, inputs))
    check_grad(expression, inputs, method="complex_step", atol=1e-10, rtol=1e-9)


@given(programs_with_inputs())
def test_reverse_mode_agrees_with_forward_mode(case):
    program, inputs = case
    check_forward_reverse(program, inputs, atol=1e-12, rtol=1e-10)


@given(programs_with_inputs(kinds=SMOOTH_KINDS, max_steps=6))
def test_hessian_matches_differences_of_the_gradient_and_is_symmetric(case):
    program, inputs = case
    try:
        check_second_order(program, inputs, atol=1e-5, rtol=1e-5)
    except NumericallyUnreliable:
        assume(False)
