"""The strategies themselves: inputs in their domains, programs valid, finite, bounded, faithful."""

import math

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

from autograd import Value, ops
from autograd.testing.instructions import INSTRUCTIONS, KINDS
from autograd.testing.op_calls import call_op
from autograd.testing.programs import Program, ProgramBuilder
from autograd.testing.safe_builder import inside
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
    keys = {op.symbol if op.bound is not None else op.name for op in ops.TABLE}
    assert keys == set(DOMAINS) and len(DOMAINS) == len(ops.TABLE)
    assert DOMAINS["log"] == ops.BY_NAME["log"].domain
    assert DOMAINS["clip(-1, 1)"] == ops.BY_NAME["clip"].bind(-1.0, 1.0).input_domain()


def test_every_row_is_an_instruction_kind_and_the_reflected_operators_have_constant_kinds():
    assert {row.name for row in ops.ROWS} <= set(KINDS)
    for name in ("add_const", "rsub_const", "rmul_const", "rdiv_const", "pow_const", "rpow_const"):
        assert name in KINDS
    assert INSTRUCTIONS["rsub_const"].text(("x0",), 2.0) == "2.0 - x0"
    assert INSTRUCTIONS["rpow_const"].text(("x0",), 2.0) == "2.0 ** x0"
    assert INSTRUCTIONS["pow_const"].text(("x0",), -1.5) == "x0 ** -1.5"
    assert INSTRUCTIONS["clip"].text(("x0",), (-1.0, 1.0)) == "x0.clip(-1.0, 1.0)"
    assert INSTRUCTIONS["abs"].text(("x0",)) == "abs(x0)"
    assert INSTRUCTIONS["negative"].text(("x0",)) == "-x0"
    assert INSTRUCTIONS["arctan2"].text(("x0", "x1")) == "x0.arctan2(x1)"


def _constant(kind):
    return kind.constants[-1] if kind.constants else None


@pytest.mark.parametrize("name", KINDS)
def test_each_kind_runs_prints_faithfully_and_stays_in_its_bound(name):
    kind = INSTRUCTIONS[name]
    constant = _constant(kind)
    builder = ProgramBuilder(kind.arity, (-2.0, 2.0))
    builder.apply(name, tuple(range(kind.arity)), constant)
    program = builder.finish()
    assert program.steps[-1].kind == name or name in {s.kind for s in program.steps}
    for point in ([-2.0, 1.7][: kind.arity], [0.3, -0.9][: kind.arity], [2.0, 2.0][: kind.arity]):
        values = program.values(*[Value(x) for x in point])
        for value, bound in zip(values, program.bounds, strict=True):
            assert math.isfinite(value.data) and within(value.data, bound)
        printed = run_source(program.source, [Value(x) for x in point])
        assert printed.data.hex() == values[program.output].data.hex()


def test_squashing_keeps_every_drawn_step_inside_its_domain():
    builder_steps = {"tanh", "rmul_const", "add_const", "add"}  # the squash and the final sum

    @given(programs())
    def check(program):
        for step in program.steps:
            if step.kind in builder_steps:
                continue
            domain = INSTRUCTIONS[step.kind].domain(step.constant)
            for k, intervals in zip(step.operands, domain, strict=True):
                assert any(inside(program.bounds[k], interval) for interval in intervals), (
                    step, program.bounds[k], intervals)

    check()


@pytest.mark.parametrize("op", ops.TABLE, ids=lambda op: op.symbol)
@given(data=st.data())
def test_arguments_for_each_op_are_in_its_domain_and_give_finite_results(op, data):
    args = data.draw(arguments_for(op))
    assert len(args) == op.arity
    for x, intervals in zip(args, op.input_domain(), strict=True):
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


def test_unsafe_arguments_are_squashed_into_the_domain_once_and_reused():
    builder = ProgramBuilder(1, (-2.0, 2.0))
    builder.apply("log", (0,))
    builder.apply("div", (0, 0))
    builder.apply("pow_const", (0,), 0.5)
    source = builder.finish().source
    # x0 in [-2, 2] is outside log's (0.05, 6): center 3.025 +- 2.975, rounded inward
    assert "t1 = x0.tanh()" in source and "t2 = 2.97 * t1" in source
    assert "t3 = t2 + 3.02" in source and "t4 = t3.log()" in source
    # the divisor goes to one side of 0, shrunk until x0 / y has slopes below SLOPE_LIMIT;
    # the fractional power reuses t3
    assert "t5 = 0.975 * t1" in source and "t6 = t5 + 2.05" in source
    assert "t7 = x0 / t6" in source and "t8 = t3 ** 0.5" in source
    assert source.count(".tanh()") == 1


def test_the_choice_picks_the_other_side_of_a_kink():
    sides = set()
    for choice in range(2):
        builder = ProgramBuilder(1, (-2.0, 2.0))
        out = builder.apply("relu", (0,), choice=choice)
        relu_input = builder.steps[-1].operands[0]
        assert builder.bounds[out] is not None
        sides.add(builder.bounds[relu_input][0] > 0)
    assert sides == {True, False}


def test_hypothesis_prints_a_failing_program_as_python_source():
    @settings(max_examples=20, database=None, phases=[Phase.generate])  # no time shrinking
    @given(programs_with_inputs(max_steps=4))
    def never_holds(case):
        raise AssertionError("fails on every program")

    with pytest.raises(AssertionError) as info:
        never_holds()
    notes = "\n".join(getattr(info.value, "__notes__", []))
    assert "def f(x0" in notes and "return t" in notes
    program_text = notes[notes.index("def f("):notes.index("return t")]
    assert "Program(" not in program_text and "Instruction(" not in program_text
