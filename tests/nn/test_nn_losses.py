"""Losses against hand-computed values and closed-form gradients; stable softmax family."""

import math

import pytest

from autograd import Value
from nn import losses


def values(*numbers):
    return [Value(x, f"p{i}") for i, x in enumerate(numbers)]


def test_half_sum_of_squares_value_and_gradient():
    p = values(1.0, 3.0)
    loss = losses.half_sum_of_squares(p, [0.0, 1.0])
    assert loss.data == 0.5 * (1.0 + 4.0)
    loss.backward()
    assert [v.grad for v in p] == [1.0, 2.0]  # t_hat - t


def test_sum_of_squared_errors_value_and_gradient():
    p = values(1.0, 3.0)
    loss = losses.sum_of_squared_errors(p, [0.0, 1.0])
    assert loss.data == 5.0
    loss.backward()
    assert [v.grad for v in p] == [2.0, 4.0]  # 2 (y_hat - y)


def test_mse_and_vector_examples():
    p = values(1.0, 3.0, 0.0)
    loss = losses.mse([[p[0], p[1]], [p[2]]], [[0.0, 1.0], [2.0]])
    assert loss.data == pytest.approx((1 + 4 + 4) / 3, abs=1e-15)
    loss.backward()
    assert [v.grad for v in p] == pytest.approx([2 / 3, 4 / 3, -4 / 3], abs=1e-15)


def test_l2_loss_is_mean_over_examples_of_squared_norms():
    p = values(1.0, 1.0, 0.0, 0.0)
    loss = losses.l2_loss([[p[0], p[1]], [p[2], p[3]]], [[0.0, 0.0], [0.0, 2.0]])
    assert loss.data == (2.0 + 4.0) / 2
    loss.backward()
    assert [v.grad for v in p] == [1.0, 1.0, 0.0, -2.0]  # 2/N (y_hat - y)


def test_binary_cross_entropy_matches_the_seed_formula_and_gradient():
    zs, ys = [0.3, -1.2, 2.5], [1.0, 0.0, 1.0]
    z = values(*zs)
    loss = losses.binary_cross_entropy_with_logits(z, ys)
    expected = sum(y * math.log(1 + math.exp(-v)) + (1 - y) * math.log(1 + math.exp(v))
                   for v, y in zip(zs, ys, strict=True)) / 3
    assert loss.data == pytest.approx(expected, abs=1e-15)
    loss.backward()
    for v, zi, y in zip(z, zs, ys, strict=True):
        assert v.grad == pytest.approx((1 / (1 + math.exp(-zi)) - y) / 3, abs=1e-15)


def test_binary_cross_entropy_is_finite_at_extreme_logits():
    z = values(1000.0, -1000.0)
    loss = losses.binary_cross_entropy_with_logits(z, [0.0, 1.0])
    assert loss.data == pytest.approx(1000.0)
    loss.backward()
    assert [v.grad for v in z] == [0.5, -0.5]


def test_softplus_both_branches():
    assert losses.softplus(0.0).data == pytest.approx(math.log(2.0), abs=1e-15)
    assert losses.softplus(-1000.0).data == 0.0
    assert losses.softplus(2.0).data == pytest.approx(math.log1p(math.exp(2.0)), abs=1e-15)


def test_softmax_cross_entropy_gradient_is_y_hat_minus_y():
    s = values(0.5, -1.0, 2.0)
    y = [0.0, 1.0, 0.0]
    loss = losses.softmax_cross_entropy(s, y)
    e = [math.exp(v) for v in (0.5, -1.0, 2.0)]
    y_hat = [v / sum(e) for v in e]
    assert loss.data == pytest.approx(-math.log(y_hat[1]), abs=1e-14)
    loss.backward()
    assert [v.grad for v in s] == pytest.approx([y_hat[0], y_hat[1] - 1, y_hat[2]], abs=1e-15)
    assert losses.softmax_cross_entropy([0.5, -1.0, 2.0], 1).data == pytest.approx(loss.data)


def test_softmax_cross_entropy_batch_is_a_sum_over_examples():
    one = losses.softmax_cross_entropy([2.0, 0.0], 0).data
    two = losses.softmax_cross_entropy([0.0, 2.0], 1).data
    assert losses.softmax_cross_entropy([[2.0, 0.0], [0.0, 2.0]], [0, 1]).data == \
        pytest.approx(one + two, abs=1e-15)


def test_hinge_is_the_max_margin_mean():
    s = values(2.0, 0.5, -0.25)
    loss = losses.hinge(s, [1, -1, 1])
    assert loss.data == pytest.approx((0.0 + 1.5 + 1.25) / 3, abs=1e-15)
    loss.backward()
    assert [v.grad for v in s] == pytest.approx([0.0, 1 / 3, -1 / 3], abs=1e-15)


@pytest.mark.parametrize("extreme", [1000.0, -1000.0])
def test_softmax_family_is_stable_at_plus_minus_1000(extreme):
    s = values(extreme, -extreme, 0.0)
    probs = losses.softmax(s)
    assert [p.data for p in probs] == pytest.approx(
        [1.0, 0.0, 0.0] if extreme > 0 else [0.0, 1.0, 0.0])
    probs[0].backward()
    assert all(math.isfinite(v.grad) for v in s)

    s = values(extreme, -extreme, 0.0)
    log_probs = losses.log_softmax(s)
    assert all(math.isfinite(lp.data) for lp in log_probs)
    assert log_probs[0].data == pytest.approx(0.0 if extreme > 0 else -2000.0)
    log_probs[2].backward()
    grads = [v.grad for v in s]
    assert all(math.isfinite(g) for g in grads)
    big = 0 if extreme > 0 else 1
    assert grads[big] == pytest.approx(-1.0) and grads[2] == pytest.approx(1.0)

    s = values(extreme, -extreme)
    lse = losses.logsumexp(s)
    assert lse.data == pytest.approx(abs(extreme))
    lse.backward()
    assert all(math.isfinite(v.grad) for v in s)

    s = values(extreme, -extreme, 0.0)
    ce = losses.softmax_cross_entropy(s, 2)
    assert ce.data == pytest.approx(1000.0)
    ce.backward()
    assert all(math.isfinite(v.grad) for v in s)


def test_logsumexp_matches_direct_formula_on_moderate_logits():
    xs = [0.1, -0.7, 1.3, 0.0]
    assert losses.logsumexp(xs).data == pytest.approx(
        math.log(sum(math.exp(v) for v in xs)), abs=1e-14)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: losses.mse([1.0], [1.0, 2.0]), ValueError, "1 predictions but 2 targets"),
        (lambda: losses.half_sum_of_squares([], []), ValueError, "at least one prediction"),
        (lambda: losses.sum_of_squared_errors("ab", [1, 2]), TypeError, "must be a sequence"),
        (lambda: losses.mse([[1.0], 2.0], [[1.0], [2.0]]), ValueError, "mixes a vector"),
        (lambda: losses.l2_loss([1.0], [1.0]), TypeError, "pair of vectors"),
        (lambda: losses.l2_loss([[1.0, 2.0]], [[1.0]]), ValueError, "example 0"),
        (lambda: losses.hinge([1.0], [0]), ValueError, "labels must be -1 or \\+1"),
        (lambda: losses.softmax_cross_entropy([1.0, 2.0], 2), ValueError, "out of range"),
        (lambda: losses.softmax_cross_entropy([1.0, 2.0], [1.0]), ValueError, "2 predictions"),
        (lambda: losses.softmax([]), ValueError, "at least one logit"),
        (lambda: losses.logsumexp(3.0), TypeError, "sequence"),
        (lambda: losses.binary_cross_entropy_with_logits([0.0], []), ValueError, "1 predictions"),
    ],
)
def test_bad_loss_inputs_are_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
