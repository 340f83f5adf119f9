"""One numeric policy for every op and path: finite in, finite out or a DomainError.

An input that is already inf or nan passes through quietly (nan where the forward refuses
it), so dynamic graphs, scalar replay and batched replay give the same answer at the edges.
"""

import math

import numpy as np
import pytest

from autograd import (
    DivisionByZeroError,
    DomainError,
    NumericOverflowError,
    Tape,
    TraceMismatchError,
    Value,
    no_grad,
    trace,
)
from autograd.ops import TABLE, evaluate
from autograd.testing.op_calls import call_op

NAN, INF = math.nan, math.inf


@pytest.mark.parametrize(
    "build, error",
    [
        (lambda x: x * 1e308 * 10, NumericOverflowError),
        (lambda x: x * 1e308 + x * 1e308, NumericOverflowError),
        (lambda x: x * 1e308 - x * -1e308, NumericOverflowError),
        (lambda x: x / 1e-308 / 1e-10, NumericOverflowError),
        (lambda x: (x * 800).exp(), NumericOverflowError),
        (lambda x: (x - 0.75).log(), DomainError),
        (lambda x: x / (x - 1.0), DivisionByZeroError),
    ],
)
def test_finite_inputs_giving_an_infinity_raise_on_every_path(build, error):
    with pytest.raises(error):
        build(Value(1.0, "x") if error is not DomainError else Value(0.5, "x"))
    tape = Tape.record(build, 1e-12 if error is not DomainError else 1.0)
    bad = 1.0 if error is not DomainError else 0.5
    with pytest.raises(error):
        tape.forward(bad)
    with pytest.raises(error):
        tape.batch_value_and_grad(np.array([0.8, bad]))


@pytest.mark.parametrize("op", TABLE, ids=lambda op: op.symbol)
@pytest.mark.parametrize("edge", [NAN, INF, -INF])
def test_a_non_finite_input_passes_through_every_op_quietly(op, edge):
    inputs = [edge] + [0.5] * (op.arity - 1)
    scalar = evaluate(op, *inputs)
    node = call_op(op, *[Value(x) for x in inputs])
    assert node.data == scalar or (math.isnan(node.data) and math.isnan(scalar))
    tape = Tape.of(node, [p for p in node.parents if p.op_record is None][:1])
    replayed = tape.forward(edge)[-1]
    batched, _ = tape.batch_value_and_grad(np.array([edge]))
    for other in (replayed, float(batched[0])):
        assert other == scalar or (math.isnan(other) and math.isnan(scalar))


def test_nan_and_inf_in_values_behave_like_numpy():
    assert math.isnan(Value(NAN).log().data)
    assert math.isnan((Value(INF) - Value(INF)).data)
    assert Value(INF).exp().data == INF
    assert Value(-INF).exp().data == 0.0


def test_a_trace_taken_inside_no_grad_still_records_the_function():
    f = trace(lambda x: x * 3.0)
    with no_grad():
        assert f(1.0) == 3.0
    assert f.value_and_grad(5.0) == (15.0, (3.0,))


def test_a_nan_constant_does_not_look_like_a_different_structure():
    f = trace(lambda x: x + NAN, check=True)
    assert math.isnan(f(1.0)) and math.isnan(f(2.0))
    g = trace(lambda x: x * 2.0 if x.data > 0 else x * x, check=True)
    g(1.0)
    with pytest.raises(TraceMismatchError):
        g(-1.0)


@pytest.mark.parametrize("bad", ["1.5", b"3", True, None, [1.0], 1 + 2j])
def test_replay_refuses_what_tracing_refuses(bad):
    f = trace(lambda x: x * 2.0)
    f(1.0)
    with pytest.raises(TypeError, match="replay input 0 must be a real number"):
        f(bad)
    with pytest.raises(TypeError):
        Value(bad)


@pytest.mark.parametrize("bad", ["1.5", b"3", True, None, np.array(["1"]), [object()]])
def test_batched_replay_refuses_text_bools_and_objects(bad):
    f = trace(lambda x: x * 2.0)
    f(1.0)
    with pytest.raises(TypeError, match="batched input 0"):
        f.batch_value_and_grad(bad)


def test_an_empty_batch_gives_empty_results_a_zero_sum_and_no_mean():
    f = trace(lambda x, y: x * y)
    f(1.0, 2.0)
    values, (gx, gy) = f.batch_value_and_grad(np.array([]), np.array([]))
    assert values.shape == gx.shape == gy.shape == (0,)
    assert f.batch_value_and_grad([], [], reduce="sum") == (0.0, (0.0, 0.0))
    with pytest.raises(ValueError, match="empty batch"):
        f.batch_value_and_grad([], [], reduce="mean")


def test_backward_names_a_bad_root_and_a_seed_too_large_for_a_float():
    class Duck:
        parents = ()
        data = 1.0

    from autograd.backprop import backward

    with pytest.raises(TypeError, match="needs a Value as its root, got Duck"):
        backward(Duck())
    with pytest.raises(OverflowError, match=r"backward\(grad=...\).*401 digits"):
        Value(1.0).backward(10**400)
    x = Value(2.0)
    y = x * x
    with pytest.raises(OverflowError):
        y.backward(10**400)
    assert x.grad == 0.0 and y.grad == 0.0  # nothing half-done


def test_table_functions_on_object_arrays_of_values_build_nodes_per_element():
    import autograd

    z = np.array([Value(-1.0, "a"), Value(2.0, "b")], dtype=object)
    for out in (autograd.relu(z), autograd.maximum(z, 0.5), autograd.clip(z, 0.0, 1.0)):
        assert out.dtype == object and all(isinstance(v, Value) and v.parents for v in out)
    total = autograd.relu(z).sum() + autograd.maximum(z, 0.5).sum()
    total.backward()
    assert (z[0].grad, z[1].grad) == (0.0, 2.0)
    assert autograd.relu(np.array([-1.0, 2.0])).tolist() == [0.0, 2.0]  # floats stay floats
