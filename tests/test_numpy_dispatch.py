"""HIPS autograd's scalar test cases (tests/test_scalar_ops.py) on Values through numpy.

numpy applies its functions to objects by calling the method of the same name (np.sin(v)
is v.sin()) or Python's operator (np.power(x, y) is x ** y), so Values, dual numbers and
complex-step carriers go through numpy unchanged. Each case is checked as HIPS checks it:
first derivatives against numerical ones, second derivatives (create_graph Hessian against
differences of the gradient) and forward mode against reverse mode, at points in the
domain. np.sinc is left out: numpy's sinc reads `.dtype` of its argument, so it does not
work on Values.
"""

import math

import numpy as np
import pytest

from autograd import Value, grad
from autograd.testing import check_forward_reverse, check_grad, check_second_order

UNARY = {
    # numpy function: points, from HIPS's cases (randn and rand replaced by fixed draws)
    "abs": (1.1, -1.1),
    "absolute": (1.1, -1.1),
    "sin": (0.7, -1.3),
    "sign": (1.1, -1.1),
    "exp": (0.4, -1.2),
    "log": (0.5, 2.3),
    "negative": (0.4, -1.2),
    "cos": (0.7, -2.1),
    "tan": (0.3, -1.1),
    "cosh": (0.6, -1.4),
    "sinh": (0.6, -1.4),
    "tanh": (0.6, -1.4),
    "arccos": (0.1, -0.6),
    "arcsin": (0.1, -0.6),
    "arctan": (0.2, -2.0),
    "arccosh": (1.5, 3.0),
    "arcsinh": (0.5, -1.7),
    "arctanh": (0.2, -0.6),
    "sqrt": (10.0, 0.3),
    "reciprocal": (0.6, -1.4),
    "log2": (0.5, 3.0),
    "log10": (0.5, 3.0),
    "log1p": (0.5, -0.5),
    "expm1": (0.5, -1e-3),
    "exp2": (0.5, -1.2),
    "rad2deg": (0.5, -1.2),
    "deg2rad": (30.0, -75.0),
    "degrees": (0.5, -1.2),
    "radians": (30.0, -75.0),
}

BINARY = {
    # numpy function: (x, y) points with both arguments Values
    "power": ((1.3, 2.1), (0.6, -0.7)),
    "mod": ((0.7, 0.45), (-1.3, 0.8)),
    "divide": ((0.7, 1.9), (-1.3, -0.4)),
    "true_divide": ((0.7, 1.9), (-1.3, -0.4)),
    "multiply": ((0.7, 1.9), (-1.3, -0.4)),
    "arctan2": ((0.7, 1.9), (-1.3, -0.4)),
    "hypot": ((0.7, 1.9), (-1.3, -0.4)),
    "maximum": ((0.3, 1.2), (1.2, 0.3)),
    "minimum": ((0.3, 1.2), (1.2, 0.3)),
}


def check_all_orders(fun, point):
    """HIPS's check_grads(fun): first and second order, forward and reverse mode."""
    check_grad(fun, point)
    check_second_order(fun, point)
    check_forward_reverse(fun, point)


@pytest.mark.parametrize("name, x", [(n, x) for n, xs in UNARY.items() for x in xs])
def test_numpy_unary_function_on_a_value(name, x):
    function = getattr(np, name)

    def fun(x):
        return 3.0 * function(x)

    check_all_orders(fun, [x])


@pytest.mark.parametrize(
    "name, point", [(n, p) for n, points in BINARY.items() for p in points]
)
def test_numpy_binary_function_on_values_in_both_arguments(name, point):
    function = getattr(np, name)

    def fun(x, y):
        return 3.0 * function(x, y)

    check_all_orders(fun, list(point))


@pytest.mark.parametrize("name", ["power", "mod", "divide", "true_divide", "multiply"])
def test_numpy_binary_function_with_a_number_on_either_side(name):
    function = getattr(np, name)
    check_all_orders(lambda x: 3.0 * function(x, 1.7), [0.6])
    check_all_orders(lambda y: 3.0 * function(1.7, y), [0.6])


def test_np_sign_and_abs_are_as_in_hips():
    # np.sign on an object array compares with 0 (a Value compares its data) and gives a plain
    # number, whose derivative is 0, as sign's; abs at its kink takes 0, checked to first order
    assert np.sign(Value(-1.1)) == -1
    check_grad(lambda x: 3.0 * np.abs(x), [0.0])


def test_zero_to_a_power_above_one_is_zero_with_a_zero_derivative():
    for y in (1.5, 2.0):
        out = np.power(0.0, Value(y))
        assert out.data == 0.0 and out.local_grads[1] == 0.0
        check_all_orders(lambda y: 3.0 * np.power(0.0, y), [y])


@pytest.mark.parametrize("y", [0.25, 0.5, 1.0])  # HIPS's test_power_arg1_zero: y = rand()**2
def test_zero_to_a_power_up_to_one_is_zero_with_a_zero_derivative(y):
    out = np.power(0.0, Value(y))
    assert out.data == 0.0
    check_all_orders(lambda y: 3.0 * np.power(0.0, y), [y])


def test_x_to_the_zero_has_derivatives_zero_at_zero():
    # HIPS issue 116: d/dx x ** 0 at x = 0 is 0, and so is the second derivative
    def fun(x):
        return np.power(x, 0.0)

    assert grad(fun)(0.0) == 0.0
    assert grad(grad(fun))(0.0) == 0.0


def test_max_of_values_is_the_larger_value_and_carries_the_gradient():
    a, b = Value(0.3, "a"), Value(1.2, "b")
    assert max(a, b) is b and min(a, b) is a
    (3.0 * max(a, b)).backward()
    assert (a.grad, b.grad) == (0.0, 3.0)
    check_all_orders(lambda a, b: 3.0 * max(a, b), [0.3, 1.2])
    check_all_orders(lambda a, b: 3.0 * max(a, 0.7) * min(b, 2.0), [0.3, 1.2])


def test_sorted_values_carry_their_own_gradients():
    values = [Value(x, name) for x, name in ((0.5, "a"), (-1.0, "b"), (2.0, "c"))]
    assert [v.label for v in sorted(values)] == ["b", "a", "c"]

    def median_times_largest(a, b, c):
        low, middle, high = sorted([a, b, c])
        return middle * high

    check_all_orders(median_times_largest, [0.5, -1.0, 2.0])


def test_branching_on_a_comparison_takes_the_branch_of_the_data():
    def fun(x):
        if x > 0:
            return x * x
        return -3.0 * x

    for x in (0.8, -0.8):
        check_all_orders(fun, [x])
    assert grad(fun)(0.8) == pytest.approx(1.6)
    assert grad(fun)(-0.8) == -3.0
    assert math.isclose(grad(grad(fun))(0.8), 2.0)
