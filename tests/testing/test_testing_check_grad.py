"""check_grad, check_second_order and check_forward_reverse: passing reports and failure reports."""

import dataclasses
import itertools

import pytest

from autograd import Value, ops
from autograd.ops import step
from autograd.testing import (
    GradientMismatch,
    NumericallyUnreliable,
    check_forward_reverse,
    check_grad,
    check_second_order,
)


def neuron(w, x, b):
    return (w * x + b).tanh()


def with_rule(monkeypatch, name, rule, *methods):
    """Make Value's methods (or operators) for op `name` build nodes with another rule."""
    row = ops.BY_NAME[name]
    mutant = dataclasses.replace(row, rule=rule)
    for method in methods or (name,):
        if row.arity == 1:
            monkeypatch.setattr(Value, method, lambda self: self._unary(mutant))
        else:
            monkeypatch.setattr(Value, method, lambda self, other: self._binary(mutant, other))
    return mutant


def test_passing_report_names_inputs_after_the_functions_parameters():
    report = check_grad(neuron, [0.5, -1.2, 0.3])
    assert report.passed
    assert report.method == "complex_step"
    assert [row.name for row in report.rows] == ["w", "x", "b"]
    assert "gradient check passed for neuron at (w=0.5, x=-1.2, b=0.3)" in str(report)


def test_auto_falls_back_to_richardson_when_f_cannot_run_on_complex_numbers():
    def branches_on_data(x):
        return x.tanh() if x.data > 0 else -x  # the complex-step carrier has no .data

    report = check_grad(branches_on_data, [1.5])
    assert report.method.startswith("richardson (complex step impossible: AttributeError")


def test_a_dependency_hidden_from_the_graph_is_a_mismatch():
    def uses_float(x):
        return x * x.data  # x.data is a constant to backprop: analytic 1.5, true 3.0

    with pytest.raises(GradientMismatch, match="<< mismatch"):
        check_grad(uses_float, [1.5], method="richardson")


def test_a_function_whose_gradient_changes_between_builds_is_reported():
    calls = itertools.count()

    def drifting(x):
        return x * (1.0 + next(calls))

    with pytest.raises(GradientMismatch, match="rebuilding and backpropagating again"):
        check_grad(drifting, [2.0])


def test_an_unused_input_with_a_gradient_is_reported():
    def pokes_grad(x, unused):
        unused.grad = 1.0
        return x * x

    with pytest.raises(GradientMismatch, match="input unused is not used by the function"):
        check_grad(pokes_grad, [2.0, 3.0])


def test_unreliable_numerics_raise_their_own_error_not_a_mismatch():
    # log is undefined a step below 1e-9, and no node there has a kink to explain it
    with pytest.raises(NumericallyUnreliable, match="undefined within"):
        check_grad(lambda x: x.log(), [1e-9], method="richardson")


def test_given_names_override_and_must_match_the_inputs():
    report = check_grad(lambda *xs: xs[0] * xs[1], [2.0, 3.0], names=["a", "b"])
    assert [row.name for row in report.rows] == ["a", "b"]
    with pytest.raises(ValueError, match="got 1 names for 2 inputs"):
        check_grad(lambda a, b: a * b, [2.0, 3.0], names=["a"])


def test_variadic_functions_get_numbered_names():
    report = check_grad(lambda *xs: xs[0] * xs[1], [2.0, 3.0])
    assert [row.name for row in report.rows] == ["x0", "x1"]


def test_function_returning_a_constant_has_zero_gradient():
    report = check_grad(lambda x: 4.0, [1.0])
    assert report.rows[0].analytic == 0.0 and report.rows[0].numeric == 0.0


def test_function_returning_something_else_is_a_type_error():
    with pytest.raises(TypeError, match="must return a Value or a number"):
        check_grad(lambda x: [x], [1.0])


def test_second_order_passes_and_lists_every_hessian_entry():
    report = check_second_order(neuron, [0.5, -1.2, 0.3])
    assert [row.name for row in report.rows][:3] == ["dw dw", "dw dx", "dw db"]
    assert len(report.rows) == 9


def test_second_order_catches_a_wrong_second_derivative(monkeypatch):
    check_second_order(neuron, [0.5, -1.2, 0.3])

    # tanh's rule is right on floats but, on Values (create_graph), forgets that out depends on x.
    def rule(x, out):
        if isinstance(out, Value):
            return (1.0 - out.detach() * out.detach(),)
        return (1.0 - out * out,)

    with_rule(monkeypatch, "tanh", rule)
    with pytest.raises(GradientMismatch, match="second-order check FAILED"):
        check_second_order(neuron, [0.5, -1.2, 0.3])


def test_forward_reverse_agree_on_a_neuron():
    report = check_forward_reverse(neuron, [0.5, -1.2, 0.3])
    assert report.passed and len(report.rows) == 3


def test_mismatch_message_is_a_table_with_everything_needed_to_reproduce(monkeypatch):
    check_grad(neuron, [0.5, -1.2, 0.3])
    with_rule(monkeypatch, "mul", lambda x, y, out: (y, y), "__mul__")
    with pytest.raises(GradientMismatch) as caught:
        check_grad(neuron, [0.5, -1.2, 0.3])
    message = str(caught.value)
    lines = message.splitlines()
    assert lines[0] == "gradient check FAILED for neuron at (w=0.5, x=-1.2, b=0.3)"
    assert lines[1].startswith("method: complex_step, step: 1e-20, atol=1e-06, rtol=1e-06")
    assert lines[2].split() == ["input", "value", "analytic", "numeric", "abs", "error", "rel",
                                "error"]
    assert lines[3].startswith("w") and not lines[3].endswith("<< mismatch")
    assert lines[4].startswith("x") and lines[4].endswith("<< mismatch")
    assert caught.value.report.rows[1].name == "x"
    assert isinstance(caught.value, AssertionError)


# Kinks: differences straddling relu's 0 or a tie of maximum estimate nothing. There the
# checkers accept a one-sided derivative or the average of the two, and quote the row's
# convention; a value matching no side is still a failure, and says a kink is involved.

KINKED = [
    (lambda x: x.relu() * 2.0, [0.0], "relu"),
    (lambda x: abs(x) + x.sin(), [0.0], "abs"),
    (lambda x: x.sign() * 3.0 + x, [0.0], "sign"),
    (lambda a, b: a.maximum(b) * a, [0.3, 0.3], "maximum"),
    (lambda x: x.clip(-1.0, 1.0) * x, [1.0], "clip"),
    (lambda x: (x * x - 0.25).relu() + x, [0.5], "relu"),  # the node is at 0, the leaf is not
]


@pytest.mark.parametrize("method", ["auto", "richardson", "central"])
@pytest.mark.parametrize("f, point, name", KINKED, ids=[case[2] for case in KINKED])
def test_a_kink_at_the_point_is_no_false_failure_and_the_report_quotes_its_convention(
    f, point, name, method
):
    report = check_grad(f, point, method=method)
    notes = "\n".join(report.notes)
    assert f"{name}" in notes and "is at its kink" in notes
    assert ops.BY_NAME[name].kink in notes


def test_near_a_kink_richardson_no_longer_gives_up_and_says_which_side_matched():
    report = check_grad(lambda x: x.relu(), [1e-9], method="richardson")
    assert report.rows[0].numeric == pytest.approx(1.0)
    assert "matches the right-hand derivative" in report.notes[0]
    assert "(one-sided differences near kinks)" in report.method


def test_a_derivative_matching_no_side_of_the_kink_fails_and_mentions_the_kink(monkeypatch):
    def f(x):
        return x.relu() * 2.0

    check_grad(f, [0.0])
    with_rule(monkeypatch, "relu", lambda x, out: (step(x, 0.0, at_tie=0.7),))
    check_grad(f, [1.0])  # away from the kink the mutant is right
    with pytest.raises(GradientMismatch) as caught:
        check_grad(f, [0.0])
    message = str(caught.value)
    assert "gradient check FAILED" in message and message.count("<< mismatch") == 1
    assert "problem: x: relu of 0 is at its kink: at x = 0 the derivative is taken as 0" in message
    assert "analytic 1.4 matches none of the one-sided differences there" in message
    assert "the left-hand derivative 0, the right-hand derivative 2, the average of the two 1" in (
        message)


def test_a_wrong_derivative_beside_a_kink_is_still_caught(monkeypatch):
    f = lambda x: x.relu()  # noqa: E731
    check_grad(f, [1e-9], method="richardson")
    with_rule(monkeypatch, "relu", lambda x, out: (2.0 * step(x),))
    with pytest.raises(GradientMismatch, match="relu of 1e-09 is (at|near) its kink"):
        check_grad(f, [1e-9], method="richardson")


def test_a_smooth_wrong_derivative_far_from_any_kink_gets_no_kink_excuse(monkeypatch):
    f = lambda x: x.relu() + x.tanh()  # noqa: E731
    with_rule(monkeypatch, "tanh", lambda x, out: (1.0 - out,))
    with pytest.raises(GradientMismatch) as caught:
        check_grad(f, [0.7])
    assert "kink" not in str(caught.value)


@pytest.mark.parametrize(
    "f, name", [(lambda x: x.relu() * x, "relu"), (lambda x: abs(x) * x, "abs")]
)
def test_second_order_at_a_kink_uses_one_sided_differences_of_the_gradient(f, name):
    report = check_second_order(f, [0.0])
    assert report.rows[0].analytic == 0.0
    assert f"{name} of 0 is at its kink" in report.notes[0]


def test_second_order_still_fails_at_a_kink_when_no_side_matches(monkeypatch):
    def f(x):
        return abs(x)

    check_second_order(f, [0.0])

    def rule(x, out):  # right on floats; on Values its own derivative is 1 instead of 0
        return (ops.sign(x) + x,) if isinstance(x, Value) else (ops.sign(x),)

    with_rule(monkeypatch, "abs", rule, "__abs__")
    check_grad(f, [0.0])
    with pytest.raises(GradientMismatch, match="abs of 0 is at its kink.*matches none"):
        check_second_order(f, [0.0])


def test_kinks_in_a_graph_know_their_distance_and_how_fast_each_leaf_moves_them():
    from autograd.testing.kinks import kinks_in

    x, y = Value(1.0, "x"), Value(-2.5, "y")
    h = 3.0 * x + y
    h.label = "h"
    out = h.relu() * x.tanh() + x.maximum(y)
    relu, maximum = kinks_in(out, [x, y])
    assert (relu.op.name, relu.inputs, relu.distance, relu.sensitivity) == (
        "relu", (0.5,), 0.5, (3.0, 1.0))
    assert (maximum.distance, maximum.sensitivity) == (3.5, (1.0, 1.0))
    assert relu.near(0, 0.05) and not relu.near(1, 0.05) and not relu.at_kink
    assert kinks_in(x.tanh() * y, [x, y]) == []
    # u * u at u = 0 does not move to first order, but it does move: its rate counts as 1
    (touching,) = kinks_in((x - 1.0) * (x - 1.0) * y.relu(), [x, y])
    assert touching.sensitivity == (0.0, 1.0)
    (stationary,) = kinks_in(((x - 1.0) * (x - 1.0)).relu() + y, [x, y])
    assert stationary.sensitivity == (1.0, 0.0) and stationary.at_kink


def test_where_several_kinks_meet_their_composed_conventions_are_unreliable_not_a_mismatch():
    # relu(x) - relu(-x) is x, yet the conventions at 0 give it slope 0 - 0
    def odd(x):
        return x.relu() - (-x).relu()

    check_grad(odd, [0.5])
    with pytest.raises(NumericallyUnreliable, match="x: 2 kinks meet at this point"):
        check_grad(odd, [0.0])
