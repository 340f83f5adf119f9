"""Every op in the table against closed forms written independently of the engine."""

import math

import pytest

from autograd import Value
from autograd.ops import TABLE
from autograd.testing.op_calls import call_op


def _sech2(x):
    return 4.0 / (math.exp(x) + math.exp(-x)) ** 2


CLOSED_FORMS = {
    # name: (value(x, y, c), [d/dx, d/dy](x, y, c))
    "add": (lambda x, y, c: x + y, [lambda x, y, c: 1.0, lambda x, y, c: 1.0]),
    "sub": (lambda x, y, c: x - y, [lambda x, y, c: 1.0, lambda x, y, c: -1.0]),
    "mul": (lambda x, y, c: x * y, [lambda x, y, c: y, lambda x, y, c: x]),
    "div": (lambda x, y, c: x / y, [lambda x, y, c: 1 / y, lambda x, y, c: -x / (y * y)]),
    "neg": (lambda x, y, c: -x, [lambda x, y, c: -1.0]),
    "pow": (
        lambda x, y, c: math.exp(y * math.log(x)),
        [lambda x, y, c: y * math.exp((y - 1) * math.log(x)),
         lambda x, y, c: math.exp(y * math.log(x)) * math.log(x)],
    ),
    "exp": (lambda x, y, c: math.e**x, [lambda x, y, c: math.e**x]),
    "log": (lambda x, y, c: math.log(x), [lambda x, y, c: 1 / x]),
    "tanh": (
        lambda x, y, c: (math.exp(x) - math.exp(-x)) / (math.exp(x) + math.exp(-x)),
        [lambda x, y, c: _sech2(x)],
    ),
    "sigmoid": (
        lambda x, y, c: 1 / (1 + math.exp(-x)),
        [lambda x, y, c: math.exp(-x) / (1 + math.exp(-x)) ** 2],
    ),
    "relu": (lambda x, y, c: max(x, 0.0), [lambda x, y, c: 1.0 if x > 0 else 0.0]),
    "pow_const": (
        lambda x, y, c: math.pow(x, c),
        [lambda x, y, c: 0.0 if c == 0 else c * math.pow(x, c - 1)],
    ),
}


def _grid(intervals, count=7):
    points = []
    for lo, hi in intervals:
        points += [lo + (hi - lo) * k / (count - 1) for k in range(count)]
    return points


def _samples(op):
    xs = _grid(op.domain[0])
    if op.arity == 1:
        return [(x, 0.0) for x in xs]
    ys = _grid(op.domain[1], 4)
    return [(x, y) for x in xs for y in ys]


@pytest.mark.parametrize("op", TABLE, ids=lambda op: op.symbol)
def test_every_op_matches_its_closed_form(op):
    assert op.name in CLOSED_FORMS, f"add a closed form for new op {op.name!r} to this test"
    value_form, derivative_forms = CLOSED_FORMS[op.name]
    assert len(derivative_forms) == op.arity == len(op.formulas)
    c = op.parameter
    for x, y in _samples(op):
        inputs = [Value(x, "x"), Value(y, "y")][: op.arity]
        out = call_op(op, *inputs)
        assert out.op_record is op or out.op_record == op
        assert out.parents == tuple(inputs)
        assert out.data == pytest.approx(value_form(x, y, c), rel=1e-12, abs=1e-14)
        expected = [d(x, y, c) for d in derivative_forms]
        assert out.local_grads == pytest.approx(expected, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("op", TABLE, ids=lambda op: op.symbol)
def test_rule_runs_on_values_and_agrees_with_floats(op):
    for x, y in _samples(op)[::5]:
        inputs = [Value(x), Value(y)][: op.arity]
        out = call_op(op, *inputs)
        on_values = op.rule(*inputs, out)
        assert [g.data if isinstance(g, Value) else g for g in on_values] == pytest.approx(
            list(out.local_grads), rel=1e-12, abs=1e-15
        )


def test_relu_derivative_at_zero_is_zero():
    assert Value(0.0).relu().local_grads == (0.0,)


def test_op_symbols_are_readable():
    assert (Value(1.0) + 2).op == "+"
    assert Value(1.0).tanh().op == "tanh"
    assert (Value(1.0) ** 2).op == "**2"
    assert Value(1.0).op == ""
    assert Value(1.0).local_grads == ()
