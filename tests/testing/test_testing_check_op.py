"""check_op: every op of the table proves its rule and formula text; so do declared ops.

Each failing case first shows the correct op passing, so every test here can fail.
"""

import dataclasses
import math

import pytest

from autograd import define_op, exp, ops
from autograd.forward import Dual
from autograd.ops import step
from autograd.testing import GradientMismatch, OpCheckReport, OpMismatch, check_op
from autograd.testing.op_checks import CHECKS, concrete_ops, kink_points
from tests.declared_ops import smooth_max, softsign, softsign_derivative, softsign_forward, swish

EXAMPLES = 15

@pytest.mark.parametrize("op", ops.TABLE, ids=lambda op: op.symbol)
def test_every_op_of_the_table_passes_check_op(op):
    report = check_op(op, examples=EXAMPLES)
    assert report.checked == (op.symbol,) and report.examples == (EXAMPLES,)


def _tie_max(formulas):
    return define_op(
        "tie_max", lambda x, y: max(x, y), lambda x, y: (step(x, y, 0.5), step(y, x, 0.5)),
        formulas,
        domain=[[(-4.0, -1.0), (1.0, 4.0)], [(-0.5, 0.5)]],
        kink="at x = y each input gets half the gradient", kink_distance=lambda x, y: abs(x - y),
    )


def test_a_formula_text_that_parts_from_the_rule_only_at_a_kink_is_caught_there():
    fixed = _tie_max(("1 if x > y else (0.5 if x >= y else 0)",
                      "1 if y > x else (0.5 if y >= x else 0)"))
    report = check_op(fixed, examples=EXAMPLES)
    assert any("tie_max of (0, 0) is at its kink" in k for k in report.notes)
    with pytest.raises(GradientMismatch) as caught:  # the formula text of ops.maximum
        check_op(_tie_max(("1 if x > y else 0", "1 if y > x else 0")), examples=EXAMPLES)
    mismatch = caught.value.report
    x, y = _point(mismatch)
    assert x == y and mismatch.check == "formula text vs rule"
    assert (mismatch.actual, mismatch.expected) == (0.0, 0.5)


def test_a_row_with_parameters_is_checked_at_each_sample():
    report = check_op(ops.clip, examples=5)
    assert report.checked == ("clip(-1, 1)", "clip(0, 2)")
    assert report.op == "clip" and report.examples == (5, 5)
    assert any("clip(-1, 1) of 1 is at its kink" in k and "as PyTorch's clamp" in k
               for k in report.notes)
    assert check_op(ops.BY_NAME["leaky_relu"].bind(0.3), examples=5).checked == (
        "leaky_relu(0.3)",)


def test_check_op_takes_functions_rows_and_bound_ops_only():
    assert concrete_ops(ops.sin.op) == [ops.BY_NAME["sin"]]
    assert check_op(ops.sin, examples=5).methods == ("complex step",)
    assert check_op(ops.BY_NAME["floor"], examples=5).methods == ("Richardson",)
    with pytest.raises(TypeError, match="takes an op function"):
        check_op(math.sin)
    with pytest.raises(ValueError, match="has no samples"):
        check_op(dataclasses.replace(ops.BY_NAME["clip"], samples=()))
    with pytest.raises(ValueError, match="examples must be a positive int"):
        check_op(ops.sin, examples=0)


@pytest.mark.parametrize("fn", [softsign, swish, smooth_max], ids=["softsign", "swish", "max"])
def test_declared_ops_pass(fn):
    report = check_op(fn, examples=50)
    assert isinstance(report, OpCheckReport) and report.passed
    assert report.checked == (fn.op.name,) and report.examples == (50,)
    assert report.methods == ("Richardson",)  # no complex forward was declared
    assert report.checks == CHECKS
    assert str(report).startswith(f"check_op passed for {fn.op.name}\n")


def test_where_richardson_fails_on_a_smooth_enough_op_one_sided_differences_judge():
    # softsign is once differentiable at 0, not twice: Richardson's extrapolation fails
    # there (no kink is declared), differences from either side still see slope 1.
    report = check_op(softsign, examples=50)
    assert report.one_sided[0] > 0 and report.notes == ()
    assert f"({report.one_sided[0]} judged by one-sided differences)" in str(report)
    assert check_op(swish, examples=50).one_sided == (0,)


def test_a_formula_text_may_be_undefined_at_a_declared_kink_but_nowhere_else():
    def declare(**kink):
        return define_op("abs_again", abs, lambda x: ops.sign(x), "x / abs(x)", **kink)

    report = check_op(declare(kink="at x = 0 the derivative is taken as 0", kink_distance=abs),
                      examples=20)
    assert any("the formula text 'x / abs(x)' is undefined at (x=0.0), a kink of abs_again" in n
               and "the rule takes 0.0: at x = 0 the derivative is taken as 0" in n
               for n in report.notes)
    with pytest.raises(GradientMismatch, match="formula 'x / abs\\(x\\)' for d out / dx raised"):
        check_op(declare(), examples=20)  # no kink declared: x = 0 is an ordinary point


def _point(mismatch):
    return [float(part.split("=")[1]) for part in mismatch.point.strip("()").split(", ")]


def test_a_wrong_derivative_fails_at_a_shown_point_with_both_numbers():
    wrong = define_op("softsign_wrong", softsign_forward, lambda x: 1 / (1 + abs(x)),
                      "1 / (1 + abs(x))")
    with pytest.raises(GradientMismatch) as caught:
        check_op(wrong, examples=50)
    message, mismatch = str(caught.value), caught.value.report
    assert isinstance(mismatch, OpMismatch) and mismatch.op == "softsign_wrong"
    assert message.startswith(f"check_op FAILED for softsign_wrong at {mismatch.point}: "
                              "rule vs numerical differentiation of the forward (Richardson)")
    (x,) = _point(mismatch)
    assert x != 0.0  # where 1 / (1 + |x|) and its square agree there is nothing to find
    assert mismatch.actual == pytest.approx(1 / (1 + abs(x)))
    assert mismatch.expected == pytest.approx(softsign_derivative(x), rel=1e-6)
    assert f"d out / dx: the rule gives {mismatch.actual!r}, Richardson" in message


def test_the_failing_point_is_the_same_on_every_run():
    wrong = define_op("softsign_wrong", softsign_forward, lambda x: 1 / (1 + abs(x)),
                      "1 / (1 + abs(x))")
    points = set()
    for _ in range(2):
        with pytest.raises(GradientMismatch) as caught:
            check_op(wrong, examples=50, seed=3)
        points.add(caught.value.report.point)
    assert len(points) == 1


def test_a_right_derivative_with_a_wrong_formula_text_fails_naming_the_formula():
    wrong_text = define_op("softsign_text", softsign_forward, softsign_derivative,
                           "1 / (1 + abs(x))")
    with pytest.raises(GradientMismatch) as caught:
        check_op(wrong_text, examples=50)
    mismatch = caught.value.report
    assert mismatch.check == "formula text vs rule"
    assert "the formula text '1 / (1 + abs(x))' gives" in str(caught.value)
    (x,) = _point(mismatch)
    assert (mismatch.actual, mismatch.expected) == pytest.approx(
        (1 / (1 + abs(x)), softsign_derivative(x)))


def test_a_wrong_row_of_the_table_fails_too():
    tanh = ops.BY_NAME["tanh"]
    check_op(tanh, examples=5)
    with pytest.raises(GradientMismatch, match="rule vs numerical .*complex step"):
        check_op(dataclasses.replace(tanh, rule=lambda x, out: (1.0 - out,)), examples=5)
    sin = ops.BY_NAME["sin"]
    with pytest.raises(GradientMismatch, match="formula text 'sin\\(x\\)' gives"):
        check_op(dataclasses.replace(sin, formulas=("sin(x)",)), examples=5)
    with pytest.raises(GradientMismatch, match="formula 0 'cos\\(x' does not parse"):
        check_op(dataclasses.replace(sin, formulas=("cos(x",)), examples=5)


def test_a_binary_op_with_a_wrong_second_partial_fails_naming_y():
    wrong = define_op(
        "smooth_max_wrong",
        lambda x, y: math.log(math.exp(x) + math.exp(y)),
        lambda x, y, out: (exp(x - out), exp(x - out)),
        ("exp(x - out)", "exp(x - out)"),
    )
    with pytest.raises(GradientMismatch, match="d out / dy: the rule gives"):
        check_op(wrong, examples=50)


def test_a_derivative_that_only_works_on_floats_fails():
    floats_only = define_op("sine", math.sin, lambda x: math.cos(x), "cos(x)")
    with pytest.raises(GradientMismatch) as caught:
        check_op(floats_only, examples=20)
    assert caught.value.report.check == CHECKS[2]  # math.cos(Value) raises TypeError
    assert "cannot become a plain float" in str(caught.value)
    reads_data = define_op("sine", math.sin, lambda x: ops.cos(ops.primal(x)), "cos(x)")
    with pytest.raises(GradientMismatch) as caught:
        check_op(reads_data, examples=20)
    assert caught.value.report.check == CHECKS[3]
    assert "d2 out / dx dx: create_graph gives 0.0" in str(caught.value)
    check_op(define_op("sine", math.sin, lambda x: ops.cos(x), "cos(x)"), examples=20)


def test_a_derivative_that_differs_on_values_fails():
    def derivative(x):
        return math.cos(x) if isinstance(x, float) else 2 * ops.cos(x)

    two_faced = define_op("sine", math.sin, derivative, "cos(x)")
    with pytest.raises(GradientMismatch, match="rule on Values vs rule on floats"):
        check_op(two_faced, examples=20)


def test_broken_forward_mode_is_caught(monkeypatch):
    check_op(softsign, examples=5)
    apply = Dual._apply

    def doubled(self, op, *args):
        out = apply(self, op, *args)
        return Dual(out.primal, 2.0 * out.tangent)

    monkeypatch.setattr(Dual, "_apply", doubled)
    with pytest.raises(GradientMismatch, match="forward mode \\(jvp\\) vs rule"):
        check_op(softsign, examples=5)


def _relu(x):
    return x if x > 0 else 0.0


def test_a_declared_kink_is_checked_against_both_sides_and_quoted():
    kinked = define_op("kinked", _relu, lambda x: step(x), "1 if x > 0 else 0",
                       kink="at x = 0 the derivative is taken as 0", kink_distance=abs)
    assert kink_points(kinked.op) == [(0.0,)]
    report = check_op(kinked, examples=20)
    assert report.notes == ("x: kinked of 0 is at its kink: at x = 0 the derivative is taken "
                            "as 0; analytic 0 matches the left-hand derivative (0)",)
    assert "note: x: kinked of 0" in str(report)


def test_a_convention_matching_no_side_of_the_kink_fails_mentioning_it():
    odd = define_op("odd_kink", _relu, lambda x: step(x, 0.0, at_tie=0.7),
                    "1 if x > 0 else (0.7 if x >= 0 else 0)",
                    kink="at x = 0 the derivative is taken as 0.7", kink_distance=abs)
    with pytest.raises(GradientMismatch) as caught:
        check_op(odd, examples=20)
    message = str(caught.value)
    assert caught.value.report.point == "(x=0.0)"
    assert "odd_kink of 0 is at its kink: at x = 0 the derivative is taken as 0.7" in message
    assert "matches none of the one-sided differences" in message
