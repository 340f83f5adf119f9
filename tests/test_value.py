"""Value construction, arithmetic with numbers on either side, errors, no_grad, detach."""

import asyncio
import math
import threading

import pytest

import autograd
from autograd import (
    DivisionByZeroError,
    DomainError,
    NumericOverflowError,
    Value,
    is_grad_enabled,
    no_grad,
)


def test_new_value_has_documented_fields():
    v = Value(3, "v")
    assert (v.data, v.grad, v.label, v.op, v.parents, v.local_grads) == (3.0, 0.0, "v", "", (), ())
    assert type(v.data) is float
    assert "3.0" in repr(v) and "'v'" in repr(v)


@pytest.mark.parametrize(
    "expression, value",
    [
        (lambda v: v + 2, 6.0), (lambda v: 2 + v, 6.0), (lambda v: v - 2, 2.0),
        (lambda v: 2 - v, -2.0), (lambda v: v * 3, 12.0), (lambda v: 3 * v, 12.0),
        (lambda v: v / 8, 0.5), (lambda v: 3 / v, 0.75), (lambda v: v**2, 16.0),
        (lambda v: 2**v, 16.0), (lambda v: v ** Value(0.5), 2.0), (lambda v: -v, -4.0),
        (lambda v: +v, 4.0),
    ],
)
def test_arithmetic_with_numbers_on_either_side(expression, value):
    assert expression(Value(4.0)).data == value


def test_reflected_operations_have_the_right_gradients():
    v = Value(4.0)
    (2 - v).backward()
    assert v.grad == -1.0
    w = Value(4.0)
    (3 / w).backward()
    assert w.grad == -3 / 16
    u = Value(3.0)
    (2**u).backward()
    assert u.grad == pytest.approx(8 * math.log(2))
    base, exponent = Value(2.0), Value(3.0)
    (base**exponent).backward()
    assert (base.grad, exponent.grad) == pytest.approx((12.0, 8 * math.log(2)))


@pytest.mark.parametrize("bad", ["3", None, 1 + 2j, True, [1.0], {"a": 1}])
def test_non_numbers_are_type_errors(bad):
    with pytest.raises(TypeError, match="real number"):
        Value(bad, "q")


def test_value_of_a_value_points_to_detach():
    with pytest.raises(TypeError, match="detach"):
        Value(Value(1.0))


def test_label_must_be_text():
    with pytest.raises(TypeError, match="label"):
        Value(1.0, 5)


@pytest.mark.parametrize("bad", ["2", None, 1j, True, [1.0]])
def test_operand_of_wrong_type_is_a_type_error_naming_both_types(bad):
    kind = type(bad).__name__  # str * Value says "can't multiply sequence by ... 'Value'"
    for apply in (lambda v: v + bad, lambda v: bad - v, lambda v: v * bad, lambda v: v**bad,
                  lambda v: bad**v, lambda v: v / bad):
        with pytest.raises(TypeError, match=f"'Value' and '{kind}'|'{kind}' and 'Value'|'Value'"):
            apply(Value(1.0))


def test_a_foreign_number_type_on_the_right_gets_its_turn():
    class Meters:
        def __radd__(self, other):
            return ("Meters.__radd__", other.data)

    assert Value(2.0) + Meters() == ("Meters.__radd__", 2.0)


@pytest.mark.parametrize("x", [0.0, -1.0])
def test_log_outside_domain_names_op_value_and_label(x):
    with pytest.raises(DomainError) as info:
        Value(x, "loss_in").log()
    message = str(info.value)
    assert "log" in message and repr(x) in message and "'loss_in'" in message
    assert isinstance(info.value, ValueError)


def test_division_by_zero_names_labels():
    with pytest.raises(DivisionByZeroError) as info:
        Value(1.0, "num") / Value(0.0, "den")
    assert isinstance(info.value, ZeroDivisionError)
    assert "'num'" in str(info.value) and "'den'" in str(info.value)
    with pytest.raises(ZeroDivisionError):
        1 / Value(0.0)


def test_negative_base_with_fractional_exponent_is_an_error_not_a_complex_number():
    with pytest.raises(DomainError, match=r"negative base.*-8\.0.*'base'"):
        Value(-8.0, "base") ** (1 / 3)
    with pytest.raises(DomainError, match="x > 0"):
        Value(-8.0, "base") ** Value(2.0)
    assert (Value(-2.0) ** 3).data == -8.0


def test_zero_to_a_negative_power_divides_by_zero():
    with pytest.raises(DivisionByZeroError):
        Value(0.0, "z") ** -1


def test_exp_overflow_is_a_clear_overflow_error():
    with pytest.raises(OverflowError, match=r"709\.78.*800\.0.*'big'") as info:
        Value(800.0, "big").exp()
    assert isinstance(info.value, NumericOverflowError)
    with pytest.raises(OverflowError):
        Value(10.0) ** 400


def test_pow_overflow_is_an_overflow_error():
    with pytest.raises(NumericOverflowError, match="overflow"):
        Value(10.0, "x") ** 400


@pytest.mark.parametrize("x", [-1000.0, -50.0, 0.0, 50.0, 1000.0, -1e308, 1e308])
def test_sigmoid_is_finite_for_every_finite_input(x):
    v = Value(x)
    s = v.sigmoid()
    s.backward()
    assert 0.0 <= s.data <= 1.0
    assert math.isfinite(v.grad) and v.grad >= 0.0
    if abs(x) >= 1000:
        assert v.grad == 0.0


def test_sigmoid_is_accurate_in_the_tails():
    assert Value(-700.0).sigmoid().data == pytest.approx(math.exp(-700.0), rel=1e-12)
    assert Value(-30.0).sigmoid().data == pytest.approx(1 / (1 + math.exp(30.0)), rel=1e-14)


def test_relu_gradient_at_zero_is_zero():
    x = Value(0.0)
    x.relu().backward()
    assert x.grad == 0.0


def test_module_functions_take_floats_and_values():
    assert autograd.tanh(0.5) == math.tanh(0.5)
    assert autograd.exp(1.0) == math.exp(1.0)
    assert autograd.log(2.0) == math.log(2.0)
    assert autograd.sigmoid(0.0) == 0.5
    assert autograd.relu(-3) == 0.0
    v = autograd.tanh(Value(0.5))
    assert isinstance(v, Value) and v.op == "tanh"
    with pytest.raises(DomainError, match="log"):
        autograd.log(-1.0)
    with pytest.raises(NumericOverflowError):
        autograd.exp(1000.0)
    with pytest.raises(TypeError, match="tanh"):
        autograd.tanh("0.5")


def test_no_grad_makes_leaves_and_restores_recording():
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = x * 3 + 1
    assert is_grad_enabled()
    assert y.data == 7.0 and y.parents == () and y.op == ""
    z = x * 3
    assert z.parents[0] is x


def test_no_grad_is_restored_after_an_error():
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError("boom")
    assert is_grad_enabled()


def test_no_grad_does_not_leak_into_other_threads():
    seen = []
    inside = threading.Event()
    release = threading.Event()

    def worker():
        inside.wait()
        seen.append(is_grad_enabled())
        seen.append(len((Value(1.0) * 2).parents))
        release.set()

    thread = threading.Thread(target=worker)
    thread.start()
    with no_grad():
        inside.set()
        release.wait(10)
    thread.join()
    assert seen == [True, 2]


def test_no_grad_does_not_leak_between_async_tasks():
    async def quiet():
        with no_grad():
            await asyncio.sleep(0.01)
            return is_grad_enabled()

    async def loud():
        await asyncio.sleep(0.005)
        return is_grad_enabled()

    async def both():
        return await asyncio.gather(quiet(), loud())

    assert asyncio.run(both()) == [False, True]


def test_detach_cuts_the_graph():
    x = Value(2.0, "x")
    y = (x * x).detach()
    assert y.parents == () and y.data == 4.0
    (y * x).backward()
    assert x.grad == 4.0 and y.grad == 2.0


def test_relu_keeps_nan_visible():
    out = Value(float("nan")).relu()
    assert math.isnan(out.data)


def test_constant_powers_keep_their_exact_exponent_in_the_text():
    assert (Value(2.0) ** 2).op == "**2"
    node = Value(2.0) ** 2.0000001
    assert node.op == "**2.0000001"
    assert node.op_record.formulas == ("2.0000001 * x**1.0000000999999998",)
    assert (Value(2.0) ** 0).op_record.formulas == ("0",)


def test_module_functions_wrap_complex_domain_errors():
    with pytest.raises(DomainError):
        autograd.log(0j)
