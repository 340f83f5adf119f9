"""Trace and replay: the tape gives what dynamic mode gives, scalar and batched."""

import numpy as np
import pytest

from autograd import DomainError, Value, value_and_grad
from autograd.ops import TABLE
from autograd.tape import Tape, TraceMismatchError, compile


def _op_function(op):
    """f(x, y) applying op through Value's public API."""
    if op.name == "pow_const":
        return lambda x, y: x**op.parameter
    binary = {
        "add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y,
        "div": lambda x, y: x / y, "pow": lambda x, y: x**y,
    }
    if op.name in binary:
        return binary[op.name]
    if op.name == "neg":
        return lambda x, y: -x
    return lambda x, y: getattr(x, op.name)()


def _points(op):
    (lo, hi), *_ = op.domain[0]
    ylo, yhi = op.domain[1][-1] if op.arity == 2 else (1.0, 2.0)
    return [(lo + (hi - lo) * k / 4, ylo + (yhi - ylo) * k / 4) for k in range(5)]


@pytest.mark.parametrize("op", TABLE, ids=lambda op: op.symbol)
def test_every_op_replays_exactly_like_dynamic_mode(op):
    f = _op_function(op)
    compiled = compile(f)
    for x, y in _points(op):
        assert compiled.value_and_grad(x, y) == value_and_grad(f, (0, 1))(x, y)


@pytest.mark.parametrize("op", TABLE, ids=lambda op: op.symbol)
def test_every_op_replays_batched_within_1e_12(op):
    f = _op_function(op)
    points = _points(op)
    xs = np.array([p[0] for p in points])
    ys = np.array([p[1] for p in points])
    values, (gx, gy) = compile(f).batch_value_and_grad(xs, ys)
    for k, (x, y) in enumerate(points):
        value, (dx, dy) = value_and_grad(f, (0, 1))(x, y)
        assert values[k] == pytest.approx(value, rel=1e-12, abs=1e-12)
        assert gx[k] == pytest.approx(dx, rel=1e-12, abs=1e-12)
        assert gy[k] == pytest.approx(dy, rel=1e-12, abs=1e-12)


def neuron_loss(w1, w2, b, x1, x2, y):
    out = (w1 * x1 + w2 * x2 + b).tanh()
    return (out - y) ** 2 + 0.5 * (w1 * w1 + w2 * w2)


def test_a_neuron_loss_replays_on_new_inputs_and_batches_with_broadcasting():
    compiled = compile(neuron_loss)
    first = (0.5, -0.3, 0.1, 1.0, 2.0, 1.0)
    second = (0.2, 0.7, -0.4, -1.5, 0.25, -1.0)
    assert compiled.value_and_grad(*first) == value_and_grad(neuron_loss, range(6))(*first)
    assert compiled.value_and_grad(*second) == value_and_grad(neuron_loss, range(6))(*second)
    x1 = np.linspace(-2, 2, 7)
    values, grads = compiled.batch_value_and_grad(0.2, 0.7, -0.4, x1, 0.25, -1.0)
    assert values.shape == (7,) and all(g.shape == (7,) for g in grads)
    for k, x in enumerate(x1):
        value, expected = value_and_grad(neuron_loss, range(6))(0.2, 0.7, -0.4, x, 0.25, -1.0)
        assert values[k] == pytest.approx(value, rel=1e-12)
        assert [g[k] for g in grads] == pytest.approx(list(expected), rel=1e-12, abs=1e-15)


def test_tape_is_flat_and_records_constants():
    tape = Tape.record(lambda x, y: x * 3.0 + y, 1.0, 2.0)
    assert len(tape) == 5
    assert [op.symbol if op else None for op in tape.ops] == [None, None, "*", None, "+"]
    assert tape.parents[2] == (0, 1) and tape.parents[4] == (2, 3)
    assert tape.input_positions == (0, 3)
    assert tape.constants == ((1, 3.0),)


def test_unused_input_gets_zero_gradient():
    assert compile(lambda x, y: x * x).value_and_grad(3.0, 5.0) == (9.0, (6.0, 0.0))


def test_branching_on_data_is_caught_in_check_mode():
    def kinked(x):
        return x * 2.0 if x.data > 0 else x * x

    checked = compile(kinked, check=True)
    assert checked(1.5) == 3.0
    with pytest.raises(TraceMismatchError, match="kinked.*branches on data"):
        checked(-1.0)
    unchecked = compile(kinked)
    unchecked(1.5)
    assert unchecked(-1.0) == -2.0  # documented: replay follows the traced branch
    with pytest.raises(TraceMismatchError):
        compile(kinked, check=True).batch_value_and_grad(np.array([1.0, -1.0]))


def test_replay_outside_the_domain_is_a_domain_error():
    compiled = compile(lambda x: (x - 1.0).log())
    assert compiled(3.0) == pytest.approx(np.log(2.0))
    with pytest.raises(DomainError, match=r"log.*tape position"):
        compiled(0.5)
    with pytest.raises(DomainError, match="log"):
        compiled.batch_value_and_grad(np.array([3.0, 0.5]))


def test_replay_overflow_and_infinite_slopes_are_errors():
    with pytest.raises(OverflowError):
        compile(lambda x: x.exp()).batch_value_and_grad(np.array([1.0, 800.0]))
    with pytest.raises(DomainError, match="pow_const"):
        compile(lambda x: x**0.5).value_and_grad(0.0)


def test_wrong_arguments_are_clear():
    compiled = compile(lambda x, y: x * y)
    compiled(1.0, 2.0)
    with pytest.raises(TypeError, match="takes 2 input"):
        compiled(1.0)
    with pytest.raises(TypeError, match="must return a Value"):
        compile(lambda x: 3.0)(1.0)
    with pytest.raises(TypeError, match="real number"):
        compile(lambda x: x)("1")


def test_closure_values_with_history_are_replayed_as_constants():
    w = Value(2.0) * 3.0
    compiled = compile(lambda x: x * w)
    assert compiled.value_and_grad(4.0) == (24.0, (6.0,))
