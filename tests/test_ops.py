"""Every op in the table against closed forms written independently of the engine.

The closed forms use only math and cmath (trigonometric and hyperbolic functions through
Euler's formula and logarithms), keyed by row name; a row with parameters gets them as
extra arguments. Every built-in row has one; a new row is covered by the numerical
properties (tests/property) with no edit, and gains an independent oracle here once its
closed form is added.
"""

import cmath
import math

import pytest

from autograd import Value
from autograd.ops import TABLE
from autograd.testing.op_calls import call_op

LN2 = math.log(2.0)
LN10 = math.log(10.0)


def _e(x):
    return math.e**x


def _ei(x):
    """e**(i x) = cos x + i sin x."""
    return cmath.exp(1j * x)


def _sech2(x):
    return 4.0 / (_e(x) + _e(-x)) ** 2


def _arcsin(x):
    return math.atan(x / math.sqrt(1.0 - x * x))


def _cases(positive, negative):
    return lambda x: positive if x > 0 else negative


def one(*_):
    return 1.0


def zero(*_):
    return 0.0


CLOSED_FORMS = {
    # name: (value(x, y, *parameters), [d/dx, d/dy](x, y, *parameters))
    "add": (lambda x, y: x + y, [one, one]),
    "sub": (lambda x, y: x - y, [one, lambda x, y: -1.0]),
    "mul": (lambda x, y: x * y, [lambda x, y: y, lambda x, y: x]),
    "div": (lambda x, y: x / y, [lambda x, y: 1 / y, lambda x, y: -x / (y * y)]),
    "negative": (lambda x, y: -x, [lambda x, y: -1.0]),
    "pow": (
        lambda x, y: _e(y * math.log(x)),
        [lambda x, y: y * _e((y - 1) * math.log(x)),
         lambda x, y: _e(y * math.log(x)) * math.log(x)],
    ),
    "pow_const": (
        lambda x, y, c: math.pow(x, c),
        [lambda x, y, c: 0.0 if c == 0 else c * math.pow(x, c - 1)],
    ),
    "square": (lambda x, y: math.pow(x, 2), [lambda x, y: 2 * x]),
    "reciprocal": (lambda x, y: math.pow(x, -1), [lambda x, y: -math.pow(x, -2)]),
    "mod": (lambda x, y: x - y * math.floor(x / y), [one, lambda x, y: -math.floor(x / y)]),
    "floor": (lambda x, y: float(math.floor(x)), [zero]),
    "exp": (lambda x, y: _e(x), [lambda x, y: _e(x)]),
    "exp2": (lambda x, y: math.pow(2.0, x), [lambda x, y: math.pow(2.0, x) * LN2]),
    "expm1": (lambda x, y: sum(x**k / math.factorial(k) for k in range(1, 60)),
              [lambda x, y: _e(x)]),
    "log": (lambda x, y: math.log(x), [lambda x, y: 1 / x]),
    "log2": (lambda x, y: math.log(x) / LN2, [lambda x, y: 1 / (x * LN2)]),
    "log10": (lambda x, y: math.log(x) / LN10, [lambda x, y: 1 / (x * LN10)]),
    "log1p": (lambda x, y: math.log(1.0 + x), [lambda x, y: 1 / (1 + x)]),
    "sqrt": (lambda x, y: math.pow(x, 0.5), [lambda x, y: 0.5 * math.pow(x, -0.5)]),
    "cbrt": (
        lambda x, y: math.copysign(math.pow(abs(x), 1 / 3), x),
        [lambda x, y: math.pow(abs(x), -2 / 3) / 3],
    ),
    "sin": (lambda x, y: _ei(x).imag, [lambda x, y: _ei(x).real]),
    "cos": (lambda x, y: _ei(x).real, [lambda x, y: -_ei(x).imag]),
    "tan": (lambda x, y: _ei(x).imag / _ei(x).real, [lambda x, y: 1 / _ei(x).real ** 2]),
    "arcsin": (lambda x, y: _arcsin(x), [lambda x, y: 1 / math.sqrt(1 - x * x)]),
    "arccos": (lambda x, y: math.pi / 2 - _arcsin(x), [lambda x, y: -1 / math.sqrt(1 - x * x)]),
    "arctan": (
        lambda x, y: (cmath.log((1 + 1j * x) / (1 - 1j * x)) / 2j).real,
        [lambda x, y: 1 / (1 + x * x)],
    ),
    "arctan2": (  # numpy's arctan2(x1, x2): the angle of the point (x2, x1)
        lambda x, y: cmath.phase(complex(y, x)),
        [lambda x, y: y / (x * x + y * y), lambda x, y: -x / (x * x + y * y)],
    ),
    "hypot": (
        lambda x, y: math.sqrt(x * x + y * y),
        [lambda x, y: x / math.sqrt(x * x + y * y), lambda x, y: y / math.sqrt(x * x + y * y)],
    ),
    "deg2rad": (lambda x, y: x * math.pi / 180, [lambda x, y: math.pi / 180]),
    "rad2deg": (lambda x, y: x * 180 / math.pi, [lambda x, y: 180 / math.pi]),
    "sinh": (lambda x, y: (_e(x) - _e(-x)) / 2, [lambda x, y: (_e(x) + _e(-x)) / 2]),
    "cosh": (lambda x, y: (_e(x) + _e(-x)) / 2, [lambda x, y: (_e(x) - _e(-x)) / 2]),
    "tanh": (lambda x, y: (_e(x) - _e(-x)) / (_e(x) + _e(-x)), [lambda x, y: _sech2(x)]),
    "arcsinh": (
        lambda x, y: math.copysign(math.log(abs(x) + math.sqrt(x * x + 1)), x),
        [lambda x, y: 1 / math.sqrt(x * x + 1)],
    ),
    "arccosh": (
        lambda x, y: math.log(x + math.sqrt(x * x - 1)),
        [lambda x, y: 1 / math.sqrt(x * x - 1)],
    ),
    "arctanh": (
        lambda x, y: 0.5 * math.log((1 + x) / (1 - x)),
        [lambda x, y: 1 / (1 - x * x)],
    ),
    "sigmoid": (lambda x, y: 1 / (1 + _e(-x)), [lambda x, y: _e(-x) / (1 + _e(-x)) ** 2]),
    "softplus": (lambda x, y: math.log(1 + _e(x)), [lambda x, y: 1 / (1 + _e(-x))]),
    "abs": (lambda x, y: x if x > 0 else -x, [lambda x, y: _cases(1.0, -1.0)(x)]),
    "sign": (lambda x, y: _cases(1.0, -1.0)(x), [zero]),
    "relu": (lambda x, y: x if x > 0 else 0.0, [lambda x, y: _cases(1.0, 0.0)(x)]),
    "leaky_relu": (
        lambda x, y, slope: x if x > 0 else slope * x,
        [lambda x, y, slope: _cases(1.0, slope)(x)],
    ),
    "elu": (
        lambda x, y, alpha: x if x > 0 else alpha * (_e(x) - 1),
        [lambda x, y, alpha: _cases(1.0, alpha * _e(x))(x)],
    ),
    "maximum": (
        lambda x, y: x if x > y else y,
        [lambda x, y: _cases(1.0, 0.0)(x - y), lambda x, y: _cases(0.0, 1.0)(x - y)],
    ),
    "minimum": (
        lambda x, y: x if x < y else y,
        [lambda x, y: _cases(0.0, 1.0)(x - y), lambda x, y: _cases(1.0, 0.0)(x - y)],
    ),
    "clip": (
        lambda x, y, lo, hi: lo if x < lo else (hi if x > hi else x),
        [lambda x, y, lo, hi: 1.0 if lo < x < hi else 0.0],
    ),
}


def _grid(intervals, count=7):
    points = []
    for lo, hi in intervals:
        points += [lo + (hi - lo) * k / (count - 1) for k in range(count)]
    return points


def _samples(op):
    domain = op.input_domain()
    xs = _grid(domain[0])
    if op.arity == 1:
        return [(x, 0.0) for x in xs]
    ys = _grid(domain[1], 4)
    return [(x, y) for x in xs for y in ys]


@pytest.mark.parametrize(
    "op", [op for op in TABLE if op.name in CLOSED_FORMS], ids=lambda op: op.symbol
)
def test_every_op_matches_its_closed_form(op):
    value_form, derivative_forms = CLOSED_FORMS[op.name]
    assert len(derivative_forms) == op.arity == len(op.formula_texts())
    parameters = op.bound or ()
    for x, y in _samples(op):
        inputs = [Value(x, "x"), Value(y, "y")][: op.arity]
        out = call_op(op, *inputs)
        assert out.op_record is op
        assert out.parents == tuple(inputs)
        assert out.data == pytest.approx(value_form(x, y, *parameters), rel=1e-12, abs=1e-14)
        expected = [d(x, y, *parameters) for d in derivative_forms]
        assert out.local_grads == pytest.approx(expected, rel=1e-10, abs=1e-12)


def test_every_closed_form_belongs_to_a_row_and_the_built_in_rows_have_one():
    assert set(CLOSED_FORMS) <= {op.name for op in TABLE}
    assert len(CLOSED_FORMS) == 46  # the built-in rows at the op-table rewrite


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
