"""numerical_grad's three methods against derivatives worked out by hand."""

import math

import pytest

from autograd.testing import ComplexCarrier, NumericallyUnreliable, numerical_grad
from autograd.testing.numerical import numerical_estimates

METHODS = ["central", "richardson", "complex_step"]
CENTRAL_REL = 1e-8
RICHARDSON_REL = 1e-10
COMPLEX_REL = 1e-15
TOLERANCE = {"central": CENTRAL_REL, "richardson": RICHARDSON_REL, "complex_step": COMPLEX_REL}


@pytest.mark.parametrize("method", METHODS)
def test_known_gradients(method):
    def f(x, y):
        return (x * y).tanh() + x.exp() / y

    x, y = 0.3, 1.7
    t = math.tanh(x * y)
    expected = [(1 - t * t) * y + math.exp(x) / y, (1 - t * t) * x - math.exp(x) / y**2]
    got = numerical_grad(f, [x, y], method=method)
    assert got == pytest.approx(expected, rel=TOLERANCE[method])


@pytest.mark.parametrize("method", METHODS)
def test_large_inputs_use_a_step_scaled_to_the_input(method):
    # d/dx x**3 at 1e6 is 3e12; an unscaled step of ~6e-6 would be lost in rounding.
    got = numerical_grad(lambda x: x**3, [1e6], method=method)
    assert got[0] == pytest.approx(3e12, rel=TOLERANCE[method])


def test_complex_step_is_exact_for_a_polynomial():
    got = numerical_grad(lambda x: x * x * x - 2 * x, [1.5], method="complex_step")
    assert got[0] == pytest.approx(3 * 1.5**2 - 2, rel=1e-15)


def test_richardson_shrinks_its_step_near_a_domain_edge():
    got = numerical_grad(lambda x: x.log(), [1e-3], method="richardson")
    assert got[0] == pytest.approx(1000.0, rel=1e-9)


def test_richardson_says_unreliable_at_a_kink_instead_of_reporting_a_number():
    with pytest.raises(NumericallyUnreliable, match="numerically unreliable here"):
        numerical_grad(lambda x: x.relu(), [1e-9], method="richardson")


def test_unreliable_when_the_function_is_undefined_one_step_away():
    with pytest.raises(NumericallyUnreliable, match="undefined within"):
        numerical_grad(lambda x: x.log(), [1e-9], method="richardson")


def test_richardson_at_a_kink_far_from_the_point_is_fine():
    assert numerical_grad(lambda x: x.relu(), [1e-4], method="richardson") == [1.0]


def test_estimates_report_their_step():
    central, = numerical_estimates(lambda x: x * x, [2.0], method="central")
    assert 0 < central.step < 1e-4
    complex_step, = numerical_estimates(lambda x: x * x, [2.0], method="complex_step")
    assert complex_step.step == 1e-20


def test_inputs_may_be_values_and_unused_inputs_get_zero():
    from autograd import Value

    assert numerical_grad(lambda x, y: 2 * x, [Value(1.0), 5], method="complex_step") == [2.0, 0.0]


def test_bad_method_and_bad_input_are_named():
    with pytest.raises(ValueError, match="unknown method 'forward'"):
        numerical_grad(lambda x: x, [1.0], method="forward")
    with pytest.raises(TypeError, match="input 0 must be a real number"):
        numerical_grad(lambda x: x, ["1"])


def test_complex_carrier_evaluates_through_the_op_table():
    z = ComplexCarrier(complex(0.5, 1e-20))
    out = (2 - z).tanh() * z.exp() + z ** 2 / (1 + z.sigmoid()) - z.log()
    x = 0.5
    sigmoid = 1 / (1 + math.exp(-x))
    expected_real = math.tanh(2 - x) * math.exp(x) + x**2 / (1 + sigmoid) - math.log(x)
    assert out.primal == pytest.approx(expected_real, rel=1e-15)
    with pytest.raises(TypeError, match="cannot combine a complex-step carrier with str"):
        z + "a"


def test_richardson_sees_a_symmetric_kink_that_central_differences_miss():
    # (relu(h) - relu(-h)) / 2h is 0.5 at every h, so the extrapolation is self-consistent;
    # the second differences (1/h, 2/h, ...) give the kink away.
    assert numerical_grad(lambda x: x.relu(), [0.0], method="central") == [0.5]
    with pytest.raises(NumericallyUnreliable, match="has a kink"):
        numerical_grad(lambda x: x.relu(), [0.0], method="richardson")


@pytest.mark.parametrize(
    "f, x, expected",
    [
        (lambda x: x**4, 0.0, 0.0),
        (lambda x: (40 * x).tanh(), 0.01, 40 * (1 - math.tanh(0.4) ** 2)),
        (lambda x: x ** -1.5, 0.2, -1.5 * 0.2**-2.5),
        (lambda x: x.exp(), 30.0, math.exp(30.0)),
    ],
)
def test_smooth_functions_with_large_or_vanishing_curvature_are_not_called_kinks(f, x, expected):
    assert numerical_grad(f, [x], method="richardson")[0] == pytest.approx(expected, rel=1e-8,
                                                                           abs=1e-9)


def _real(f):
    from autograd.testing.numerical import real_function

    return real_function(f)


@pytest.mark.parametrize(
    "f, x, below, above",
    [
        (lambda x: x.relu(), 0.0, 0.0, 1.0),  # a kink: the two one-sided derivatives
        (lambda x: abs(x) * x.exp(), 0.0, -1.0, 1.0),
        (lambda x: x.sign() + x.sin(), 0.0, 1.0, 1.0),  # a jump: the limits of the derivative
        (lambda x: (3 * x).sin(), 1.3, 3 * math.cos(3.9), 3 * math.cos(3.9)),  # smooth
    ],
)
def test_one_sided_differences_never_look_across_the_point(f, x, below, above):
    from autograd.testing.numerical import one_sided

    left = one_sided(_real(f), "f", [x], 0, -1)
    right = one_sided(_real(f), "f", [x], 0, 1)
    assert (left.value, right.value) == pytest.approx((below, above), rel=1e-8, abs=1e-9)
    assert left.error < 1e-8 and right.error < 1e-8
    assert 0 < left.step < 1e-3


def test_one_sided_differences_say_unreliable_where_that_side_is_undefined():
    from autograd.testing.numerical import one_sided

    assert one_sided(_real(lambda x: x.log()), "log", [0.0], 0, 1).value > 1e3  # 1/x blows up
    with pytest.raises(NumericallyUnreliable, match="undefined within .* below input 0"):
        one_sided(_real(lambda x: x.log()), "log", [0.0], 0, -1)
    with pytest.raises(ValueError, match="side must be 1 or -1"):
        one_sided(_real(lambda x: x), "x", [0.0], 0, 0)


def test_stencil_radius_is_how_far_each_method_looks():
    from autograd.testing.numerical import RICHARDSON_FIRST_STEP, stencil_radius

    assert stencil_radius("complex_step", 5.0) == 0.0
    assert stencil_radius("richardson", 0.5) == RICHARDSON_FIRST_STEP
    assert stencil_radius("richardson", -8.0) == 8 * RICHARDSON_FIRST_STEP
    assert 0 < stencil_radius("central", 1.0) < 1e-4
    with pytest.raises(ValueError, match="unknown method 'forward'"):
        stencil_radius("forward", 1.0)
