"""define_op: one declaration gives an op that floats, Values, duals, replay and viz understand."""

import math

import numpy as np
import pytest

from autograd import Value, define_op, grad, jvp, trace
from autograd.testing import check_forward_reverse, check_grad, check_second_order
from tests.declared_ops import smooth_max, softsign, swish


def _softsign_by_hand(x):
    return x / (1 + abs(x)), 1 / (1 + abs(x)) ** 2


@pytest.mark.parametrize("x", [-2.0, -0.3, 0.7, 3.0])
def test_floats_values_and_duals_agree_with_the_closed_form(x):
    value, derivative = _softsign_by_hand(x)
    assert softsign(x) == pytest.approx(value, rel=1e-15)
    leaf = Value(x, "x")
    out = softsign(leaf)
    out.backward()
    assert (out.data, leaf.grad) == pytest.approx((value, derivative), rel=1e-15)
    assert jvp(softsign, (x,), (1.0,)) == pytest.approx((value, derivative), rel=1e-15)


def test_the_node_records_the_name_and_the_formula():
    out = softsign(Value(0.5, "x"))
    assert out.op == "softsign"
    assert out.op_record.formulas == ("1 / (1 + abs(x))**2",)
    assert out.local_grads == pytest.approx((1 / 2.25,))


def test_second_derivative_through_create_graph():
    # d2/dx2 softsign = -2 sign(x) / (1 + |x|)**3
    assert grad(grad(softsign))(0.5) == pytest.approx(-2 / 1.5**3, rel=1e-12)
    assert grad(grad(softsign))(-0.5) == pytest.approx(2 / 1.5**3, rel=1e-12)


@pytest.mark.parametrize("op", [softsign, swish])
def test_the_checkers_accept_a_declared_op(op):
    f = lambda x: op(x * 1.5) + x  # noqa: E731
    check_grad(f, [0.4], method="richardson")
    check_second_order(f, [0.4])
    check_forward_reverse(f, [-0.8])


def test_a_binary_op_returns_two_partials():
    x, y = Value(0.3, "x"), Value(-0.4, "y")
    out = smooth_max(x, y)
    out.backward()
    total = math.exp(0.3) + math.exp(-0.4)
    assert out.data == pytest.approx(math.log(total))
    assert (x.grad, y.grad) == pytest.approx((math.exp(0.3) / total, math.exp(-0.4) / total))
    check_grad(smooth_max, [0.3, -0.4], method="richardson")


def test_tape_replay_scalar_and_batched():
    traced = trace(lambda x, y: softsign(x) * smooth_max(x, y))
    xs, ys = np.array([0.5, -1.0, 2.0]), np.array([0.1, 0.2, -0.3])
    values, (gx, gy) = traced.batch_value_and_grad(xs, ys)
    for k in range(3):
        value, (dx, dy) = traced.value_and_grad(xs[k], ys[k])
        assert values[k] == pytest.approx(value, rel=1e-14)
        assert (gx[k], gy[k]) == pytest.approx((dx, dy), rel=1e-14)


def test_the_ledger_and_the_stepper_show_the_op(tmp_path):
    from viz import format_steps, stepper_html

    out = softsign(Value(0.5, "x"))
    text = format_steps(out)
    assert "1 / (1 + abs(x))**2" in text and "0.4444" in text
    page = stepper_html(out, tmp_path / "softsign.html")
    assert "softsign" in page.read_text()


@pytest.mark.parametrize(
    "arguments, message",
    [
        (("sin", math.sin, math.cos, "cos(x)"), "'sin' is already an op"),
        (("my op", math.sin, math.cos, "cos(x)"), "must be a Python identifier"),
        (("f", lambda *xs: 0.0, math.cos, "cos(x)"), "1 or 2 positional inputs"),
        (("f", lambda x, y, z: 0.0, math.cos, "cos(x)"), "1 or 2 positional inputs"),
        (("f", math.sin, math.cos, ("cos(x)", "1")), "give 1 formula text"),
        (("f", math.sin, math.cos, "cos(z)"), "uses 'z'"),
        (("f", math.sin, math.cos, "cos(x"), "not a valid expression"),
        (("f", math.sin, lambda x, out, extra: 0.0, "cos(x)"), "derivative must take"),
    ],
)
def test_bad_declarations_are_refused_by_name(arguments, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        define_op(*arguments)


def test_a_bad_domain_is_refused():
    with pytest.raises(ValueError, match="domain"):
        define_op("g", math.sin, math.cos, "cos(x)", domain=[[(1.0, 0.0)]])


def test_a_binary_derivative_must_return_two_partials():
    with pytest.raises(TypeError, match="tuple of 2 partials"):  # found when it is declared
        define_op("bad_pair", lambda x, y: x * y, lambda x, y: y, ("y", "x"))


@pytest.mark.parametrize(
    "keywords, error, message",
    [
        ({"domain": [(0, 1)]}, ValueError, "domain needs, per input"),
        ({"formula": 1}, ValueError, "give 1 formula text"),
        ({"formula": None}, ValueError, "give 1 formula text"),
        ({"derivative": lambda x: None}, TypeError, "the derivative must return a real number"),
        ({"derivative": lambda x: (1.0, 2.0)}, TypeError, "the derivative must return"),
        ({"forward": lambda x: None}, TypeError, "the forward must return a real number"),
    ],
)
def test_malformed_declarations_name_define_op_and_the_problem(keywords, error, message):
    arguments = {"name": "g", "forward": math.sin, "derivative": math.cos, "formula": "cos(x)"}
    arguments.update(keywords)
    with pytest.raises(error, match=message):
        define_op(**arguments)
