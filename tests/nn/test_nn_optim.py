"""SGD and Adam against hand-computed steps; bad gradients and settings."""

import math

import pytest

from autograd import Value
from nn import optim


def param(data, grad, label="w"):
    v = Value(data, label)
    v.grad = grad
    return v


def test_sgd_plain_step():
    w = param(1.0, 0.5)
    optim.SGD([w], lr=0.1).step()
    assert w.data == 1.0 - 0.1 * 0.5


def test_sgd_momentum_over_two_steps():
    w = param(1.0, 0.5)
    sgd = optim.SGD([w], lr=0.1, momentum=0.9)
    sgd.step()  # v = 0.5
    assert w.data == pytest.approx(0.95, abs=1e-15)
    w.grad = 0.5
    sgd.step()  # v = 0.9 * 0.5 + 0.5 = 0.95
    assert w.data == pytest.approx(0.95 - 0.095, abs=1e-15)


def test_sgd_weight_decay_adds_wd_times_p():
    w = param(2.0, 0.0)
    optim.SGD([w], lr=0.5, weight_decay=0.1).step()
    assert w.data == pytest.approx(2.0 - 0.5 * 0.2, abs=1e-15)


def test_adam_two_steps_by_hand():
    w = param(1.0, 0.2)
    adam = optim.Adam([w], lr=0.01, betas=(0.9, 0.999), eps=1e-8)
    adam.step()
    # bias-corrected m_hat = g, v_hat = g^2 on the first step
    first = 1.0 - 0.01 * 0.2 / (0.2 + 1e-8)
    assert w.data == pytest.approx(first, abs=1e-15)
    w.grad = -0.4
    adam.step()
    m = 0.9 * (0.1 * 0.2) + 0.1 * -0.4
    v = 0.999 * (0.001 * 0.04) + 0.001 * 0.16
    m_hat, v_hat = m / (1 - 0.9**2), v / (1 - 0.999**2)
    assert w.data == pytest.approx(first - 0.01 * m_hat / (math.sqrt(v_hat) + 1e-8), abs=1e-15)


def test_optimizers_minimise_a_quadratic():
    for make in (lambda p: optim.SGD(p, lr=0.1, momentum=0.5), lambda p: optim.Adam(p, lr=0.1)):
        w = Value(3.0, "w")
        opt = make([w])
        for _ in range(200):
            opt.zero_grad()
            ((w - 1.0) ** 2).backward()
            opt.step()
        assert w.data == pytest.approx(1.0, abs=1e-3)


def test_zero_grad_clears_gradients():
    a, b = param(1.0, 3.0, "a"), param(2.0, -1.0, "b")
    opt = optim.SGD([a, b])
    opt.zero_grad()
    assert (a.grad, b.grad) == (0.0, 0.0)


@pytest.mark.parametrize("bad", [math.nan, math.inf])
@pytest.mark.parametrize("make", [optim.SGD, optim.Adam])
def test_non_finite_gradient_updates_nothing(make, bad):
    a, b = param(1.0, 0.5, "a"), param(2.0, bad, "b")
    opt = make([a, b], lr=0.1)
    with pytest.raises(ValueError, match="gradient of 'b' is .*no parameter was updated"):
        opt.step()
    assert (a.data, b.data) == (1.0, 2.0)


@pytest.mark.parametrize(
    "build, error, match",
    [
        (lambda: optim.SGD([], lr=0.1), ValueError, "no parameters"),
        (lambda: optim.SGD([1.0], lr=0.1), TypeError, "parameter 0 is a float"),
        (lambda: optim.SGD([Value(1.0)], lr=0.0), ValueError, "lr must be finite and > 0"),
        (lambda: optim.SGD([Value(1.0)], lr=math.nan), ValueError, "lr"),
        (lambda: optim.SGD([Value(1.0)], lr="0.1"), TypeError, "lr must be a number"),
        (lambda: optim.SGD([Value(1.0)], momentum=1.0), ValueError, "momentum"),
        (lambda: optim.SGD([Value(1.0)], weight_decay=-1.0), ValueError, "weight_decay"),
        (lambda: optim.Adam([Value(1.0)], betas=(0.9,)), TypeError, "betas"),
        (lambda: optim.Adam([Value(1.0)], betas=(0.9, 1.0)), ValueError, "betas\\[1\\]"),
        (lambda: optim.Adam([Value(1.0)], eps=0.0), ValueError, "eps"),
    ],
)
def test_bad_optimizer_settings(build, error, match):
    with pytest.raises(error, match=match):
        build()


def test_same_parameter_twice_is_an_error():
    w = Value(1.0)
    with pytest.raises(ValueError, match="appears twice"):
        optim.SGD([w, w])


def test_bad_lr_set_between_steps_is_caught_before_updating():
    w = param(1.0, 1.0)
    sgd = optim.SGD([w], lr=0.1)
    sgd.lr = -1.0
    with pytest.raises(ValueError, match="lr"):
        sgd.step()
    assert w.data == 1.0
