"""Forward mode: Dual arithmetic and jvp against derivatives worked out by hand."""

import math

import pytest

import autograd
from autograd import DomainError, jvp
from autograd.forward import Dual


def test_jvp_of_a_product_plus_exp_along_each_axis():
    def f(x, y):
        return x * y + y.exp()

    assert jvp(f, (2.0, 0.5), (1.0, 0.0)) == (2.0 * 0.5 + math.exp(0.5), 0.5)
    expected = (1.0 + math.exp(0.5), 2.0 + math.exp(0.5))
    assert jvp(f, (2.0, 0.5), (0.0, 1.0)) == pytest.approx(expected)


def test_jvp_along_a_mixed_direction_is_the_directional_derivative():
    # d/dt tanh(x*y) along (3, -2) = (1 - tanh(xy)^2) * (y*3 + x*(-2))
    x, y = 0.4, -1.1
    t = math.tanh(x * y)
    _, tangent = jvp(lambda a, b: (a * b).tanh(), (x, y), (3.0, -2.0))
    assert tangent == pytest.approx((1 - t * t) * (y * 3.0 + x * -2.0), rel=1e-14)


@pytest.mark.parametrize(
    "method, x, expected",
    [
        ("exp", 0.3, math.exp(0.3)),
        ("log", 2.5, 1 / 2.5),
        ("tanh", -0.8, 1 - math.tanh(-0.8) ** 2),
        ("sigmoid", 1.2, math.exp(-1.2) / (1 + math.exp(-1.2)) ** 2),
        ("relu", 0.7, 1.0),
        ("relu", -0.7, 0.0),
    ],
)
def test_each_method_has_the_textbook_derivative(method, x, expected):
    out = getattr(Dual(x, 1.0), method)()
    assert out.tangent == pytest.approx(expected, rel=1e-14)


def test_numbers_on_either_side_of_every_operator():
    x = Dual(1.5, 1.0)
    cases = [
        (x + 2, 1.0), (2 + x, 1.0), (x - 2, 1.0), (2 - x, -1.0),
        (x * 3, 3.0), (3 * x, 3.0), (x / 4, 0.25), (3 / x, -3 / 1.5**2),
        (x ** 2, 3.0), (2 ** x, 2**1.5 * math.log(2)), (-x, -1.0), (+x, 1.0),
    ]
    for dual, expected in cases:
        assert dual.tangent == pytest.approx(expected, rel=1e-14)


def test_dual_to_the_power_of_a_dual_uses_both_rules():
    x, y = Dual(1.7, 1.0), Dual(0.6, 1.0)
    out = x**y
    assert out.primal == pytest.approx(1.7**0.6)
    assert out.tangent == pytest.approx(0.6 * 1.7**-0.4 + 1.7**0.6 * math.log(1.7), rel=1e-14)


def test_module_functions_accept_duals():
    assert autograd.tanh(Dual(0.2, 1.0)).tangent == pytest.approx(1 - math.tanh(0.2) ** 2)
    assert autograd.ops.primal(Dual(0.2, 5.0)) == 0.2


def test_constant_output_has_zero_tangent():
    assert jvp(lambda x: 3.0, (1.0,), (1.0,)) == (3.0, 0.0)


def test_log_of_a_negative_dual_raises_the_engines_domain_error():
    with pytest.raises(DomainError, match="log"):
        Dual(-1.0, 1.0).log()


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="one tangent per primal"):
        jvp(lambda x: x, (1.0, 2.0), (1.0,))
    with pytest.raises(TypeError, match="real primal"):
        Dual("1.0")
    with pytest.raises(TypeError, match="cannot combine a Dual with str"):
        Dual(1.0) + "a"
    with pytest.raises(TypeError, match=r"pow \(\*\*\): cannot combine a Dual with str"):
        Dual(1.0) ** "2"
    with pytest.raises(TypeError, match="must return a Dual or a number"):
        jvp(lambda x: [x], (1.0,), (1.0,))


def test_a_value_exponent_is_a_constant_for_a_dual():
    from autograd import Value

    out = Dual(2.0, 1.0) ** Value(3.0)
    assert (out.primal, out.tangent) == (8.0, 12.0)
