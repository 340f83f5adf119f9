"""grad, value_and_grad, jacobian, hessian and second derivatives through create_graph."""

import math

import pytest

from autograd import Value, grad, hessian, jacobian, value_and_grad


def _sech2(x):
    return 1 / math.cosh(x) ** 2


SECOND_DERIVATIVES = [
    # f, f'' in closed form, point
    (lambda x: x.tanh(), lambda x: -2 * math.tanh(x) * _sech2(x), 0.7),
    (lambda x: x.sigmoid(),
     lambda x: math.exp(-x) * (math.exp(-x) - 1) / (1 + math.exp(-x)) ** 3, 0.4),
    (lambda x: x.exp(), lambda x: math.exp(x), 1.3),
    (lambda x: x.log(), lambda x: -1 / x**2, 2.5),
    (lambda x: x**3, lambda x: 6 * x, -1.2),
    (lambda x: x**0.5, lambda x: -0.25 * x**-1.5, 3.0),
    (lambda x: 2**x, lambda x: math.log(2) ** 2 * 2**x, 0.9),
    (lambda x: x ** Value(2.5), lambda x: 2.5 * 1.5 * x**0.5, 1.7),
    (lambda x: 1 / x, lambda x: 2 / x**3, 0.8),
]


@pytest.mark.parametrize("f, second, x", SECOND_DERIVATIVES)
def test_second_derivatives_match_closed_forms(f, second, x):
    assert grad(grad(f))(x) == pytest.approx(second(x), rel=1e-10)


def test_third_derivative_by_nesting():
    # d3/dx3 of x**4 is 24x
    assert grad(grad(grad(lambda x: x**4)))(1.5) == pytest.approx(36.0)


def test_grad_returns_floats_for_number_inputs():
    g = grad(lambda x, y: x * y + y, argnums=(0, 1))(2.0, 3.0)
    assert g == (3.0, 3.0)
    assert all(type(v) is float for v in g)
    assert grad(lambda x, y: x * y, argnums=1)(2.0, 3.0) == 2.0


def test_grad_does_not_touch_existing_grads():
    w = Value(2.0)
    w.grad = 5.0
    assert grad(lambda x: x * w)(3.0) == 2.0
    assert w.grad == 5.0


def test_value_and_grad():
    value, g = value_and_grad(lambda x: x.exp() * 2)(0.0)
    assert (value, g) == (2.0, 2.0)


def test_unused_input_gets_zero_and_constant_output_is_allowed():
    assert grad(lambda x, y: x * 2, argnums=(0, 1))(1.0, 1.0) == (2.0, 0.0)
    assert grad(lambda x: 3.0)(1.0) == 0.0


def test_bad_argnums_and_bad_outputs_are_clear():
    with pytest.raises(IndexError, match="argnums 2"):
        grad(lambda x, y: x * y, argnums=2)(1.0, 2.0)
    with pytest.raises(TypeError, match="argnums"):
        grad(lambda x: x, argnums="0")(1.0)
    with pytest.raises(TypeError, match="must return a Value or a number"):
        grad(lambda x: "nope")(1.0)


def test_create_graph_backward_gives_value_gradients():
    x = Value(0.3)
    y = x.tanh()
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value)
    assert x.grad.data == pytest.approx(1 - math.tanh(0.3) ** 2)


def test_jacobian():
    def f(x, y):
        return [x * y, x + y.exp(), x]

    assert jacobian(f, [2.0, 0.0]) == [[0.0, 2.0], [1.0, 1.0], [1.0, 0.0]]


def test_hessian_is_symmetric_and_matches_closed_form():
    def f(x, y):
        return x * x * y + (x * y).tanh()

    x, y = 0.7, -0.4
    t = math.tanh(x * y)
    s = 1 - t * t
    expected = [
        [2 * y - 2 * t * s * y * y, 2 * x + s - 2 * t * s * x * y],
        [2 * x + s - 2 * t * s * x * y, -2 * t * s * x * x],
    ]
    h = hessian(f, [x, y])
    for row, expected_row in zip(h, expected, strict=True):
        assert row == pytest.approx(expected_row, rel=1e-12)
    assert h[0][1] == pytest.approx(h[1][0], rel=1e-15)


def test_grad_of_a_function_that_closes_over_the_outer_variable():
    # d/dx [d/dy x*y*y at y=1] = d/dx [2xy at y=1] = 2; JAX gives the same
    assert grad(lambda x: grad(lambda y: x * y * y)(1.0))(3.0) == 2.0
    assert grad(lambda y: grad(lambda x: x * y)(1.0))(3.0) == 1.0
    assert grad(lambda x: value_and_grad(lambda y: x * y.exp())(0.0)[0])(3.0) == 1.0


def test_transforms_inside_no_grad_are_an_error_not_zeros():
    from autograd import no_grad

    with no_grad():
        with pytest.raises(RuntimeError, match="square inside no_grad"):
            grad(square)(3.0)
        with pytest.raises(RuntimeError, match="no_grad"):
            hessian(lambda x: x * x * x, [2.0])
        with pytest.raises(RuntimeError, match="no_grad"):
            jacobian(lambda x: [x * x], [2.0])


def square(x):
    return x * x


def test_derivatives_of_powers_at_zero():
    assert grad(lambda x: x**0)(0.0) == 0.0
    assert grad(grad(lambda x: x**1))(0.0) == 0.0
    assert grad(grad(grad(lambda x: x**2)))(0.0) == 0.0
    assert grad(grad(lambda x: x**3))(0.0) == 0.0
    assert grad(grad(grad(lambda x: x**3)))(0.0) == 6.0
