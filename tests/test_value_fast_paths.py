"""Value's hot-path methods agree with the general path they stand in for, row by row."""

import pytest

from autograd import Value, ops
from autograd.value import Constant

ROWS = [row for row in ops.ROWS if not row.parameters]


def midpoint(intervals):
    lo, hi = intervals[0]
    return lo + 0.37 * (hi - lo)


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_each_method_records_its_row_and_inputs_and_the_row_forward(row):
    args = [Value(midpoint(d)) for d in row.input_domain()]
    for name in (row.name, *row.aliases):
        out = getattr(args[0], name)(*args[1:])
        assert out.op_record is row
        assert out.parents == tuple(args)
        assert out.data == float(row.forward(*(a.data for a in args)))
        general = args[0]._unary(row) if row.arity == 1 else args[0]._binary(row, args[1])
        assert general.data == out.data


@pytest.mark.parametrize("row", [r for r in ROWS if r.arity == 2 and r.dunders],
                         ids=lambda row: row.name)
def test_a_number_on_either_side_becomes_a_constant_leaf(row):
    x_domain, y_domain = row.input_domain()
    x, y = midpoint(x_domain), midpoint(y_domain)
    for number in (y, int(round(y)) or 1):
        if row.name in ("mod", "div") and number == 0:
            continue
        left = getattr(Value(x), row.dunders[0])(number)
        assert type(left._second) is Constant and left._second.data == float(number)
        right = getattr(Value(x), row.dunders[1])(number)
        assert type(right._first) is Constant and right._first.data == float(number)
        assert right.data == row.forward(float(number), x)


def test_an_inf_or_nan_result_goes_through_the_numeric_policy():
    from autograd.errors import DomainError

    big = Value(1e300)
    with pytest.raises((DomainError, OverflowError)):
        big * 1e300
    with pytest.raises(DomainError):
        Value(1.0) / 0.0


def test_operands_the_hot_path_does_not_know_still_work():
    import fractions

    x = Value(0.5)
    assert (x + fractions.Fraction(1, 4)).data == 0.75
    assert (x * 2).data == 1.0
    with pytest.raises(TypeError):
        x + "a"
    with pytest.raises(TypeError):
        x * True


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_each_row_forward_returns_a_float_on_floats(row):
    # Value's hot path stores the forward's result as .data without a type check.
    for position in (0.05, 0.37, 0.93):
        args = []
        for intervals in row.input_domain():
            lo, hi = intervals[-1]
            args.append(lo + position * (hi - lo))
        assert type(row.forward(*args)) is float


def test_a_result_just_inside_the_float_range_is_kept():
    import sys

    largest = Value(sys.float_info.max)
    assert (largest * 1.0).data == sys.float_info.max
    assert (-largest * 1.0).data == -sys.float_info.max
