"""Trace and replay: the tape gives what dynamic mode gives, scalar and batched."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import DomainError, Value, value_and_grad
from autograd.ops import TABLE
from autograd.tape import Tape, TraceMismatchError, trace
from autograd.testing.op_calls import call_op
from autograd.testing.strategies import program_inputs, programs


def _op_function(op):
    """f(x, y) applying op through Value's public API (y unused by unary ops)."""
    return lambda x, y: call_op(op, *(x, y)[: op.arity])


def _points(op):
    (lo, hi), *_ = op.domain[0]
    ylo, yhi = op.domain[1][-1] if op.arity == 2 else (1.0, 2.0)
    return [(lo + (hi - lo) * k / 4, ylo + (yhi - ylo) * k / 4) for k in range(5)]


@pytest.mark.parametrize("op", TABLE, ids=lambda op: op.symbol)
def test_every_op_replays_exactly_like_dynamic_mode(op):
    f = _op_function(op)
    traced = trace(f)
    for x, y in _points(op):
        assert traced.value_and_grad(x, y) == value_and_grad(f, (0, 1))(x, y)


@pytest.mark.parametrize("op", TABLE, ids=lambda op: op.symbol)
def test_every_op_replays_batched_within_1e_12(op):
    f = _op_function(op)
    points = _points(op)
    xs = np.array([p[0] for p in points])
    ys = np.array([p[1] for p in points])
    values, (gx, gy) = trace(f).batch_value_and_grad(xs, ys)
    for k, (x, y) in enumerate(points):
        value, (dx, dy) = value_and_grad(f, (0, 1))(x, y)
        assert values[k] == pytest.approx(value, rel=1e-12, abs=1e-12)
        assert gx[k] == pytest.approx(dx, rel=1e-12, abs=1e-12)
        assert gy[k] == pytest.approx(dy, rel=1e-12, abs=1e-12)


def neuron_loss(w1, w2, b, x1, x2, y):
    out = (w1 * x1 + w2 * x2 + b).tanh()
    return (out - y) ** 2 + 0.5 * (w1 * w1 + w2 * w2)


def test_a_neuron_loss_replays_on_new_inputs_and_batches_with_broadcasting():
    traced = trace(neuron_loss)
    first = (0.5, -0.3, 0.1, 1.0, 2.0, 1.0)
    second = (0.2, 0.7, -0.4, -1.5, 0.25, -1.0)
    assert traced.value_and_grad(*first) == value_and_grad(neuron_loss, range(6))(*first)
    assert traced.value_and_grad(*second) == value_and_grad(neuron_loss, range(6))(*second)
    x1 = np.linspace(-2, 2, 7)
    values, grads = traced.batch_value_and_grad(0.2, 0.7, -0.4, x1, 0.25, -1.0)
    assert values.shape == (7,) and all(g.shape == (7,) for g in grads)
    for k, x in enumerate(x1):
        value, expected = value_and_grad(neuron_loss, range(6))(0.2, 0.7, -0.4, x, 0.25, -1.0)
        assert values[k] == pytest.approx(value, rel=1e-12)
        assert [g[k] for g in grads] == pytest.approx(list(expected), rel=1e-12, abs=1e-15)


def test_tape_is_flat_and_records_constants():
    tape = Tape.record(lambda x, y: x * 3.0 + y, 1.0, 2.0)
    assert len(tape) == 5
    assert [op.symbol if op else None for op in tape.ops] == [None, None, "*", None, "+"]
    assert tape.parents[2] == (0, 1) and tape.parents[4] == (2, 3)
    assert tape.input_positions == (0, 3)
    assert tape.constants == ((1, 3.0),)


def test_unused_input_gets_zero_gradient():
    assert trace(lambda x, y: x * x).value_and_grad(3.0, 5.0) == (9.0, (6.0, 0.0))


def test_branching_on_data_is_caught_in_check_mode():
    def kinked(x):
        return x * 2.0 if x.data > 0 else x * x

    checked = trace(kinked, check=True)
    assert checked(1.5) == 3.0
    with pytest.raises(TraceMismatchError, match="kinked.*branches on data"):
        checked(-1.0)
    unchecked = trace(kinked)
    unchecked(1.5)
    assert unchecked(-1.0) == -2.0  # documented: replay follows the traced branch
    with pytest.raises(TraceMismatchError):
        trace(kinked, check=True).batch_value_and_grad(np.array([1.0, -1.0]))


def test_replay_outside_the_domain_is_a_domain_error():
    traced = trace(lambda x: (x - 1.0).log())
    assert traced(3.0) == pytest.approx(np.log(2.0))
    with pytest.raises(DomainError, match=r"log.*tape position"):
        traced(0.5)
    with pytest.raises(DomainError, match="log"):
        traced.batch_value_and_grad(np.array([3.0, 0.5]))


def test_replay_overflow_and_infinite_slopes_are_errors():
    with pytest.raises(OverflowError):
        trace(lambda x: x.exp()).batch_value_and_grad(np.array([1.0, 800.0]))
    with pytest.raises(DomainError, match="pow_const"):
        trace(lambda x: x**0.5).value_and_grad(0.0)


def test_wrong_arguments_are_clear():
    traced = trace(lambda x, y: x * y)
    traced(1.0, 2.0)
    with pytest.raises(TypeError, match="takes 2 input"):
        traced(1.0)
    with pytest.raises(TypeError, match="must return a Value"):
        trace(lambda x: 3.0)(1.0)
    with pytest.raises(TypeError, match="real number"):
        trace(lambda x: x)("1")


def test_closure_values_with_history_are_replayed_as_constants():
    w = Value(2.0) * 3.0
    traced = trace(lambda x: x * w)
    assert traced.value_and_grad(4.0) == (24.0, (6.0,))


def _mlp_point_loss(w1, w2, w3, w4, b1, b2, v1, v2, x0, x1, y):
    """A 2-2-1 relu net's hinge loss on one point: inputs shared by several products."""
    h1 = (w1 * x0 + w2 * x1 + b1).relu()
    h2 = (w3 * x0 + w4 * x1 + b2).relu()
    score = v1 * h1 + v2 * h2
    return (1 + -y * score).relu() + x0 * x0 * 0.25


MLP_POINTS = [
    (0.3, -0.7, 0.9, 0.2, 0.1, -0.2, 0.8, -0.5, x0, x1, y)
    for x0, x1, y in [(0.5, 1.0, 1.0), (-1.2, 0.3, -1.0), (2.0, -0.5, 1.0), (0.0, 0.1, -1.0)]
]


def test_grouped_batch_replay_matches_dynamic_mode_point_by_point():
    traced = trace(_mlp_point_loss)
    columns = [np.array(column) for column in zip(*MLP_POINTS, strict=True)]
    values, grads = traced.batch_value_and_grad(*columns)
    for k, point in enumerate(MLP_POINTS):
        value, expected = value_and_grad(_mlp_point_loss, range(11))(*point)
        assert values[k] == pytest.approx(value, rel=1e-12, abs=1e-12)
        assert [g[k] for g in grads] == pytest.approx(list(expected), rel=1e-12, abs=1e-12)


def test_batch_replay_groups_equal_ops_at_equal_depth():
    tape = trace(_mlp_point_loss).tape or Tape.record(_mlp_point_loss, *MLP_POINTS[0])
    plan = tape._plan(np)
    sizes = {(g.op.name, len(g.positions)) for g in plan.groups}
    assert ("mul", 5) in sizes  # w1*x0, w2*x1, w3*x0, w4*x1, x0*x0 in one operation
    assert len(plan.groups) < sum(op is not None for op in tape.ops)
    x0_row = plan.input_rows[8]
    products = next(g for g in plan.groups if g.op.name == "mul" and len(g.positions) == 5)
    assert products.merges[1] is not None  # x0 is the right factor of three: sums merged
    assert list(products.parent_rows[1]).count(x0_row) == 3


def test_batch_replay_sums_and_averages_over_the_batch():
    traced = trace(_mlp_point_loss)
    columns = [np.array(column) for column in zip(*MLP_POINTS, strict=True)]
    per_point = [value_and_grad(_mlp_point_loss, range(11))(*p) for p in MLP_POINTS]
    total, grads = traced.batch_value_and_grad(*columns, reduce="sum")
    assert isinstance(total, float) and all(isinstance(g, float) for g in grads)
    assert total == pytest.approx(sum(v for v, _ in per_point), rel=1e-12)
    for i in range(11):
        assert grads[i] == pytest.approx(sum(g[i] for _, g in per_point), rel=1e-12, abs=1e-12)
    mean, mean_grads = traced.batch_value_and_grad(*columns, reduce="mean")
    assert mean == pytest.approx(total / 4, rel=1e-12)
    assert mean_grads == pytest.approx([g / 4 for g in grads], rel=1e-12, abs=1e-12)
    with pytest.raises(ValueError, match="reduce must be"):
        traced.batch_value_and_grad(*columns, reduce="max")


def test_batch_replay_takes_plain_numbers_arrays_and_scalars_of_numpy():
    traced = trace(lambda x, y: x * y + 1.0)
    value, (gx, gy) = traced.batch_value_and_grad(2.0, np.float64(3.0))
    assert value.shape == () and float(value) == 7.0 and float(gx) == 3.0 and float(gy) == 2.0
    values, (gx, gy) = traced.batch_value_and_grad(np.array([[1.0], [2.0]]), [1.0, 2.0, 3.0])
    assert values.shape == (2, 3) and gx.shape == (2, 3)
    assert values.tolist() == [[2.0, 3.0, 4.0], [3.0, 5.0, 7.0]]
    assert gy.tolist() == [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]


def test_grouped_replay_error_names_the_failing_entry():
    def two_logs(x, y):
        return (x - 1.0).log() + (y - 1.0).log()

    traced = trace(two_logs)
    traced(3.0, 3.0)
    tape = traced.tape
    second_log = [i for i, op in enumerate(tape.ops) if op is not None and op.name == "log"][1]
    with pytest.raises(DomainError, match=rf"log \(log\) at tape position {second_log}"):
        traced.batch_value_and_grad(np.array([3.0, 4.0]), np.array([3.0, 0.5]))
    with pytest.raises(DomainError, match="pow_const"):
        trace(lambda x, y: x * 2.0 + y**-1.0).batch_value_and_grad([1.0, 2.0], [1.0, 0.0])


def test_batch_check_mode_traces_every_point_and_plain_mode_only_one():
    traced = []

    def counted(x):
        traced.append(x.data)
        return x * x

    trace(counted).batch_value_and_grad(np.array([1.0, 2.0, 3.0]))
    assert traced == [1.0]
    traced.clear()
    trace(counted, check=True).batch_value_and_grad(np.array([1.0, 2.0, 3.0]))
    assert traced == [1.0, 2.0, 3.0]


@given(programs(max_steps=10), st.data())
def test_replay_equals_dynamic_mode_on_random_programs(program, data):
    points = data.draw(st.lists(program_inputs(program), min_size=1, max_size=4))
    traced = trace(program)
    argnums = tuple(range(program.n_inputs))
    columns = [np.array(column) for column in zip(*points, strict=True)]
    values, grads = traced.batch_value_and_grad(*columns)
    for k, point in enumerate(points):
        value, expected = value_and_grad(program, argnums)(*point)
        replayed, replayed_grads = traced.value_and_grad(*point)
        assert replayed == pytest.approx(value, rel=1e-12, abs=1e-12)
        assert replayed_grads == pytest.approx(expected, rel=1e-12, abs=1e-12)
        assert values[k] == pytest.approx(value, rel=1e-12, abs=1e-12)
        assert [g[k] for g in grads] == pytest.approx(list(expected), rel=1e-12, abs=1e-12)


def test_a_graph_already_built_is_recorded_with_chosen_leaves_as_inputs():
    w, b, x = Value(0.5, "w"), Value(-1.0, "b"), Value(2.0, "x")
    out = (w * x + b).tanh() * 3.0
    tape = Tape.of(out, [w, b])
    assert tape.value_and_grad(0.5, -1.0) == value_and_grad(
        lambda w, b: (w * 2.0 + b).tanh() * 3.0, (0, 1))(0.5, -1.0)
    assert tape.value_and_grad(1.5, 0.25)[0] == pytest.approx(np.tanh(1.5 * 2.0 + 0.25) * 3.0)
    with pytest.raises(ValueError, match=r"input 1 of a tape must be a leaf Value.*\+ result"):
        Tape.of(out, [w, w * x + b])
    with pytest.raises(ValueError, match="given twice"):
        Tape.of(out, [w, w])
    with pytest.raises(TypeError, match="needs a Value"):
        Tape.of(3.0, [w])


def test_gradients_that_meet_as_inf_and_minus_inf_sum_to_nan_in_a_batch_as_on_floats():
    def opposite_slopes(x):
        return (x + x) + x * -x + x.square()   # slopes 2, -2x and 2x meet at x = inf

    tape = Tape.record(opposite_slopes, 0.0)
    value, (slope,) = tape.value_and_grad(float("inf"))
    assert np.isnan(value) and np.isnan(slope)
    for lower in (False, True):
        values, (slopes,) = tape.batch_value_and_grad(np.array([1.0, np.inf]), lower=lower)
        assert values[0] == 2.0 and slopes[0] == 2.0
        assert np.isnan(values[1]) and np.isnan(slopes[1])
