"""Random programs and expressions: backprop against Richardson, the complex step, forward mode.

Programs reuse earlier results (fan-out, shared subexpressions), which is what catches
accumulation bugs. Every instruction kind of the op table is drawn; arguments are squashed
into their op's domain, so kinks and jumps are never reached. The complex step needs every
op's complex forward, so its properties draw the kinds whose rows have one (floor has
none: Richardson and forward mode cover it).
"""

from hypothesis import assume, given

from autograd.testing import (
    NumericallyUnreliable,
    check_forward_reverse,
    check_grad,
    check_second_order,
)
from autograd.testing.instructions import INSTRUCTIONS
from autograd.testing.strategies import expressions_with_inputs, programs_with_inputs

COMPLEX_STEP_KINDS = tuple(
    name for name, kind in INSTRUCTIONS.items() if kind.row.complex_forward is not None
)


def test_only_rows_without_a_complex_forward_are_left_to_the_other_methods():
    left_out = {kind.row.name for kind in INSTRUCTIONS.values()} - {
        INSTRUCTIONS[name].row.name for name in COMPLEX_STEP_KINDS
    }
    assert all(INSTRUCTIONS[name].row.complex_forward is None for name in left_out)


@given(programs_with_inputs())
def test_programs_against_richardson_differences(case):
    program, inputs = case
    try:
        check_grad(program, inputs, method="richardson", atol=1e-6, rtol=1e-6)
    except NumericallyUnreliable:
        assume(False)


@given(programs_with_inputs(kinds=COMPLEX_STEP_KINDS))
def test_programs_against_the_complex_step(case):
    program, inputs = case
    check_grad(program, inputs, method="complex_step", atol=1e-10, rtol=1e-9)


@given(expressions_with_inputs(n_inputs=3, kinds=COMPLEX_STEP_KINDS))
def test_expression_trees_against_the_complex_step(case):
    expression, inputs = case
    check_grad(expression, inputs, method="complex_step", atol=1e-10, rtol=1e-9)


@given(expressions_with_inputs(n_inputs=3))
def test_expression_trees_against_richardson_differences(case):
    expression, inputs = case
    try:
        check_grad(expression, inputs, method="richardson", atol=1e-6, rtol=1e-6)
    except NumericallyUnreliable:
        assume(False)


@given(programs_with_inputs())
def test_reverse_mode_agrees_with_forward_mode(case):
    program, inputs = case
    check_forward_reverse(program, inputs, atol=1e-12, rtol=1e-10)


@given(programs_with_inputs(max_steps=6))
def test_hessian_matches_differences_of_the_gradient_and_is_symmetric(case):
    program, inputs = case
    try:
        check_second_order(program, inputs, atol=1e-5, rtol=1e-5)
    except NumericallyUnreliable:
        assume(False)
