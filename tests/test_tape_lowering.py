"""Lowered batched replay: layers as matrix products, add chains as one sum, one-number
inputs one column wide; the results equal unlowered replay and torch float64 to 1e-12."""

import math

import numpy as np
import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograd import DomainError, Tape, Value
from autograd.testing.strategies import program_inputs, programs
from nn import MLP


def assert_close(actual, expected, scale=None):
    """Equal to 1e-12, relative to `scale` or else to the largest magnitude in expected (0
    needs exactly 0). A sum over the batch passes the sum of its terms' magnitudes as scale:
    relative to a sum that cancels, rounding is larger."""
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape
    if scale is None:
        scale = float(np.abs(expected).max()) if expected.size else 0.0
    assert np.all(np.abs(actual - expected) <= 1e-12 * scale), (actual, expected)


def assert_same_results(lowered, unlowered, per_point=None):
    """Value and gradients equal to 1e-12; for results summed over the batch, give the
    per-point results (per_point) that they sum."""
    (value, grads), (expected_value, expected_grads) = lowered, unlowered
    scales = [None] * (len(grads) + 1)
    if per_point is not None:
        scales = [float(np.abs(a).sum()) for a in (per_point[0], *per_point[1])]
    assert_close(value, expected_value, scales[0])
    assert len(grads) == len(expected_grads)
    for g, e, scale in zip(grads, expected_grads, scales[1:], strict=True):
        assert_close(g, e, scale)


def mlp_point(sizes, activation):
    """One point's output of an MLP as a function of (every weight and bias, then the xs),
    each neuron's sum written as nn.Neuron writes it: b + w_0*x_0 + w_1*x_1 + ..."""
    def point(*args):
        k = 0
        h = list(args[len(args) - sizes[0]:])
        for depth, (nin, nout) in enumerate(zip(sizes, sizes[1:], strict=False)):
            layer = []
            for _ in range(nout):
                w, b = args[k:k + nin], args[k + nin]
                k += nin + 1
                s = b
                for wi, xi in zip(w, h, strict=True):
                    s = s + wi * xi
                last = depth == len(sizes) - 2
                layer.append(s if last else getattr(s, activation)())
            h = layer
        return h[0]
    return point


def parameter_count(sizes):
    return sum((nin + 1) * nout for nin, nout in zip(sizes, sizes[1:], strict=False))


def torch_mlp(sizes, activation, parameters, xs, size):
    """The same MLP in torch float64, every parameter broadcast to one copy per point, so
    the gradient of the summed output is each point's own gradient."""
    leaves = [torch.tensor(np.broadcast_to(np.asarray(p, dtype=float), (size,)).copy(),
                           requires_grad=True) for p in [*parameters, *xs]]
    k = 0
    h = leaves[len(parameters):]
    for depth, (nin, nout) in enumerate(zip(sizes, sizes[1:], strict=False)):
        layer = []
        for _ in range(nout):
            w, b = leaves[k:k + nin], leaves[k + nin]
            k += nin + 1
            s = b + sum(wi * xi for wi, xi in zip(w, h, strict=True))
            last = depth == len(sizes) - 2
            layer.append(s if last else getattr(torch, activation)(s))
        h = layer
    h[0].sum().backward()
    return h[0].detach().numpy(), tuple(leaf.grad.numpy() for leaf in leaves)


@st.composite
def mlp_cases(draw):
    sizes = [draw(st.integers(1, 4)) for _ in range(draw(st.integers(2, 4)))] + [1]
    size = draw(st.integers(2, 5))
    parameters = []
    for _ in range(parameter_count(sizes)):  # most weights shared, some one per point
        shared = draw(st.floats(-1.0, 1.0))
        per_point = draw(st.booleans()) and draw(st.booleans())
        parameters.append(np.array(draw(st.lists(
            st.floats(-1.0, 1.0), min_size=size, max_size=size))) if per_point else shared)
    xs = [np.array(draw(st.lists(st.floats(-2.0, 2.0), min_size=size, max_size=size)))
          for _ in range(sizes[0])]
    return sizes, draw(st.sampled_from(["tanh", "relu"])), parameters, xs, size


def _moons_like(seed, sizes, size):
    rng = np.random.default_rng(seed)
    parameters = list(rng.uniform(-1.0, 1.0, parameter_count(sizes)))
    xs = [rng.normal(size=size) for _ in range(sizes[0])]
    return sizes, "relu", parameters, xs, size


@settings(max_examples=30, deadline=None)
@given(mlp_cases())
@example(_moons_like(0, [2, 16, 16, 1], 7))
@example(_moons_like(1, [2, 16, 16, 1], 3))
def test_mlps_replay_lowered_as_unlowered_and_as_torch(case):
    sizes, activation, parameters, xs, size = case
    point = mlp_point(sizes, activation)
    tape = Tape.record(point, *[0.5] * (len(parameters) + len(xs)))
    args = [*parameters, *xs]
    lowered = tape.batch_value_and_grad(*args)
    assert_same_results(lowered, tape.batch_value_and_grad(*args, lower=False))
    assert_same_results(lowered, torch_mlp(sizes, activation, parameters, xs, size))
    assert_same_results(tape.batch_value_and_grad(*args, reduce="sum"),
                        tape.batch_value_and_grad(*args, reduce="sum", lower=False), lowered)
    assert tape.replay_counts == {"lowered": 2, "fallback": 0}


def test_each_layer_of_a_2_16_16_1_mlp_is_one_dense_step():
    sizes = [2, 16, 16, 1]
    tape = Tape.record(mlp_point(sizes, "relu"), *[0.5] * (parameter_count(sizes) + 2))
    xs = [np.linspace(-1, 1, 5), np.linspace(2, 3, 5)]
    plan = tape.lowered_plan(*[0.1] * parameter_count(sizes), *xs)
    assert plan.summary() == {"dense": 3, "sum": 0, "op": 2}  # and the two relu groups
    assert [step.shape for step in plan.steps if hasattr(step, "shape")] == [
        (16, 2), (16, 16), (1, 16)]
    assert plan.wide_count == len(xs) + 16 + 16 + 16 + 16 + 1


def test_weights_given_per_point_are_not_a_matrix_product_but_still_one_sum():
    sizes = [2, 3, 1]
    tape = Tape.record(mlp_point(sizes, "tanh"), *[0.5] * (parameter_count(sizes) + 2))
    per_point = [np.linspace(-1, 1, 4) + k for k in range(parameter_count(sizes))]
    xs = [np.linspace(-1, 1, 4), np.linspace(0, 1, 4)]
    assert tape.lowered_plan(*per_point, *xs).summary() == {"dense": 0, "sum": 2, "op": 1}
    assert_same_results(tape.batch_value_and_grad(*per_point, *xs),
                        tape.batch_value_and_grad(*per_point, *xs, lower=False))


def test_an_nn_mlp_recorded_with_its_weights_as_constants_lowers_to_matrix_products():
    model = MLP(3, [4, 4, 1], seed=0)
    xs = [Value(0.0, f"x{i}") for i in range(3)]
    tape = Tape.of(model(xs)[0], xs)
    batch = [np.linspace(-2, 2, 6) * (i + 1) for i in range(3)]
    assert tape.lowered_plan(*batch).summary()["dense"] == 3
    assert_same_results(tape.batch_value_and_grad(*batch),
                        tape.batch_value_and_grad(*batch, lower=False))


def test_long_add_chains_become_one_sum_in_chain_order():
    def chain(*xs):
        total = xs[0]
        for x in xs[1:]:
            total = total + x.tanh()
        return total * 2.0

    tape = Tape.record(chain, *[0.1] * 40)
    batch = [np.linspace(-1, 1, 3) * (1 + k / 7) for k in range(40)]
    assert tape.lowered_plan(*batch).summary() == {"dense": 0, "sum": 1, "op": 2}
    lowered = tape.batch_value_and_grad(*batch)
    unlowered = tape.batch_value_and_grad(*batch, lower=False)
    assert np.array_equal(lowered[0], unlowered[0])  # summed in the chain's order: bit equal
    assert_same_results(lowered, unlowered)


def test_repeated_weights_xs_and_terms_merge_their_gradients():
    def shared(w, v, x, y):
        a = w * x + w * y + v * x + 1.0   # w in two products: weight rows repeat
        b = v * x + w * y + x + x          # x is a plain term twice
        c = x * x + y * y + w              # squares: both factors are the same row
        return a * b + c.relu()

    tape = Tape.record(shared, 0.3, -0.2, 0.5, 0.7)
    batch = (0.3, -0.2, np.linspace(-1, 1, 5), np.linspace(2, -1, 5))
    lowered = tape.batch_value_and_grad(*batch)
    assert_same_results(lowered, tape.batch_value_and_grad(*batch, lower=False))
    assert_same_results(tape.batch_value_and_grad(*batch, reduce="sum"),
                        tape.batch_value_and_grad(*batch, reduce="sum", lower=False), lowered)
    assert tape.replay_counts["fallback"] == 0


def test_neurons_without_bias_or_with_several_other_terms_lower_too():
    def two_neurons(w1, w2, w3, w4, c, d, x, y):
        first = w1 * x + w2 * y             # no other term
        second = c + w3 * x + w4 * y + d    # two other terms
        return first * second + (x + c * c + d * c)  # products of one-number inputs stay

    tape = Tape.record(two_neurons, *[0.5] * 8)
    batch = (0.3, -0.2, 0.9, 0.4, 0.25, -1.5, np.linspace(-1, 1, 4), np.linspace(0, 3, 4))
    assert tape.lowered_plan(*batch).summary()["dense"] == 1
    assert_same_results(tape.batch_value_and_grad(*batch),
                        tape.batch_value_and_grad(*batch, lower=False))


@st.composite
def programs_on_batches(draw):
    program = draw(programs(kinds=("add", "mul", "sub", "tanh", "relu", "add_const",
                                   "mul_const", "exp", "square"), max_steps=16))
    points = [draw(program_inputs(program)) for _ in range(3)]
    one_number = [draw(st.booleans()) for _ in range(program.n_inputs)]
    args = [points[0][k] if one_number[k] else np.array([p[k] for p in points])
            for k in range(program.n_inputs)]
    return program, args


@settings(max_examples=60, deadline=None)
@given(programs_on_batches())
def test_random_programs_replay_lowered_as_unlowered(case):
    program, args = case
    tape = Tape.record(program, *[a if isinstance(a, float) else float(a[0]) for a in args])
    lowered = tape.batch_value_and_grad(*args)
    assert_same_results(lowered, tape.batch_value_and_grad(*args, lower=False))
    assert_same_results(tape.batch_value_and_grad(*args, reduce="sum"),
                        tape.batch_value_and_grad(*args, reduce="sum", lower=False), lowered)
    assert_close(tape.batch_forward(*args), tape.batch_forward(*args, lower=False))


def test_a_non_finite_point_replays_unlowered_with_its_own_answers():
    tape = Tape.record(lambda w, x: (w * x + x + 1.0).tanh() * x, 0.5, 0.5)
    x = np.array([1.0, math.nan, -math.inf, 2.0])
    lowered = tape.batch_value_and_grad(0.5, x)
    unlowered = tape.batch_value_and_grad(0.5, x, lower=False)
    assert tape.replay_counts == {"lowered": 0, "fallback": 1}
    for got, want in zip([lowered[0], *lowered[1]], [unlowered[0], *unlowered[1]],
                         strict=True):
        assert np.array_equal(got, want, equal_nan=True)


def test_a_failing_point_raises_the_unlowered_replays_error():
    tape = Tape.record(lambda w, x: (w * x + x + 1.0).log(), 0.5, 0.5)
    x = np.array([1.0, -3.0, 2.0])
    with pytest.raises(DomainError) as unlowered:
        tape.batch_value_and_grad(0.5, x, lower=False)
    with pytest.raises(DomainError) as lowered:
        tape.batch_value_and_grad(0.5, x)
    assert str(lowered.value) == str(unlowered.value)
    assert "log" in str(lowered.value)


def test_one_number_for_every_input_is_not_lowered():
    tape = Tape.record(lambda w, x: w * x + x + 1.0, 0.5, 0.5)
    assert tape.lowered_plan(0.5, np.array([2.0])) is None
    assert tape.lowered_plan(0.5, np.array([2.0, 3.0])) is not None
    assert tape.batch_value_and_grad(0.5, np.array([2.0]))[0].tolist() == [0.5 * 2.0 + 2.0 + 1.0]
    assert tape.replay_counts == {"lowered": 0, "fallback": 0}


def test_an_output_that_is_the_same_for_every_point_replays_unlowered():
    tape = Tape.record(lambda w, x: w * w + w + 1.0 + 0.0 * 0.0, 0.5, 0.5)
    values, grads = tape.batch_value_and_grad(2.0, np.array([1.0, 2.0]))
    assert values.tolist() == [7.0, 7.0]
    assert grads[0].tolist() == [5.0, 5.0] and grads[1].tolist() == [0.0, 0.0]


def test_unknown_backend_and_a_device_without_torch_are_refused():
    tape = Tape.record(lambda x: x * x, 1.0)
    with pytest.raises(ValueError, match="backend must be 'numpy' or 'torch', got 'jax'"):
        tape.batch_value_and_grad(np.ones(2), backend="jax")
    with pytest.raises(ValueError, match="needs backend='torch'"):
        tape.batch_value_and_grad(np.ones(2), device="cuda")


def test_results_of_one_replay_are_not_overwritten_by_the_next():
    tape = Tape.record(lambda w, x: w * x + x + 1.0, 0.5, 0.5)
    first = tape.batch_value_and_grad(2.0, np.array([1.0, 2.0]))
    first_forward = tape.batch_forward(2.0, np.array([1.0, 2.0]))
    tape.batch_value_and_grad(5.0, np.array([7.0, 8.0]))
    tape.batch_forward(5.0, np.array([7.0, 8.0]))
    assert first[0].tolist() == [4.0, 7.0] and first_forward.tolist() == [4.0, 7.0]
    assert first[1][0].tolist() == [1.0, 2.0] and first[1][1].tolist() == [3.0, 3.0]
    assert tape.replay_counts == {"lowered": 4, "fallback": 0}


def test_a_sum_that_overflows_on_the_way_raises_as_unlowered_replay_does():
    right_nested = Tape.record(lambda x: -x + (x + x), 0.5)   # x + x overflows first
    neuron = Tape.record(lambda b, w, v, x, y: b + w * x + v * y, 0.5, 0.5, 0.5, 0.5, 0.5)
    cases = [(right_nested, (np.array([0.5, 1e308, 0.5]),)),
             (neuron, (1e308, 1.0, -1.0, np.array([1e308, 1.0]), np.array([1e308, 1.0])))]
    for tape, args in cases:
        with pytest.raises(DomainError) as unlowered:
            tape.batch_value_and_grad(*args, lower=False)
        with pytest.raises(DomainError) as lowered:
            tape.batch_value_and_grad(*args)
        assert str(lowered.value) == str(unlowered.value)
        assert "overflows" in str(lowered.value)
    assert neuron.lowered_plan(*cases[1][1]).summary()["dense"] == 1


def test_one_number_chains_are_summed_in_chain_order_too():
    def scalars_and_points(a, b, c, d, e, x):
        chain = a + b + c + d + e + a + b + c + d + e   # one-number inputs only
        return chain * x

    tape = Tape.record(scalars_and_points, *[0.5] * 6)
    terms = [0.1, 1e16, -1e16, 0.3, 0.7] * 2
    args = (*terms[:5], np.array([1.0, 2.0]))
    in_order = 0.0
    for t in terms:
        in_order += t
    assert in_order != float(np.sum(terms))  # numpy's own (pairwise) sum would differ here
    assert tape.lowered_plan(*args).summary()["sum"] == 1
    lowered, unlowered = (tape.batch_value_and_grad(*args, lower=lower) for lower in (True, False))
    assert np.array_equal(lowered[0], unlowered[0])


@pytest.mark.parametrize("lower", [True, False])
def test_inputs_the_output_does_not_use_get_arrays_of_their_own(lower):
    x, unused_a, unused_b = Value(0.5), Value(1.0), Value(2.0)
    tape = Tape.of(x * x, [x, unused_a, unused_b])
    _, (dx, da, db) = tape.batch_value_and_grad(np.array([1.0, 2.0]), 1.0, 2.0, lower=lower)
    da[0] = 99.0
    assert db[0] == 0.0 and list(dx) == [2.0, 4.0]
