"""Trace and replay against dynamic mode on random programs (issue 6's replay property)."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from autograd import trace, value_and_grad
from autograd.testing.strategies import program_inputs, programs


@st.composite
def programs_with_two_input_points(draw):
    program = draw(programs())
    return program, draw(program_inputs(program)), draw(program_inputs(program))


def _dynamic(program, inputs):
    value, grads = value_and_grad(program, tuple(range(len(inputs))))(*inputs)
    return value, tuple(grads)


@given(programs_with_two_input_points())
def test_replay_on_new_inputs_is_bit_identical_to_dynamic_mode(case):
    program, traced_at, replayed_at = case
    traced = trace(program)
    assert traced.value_and_grad(*traced_at) == _dynamic(program, traced_at)
    assert traced.value_and_grad(*replayed_at) == _dynamic(program, replayed_at)


@given(programs_with_two_input_points())
def test_batched_replay_agrees_with_dynamic_mode_to_1e_12(case):
    program, first, second = case
    columns = [np.array([a, b]) for a, b in zip(first, second, strict=True)]
    values, grads = trace(program).batch_value_and_grad(*columns)
    for k, point in enumerate((first, second)):
        value, expected = _dynamic(program, point)
        np.testing.assert_allclose(values[k], value, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose([g[k] for g in grads], expected, rtol=1e-12, atol=1e-12)
