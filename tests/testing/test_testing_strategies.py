"""The strategies themselves: inputs in their domains, programs valid, finite, bounded, faithful."""

import math

import pytest
from hypothesis import find, given
from hypothesis import strategies as st

from autograd import Value, ops
from autograd.testing.op_calls import call_op
from autograd.testing.programs import Program
from autograd.testing.strategies import (
    DOMAINS,
    arguments_for,
    expressions_with_inputs,
    floats_in,
    programs,
    programs_with_inputs,
    subtract_intervals,
)

SLACK = 1e-9
GRADIENT_CEILING = 1e6


def run_source(source, args):
    """Define f from generated source text and call it: checks the printed code is faithful."""
    namespace = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    return namespace["f"](*args)


def within(value, bound):
    lo, hi = bound
    return lo - SLACK * max(1.0, abs(lo)) <= value <= hi + SLACK * max(1.0, abs(hi))


def test_subtract_intervals_by_hand():
    assert subtract_intervals(-4, 4, [(-0.05, 0.05)]) == [(-4.0, -0.05), (0.05, 4.0)]
    assert subtract_intervals(0, 1, [(0.5, 2)]) == [(0.0, 0.5)]
    assert subtract_intervals(0, 1, [(-1, 0.2), (0.4, 0.6)]) == [(0.2, 0.4), (0.6, 1.0)]
    assert subtract_intervals(0, 1, [(-1, 2)]) == []


def test_floats_in_with_nothing_left_is_an_error():
    with pytest.raises(ValueError, match="nothing of"):
        floats_in(0, 1, avoid=[(-1, 2)])


@given(floats_in(-4, 4, avoid=[0.0, (1.0, 2.0)]))
def test_floats_in_stays_in_range_and_clear_of_what_it_avoids(x):
    assert -4 <= x <= 4
    assert abs(x) >= 0.05
    assert not 1.0 < x < 2.0


def test_every_op_in_the_table_has_a_domain():
    assert {op.symbol if op.name == "pow_const" else op.name for op in ops.TABLE} == set(DOMAINS)
    assert DOMAINS["log"] == ops.LOG.domain


@pytest.mark.parametrize("op", ops.TABLE, ids=lambda op: op.symbol)
@given(data=st.data())
def test_arguments_for_each_op_are_in_its_domain_and_give_finite_results(op, data):
    args = data.draw(arguments_for(op))
    assert len(args) == op.arity
    for x, intervals in zip(args, op.domain, strict=True):
        assert any(lo <= x <= hi for lo, hi in intervals)
    out = call_op(op, *[Value(x) for x in args])
    assert math.isfinite(out.data)
    assert all(math.isfinite(g) for g in out.local_grads)


@given(programs_with_inputs())
def test_programs_are_finite_within_their_bounds_and_well_conditioned(case):
    program, inputs = case
    values = program.values(*[Value(x) for x in inputs])
    assert len(values) == len(program.bounds)
    for value, bound in zip(values, program.bounds, strict=True):
        assert math.isfinite(value.data)
        assert within(value.data, bound), (value.data, bound)
    out = values[program.output]
    out.backward()
    for leaf in values[: program.n_inputs]:
        assert math.isfinite(leaf.grad) and abs(leaf.grad) <= GRADIENT_CEILING


@given(programs_with_inputs())
def test_program_source_is_runnable_and_computes_the_same_bits(case):
    program, inputs = case
    assert program.source.startswith("def f(")
    assert repr(program).strip() == program.source
    direct = program(*[Value(x) for x in inputs]).data
    printed = run_source(program.source, [Value(x) for x in inputs]).data
    assert direct.hex() == printed.hex()


@given(expressions_with_inputs(n_inputs=3))
def test_expressions_are_valid_finite_bounded_and_print_faithfully(case):
    expression, inputs = case
    out = expression(*[Value(x) for x in inputs])
    assert math.isfinite(out.data)
    assert within(out.data, expression.bound)
    printed = run_source(expression.source, [Value(x) for x in inputs])
    assert printed.data.hex() == out.data.hex()


def uses_a_value_twice(program):
    uses = [k for step in program.steps for k in step.operands]
    return len(uses) != len(set(uses))


def test_programs_produce_fan_out_and_unused_inputs():
    shared = find(programs(), uses_a_value_twice)
    assert uses_a_value_twice(shared)

    def leaves_an_input_unused(program):
        return any(all(i not in s.operands for s in program.steps) for i in range(3))

    unused = find(programs(n_inputs=3), leaves_an_input_unused)
    assert isinstance(unused, Program) and leaves_an_input_unused(unused)


def test_unsafe_arguments_are_rewritten_before_log_division_and_fractional_powers():
    from autograd.testing.programs import ProgramBuilder

    builder = ProgramBuilder(1, (-2.0, 2.0))
    builder.apply("log", (0,))
    builder.apply("div", (0, 0))
    builder.apply("pow_const", (0,), 0.5)
    source = builder.finish().source
    assert "t1 = x0 ** 2.0" in source and "t2 = t1 + 1.0" in source
    assert "t3 = t2.log()" in source and "t4 = x0 / t2" in source and "t5 = t2 ** 0.5" in source
    assert source.count("** 2.0") == 1
