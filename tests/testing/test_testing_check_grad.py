"""check_grad, check_second_order and check_forward_reverse: passing reports and failure reports."""

import itertools

import pytest

from autograd import Value
from autograd.testing import (
    GradientMismatch,
    NumericallyUnreliable,
    check_forward_reverse,
    check_grad,
    check_second_order,
)


def neuron(w, x, b):
    return (w * x + b).tanh()


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
        return x * float(x)  # float(x) is a constant to backprop: analytic 1.5, true 3.0

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
    with pytest.raises(NumericallyUnreliable):
        check_grad(lambda x: x.relu(), [1e-9], method="richardson")


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
    import dataclasses

    from autograd import ops

    # tanh's rule is right on floats but, on Values (create_graph), forgets that out depends on x.
    def rule(x, out):
        if isinstance(out, Value):
            return (1.0 - out.detach() * out.detach(),)
        return (1.0 - out * out,)

    monkeypatch.setattr(ops, "TANH", dataclasses.replace(ops.TANH, rule=rule))
    with pytest.raises(GradientMismatch, match="second-order check FAILED"):
        check_second_order(neuron, [0.5, -1.2, 0.3])


def test_forward_reverse_agree_on_a_neuron():
    report = check_forward_reverse(neuron, [0.5, -1.2, 0.3])
    assert report.passed and len(report.rows) == 3


def test_mismatch_message_is_a_table_with_everything_needed_to_reproduce(monkeypatch):
    import dataclasses

    from autograd import ops

    monkeypatch.setattr(ops, "MUL", dataclasses.replace(ops.MUL, rule=lambda x, y, out: (y, y)))
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
