"""Fuzz: dynamic mode, scalar replay and batched replay agree at the edges too.

Random programs, traced at a safe point, then run on inputs that include nan, inf, zeros,
the smallest subnormal and numbers at the overflow edge: the three paths give the same
values (nan where nan) or all raise a DomainError (which one may differ when a program
holds two independent errors: each path may meet the other one first).
"""

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from autograd import DomainError, Tape, Value
from autograd.testing.strategies import program_inputs, programs

EDGES = [math.nan, math.inf, -math.inf, 0.0, -0.0, 5e-324, 1e308, -1e308, 1e154, 710.0]


def _edge_inputs(n):
    one = st.one_of(st.sampled_from(EDGES), st.floats(-3.0, 3.0),
                    st.floats(allow_nan=True, allow_infinity=True))
    return st.tuples(*[one] * n)


@st.composite
def traced_programs_at_the_edges(draw):
    program = draw(programs())
    safe = draw(program_inputs(program))
    edge = draw(_edge_inputs(program.n_inputs))
    return program, safe, edge


def _outcome(run):
    """('value', number) or ('error', DomainError subclass) from running one path."""
    try:
        return ("value", float(run()))
    except DomainError as err:
        return ("error", type(err))


def _same(a, b):
    if a[0] != b[0]:
        return False
    if a[0] == "error":
        return True
    x, y = a[1], b[1]
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    if math.isinf(x) or math.isinf(y):
        return x == y
    return abs(x - y) <= 1e-12 * max(1.0, abs(x))


@given(traced_programs_at_the_edges())
def test_forward_agrees_on_every_path_at_the_edges(case):
    program, safe, edge = case
    tape = Tape.record(program, *safe)
    dynamic = _outcome(lambda: program(*[Value(x) for x in edge]).data)
    scalar = _outcome(lambda: tape.forward(*edge)[-1])
    batched = _outcome(lambda: tape.batch_forward(*[np.array([x]) for x in edge])[0])
    assert _same(dynamic, scalar), (dynamic, scalar)
    assert _same(scalar, batched), (scalar, batched)


@given(traced_programs_at_the_edges())
def test_a_batch_mixing_edge_and_safe_points_gives_each_point_its_own_answer(case):
    program, safe, edge = case
    tape = Tape.record(program, *safe)
    alone = _outcome(lambda: tape.forward(*safe)[-1])
    edge_alone = _outcome(lambda: tape.forward(*edge)[-1])
    columns = [np.array([s, e]) for s, e in zip(safe, edge, strict=True)]
    together = _outcome(lambda: tape.batch_forward(*columns)[0])
    if edge_alone[0] == "error":
        assert together[0] == "error"  # the batch fails as the failing point fails
    else:
        assert _same(alone, together)


def _gradients(run):
    try:
        return ("value", [float(g) for g in run()])
    except DomainError as err:
        return ("error", type(err))


def _same_list(a, b):
    if a[0] != b[0] or a[0] == "error":
        return a[0] == b[0]
    return len(a[1]) == len(b[1]) and all(
        _same(("value", x), ("value", y)) for x, y in zip(a[1], b[1], strict=True))


@given(traced_programs_at_the_edges())
def test_gradients_agree_on_every_path_at_the_edges(case):
    program, safe, edge = case
    tape = Tape.record(program, *safe)

    def dynamic():
        leaves = [Value(x) for x in edge]
        program(*leaves).backward()
        return [leaf.grad for leaf in leaves]

    by_backward = _gradients(dynamic)
    by_replay = _gradients(lambda: tape.value_and_grad(*edge)[1])
    by_batch = _gradients(
        lambda: [g[0] for g in tape.batch_value_and_grad(*[np.array([x]) for x in edge])[1]])
    assert _same_list(by_backward, by_replay), (by_backward, by_replay)
    assert _same_list(by_replay, by_batch), (by_replay, by_batch)


def _batch_outcome(run):
    """('value', value and gradients as numpy arrays) or ('error', DomainError subclass,
    message)."""
    try:
        value, grads = run()
    except DomainError as err:
        return ("error", type(err), str(err))
    return ("value", [np.asarray(value, dtype=float), *[np.asarray(g, dtype=float)
                                                      for g in grads]])


@given(traced_programs_at_the_edges())
def test_lowered_batches_with_edge_points_answer_as_unlowered_ones(case):
    program, safe, edge = case
    tape = Tape.record(program, *safe)
    columns = [np.array([s, e, s]) for s, e in zip(safe, edge, strict=True)]
    unlowered = _batch_outcome(lambda: tape.batch_value_and_grad(*columns, lower=False))
    for lowered in (_batch_outcome(lambda: tape.batch_value_and_grad(*columns)),
                    _batch_outcome(lambda: tape.batch_value_and_grad(*columns,
                                                                     backend="torch"))):
        assert lowered[0] == unlowered[0]
        if lowered[0] == "error":
            assert lowered[1:] == unlowered[1:]
        else:
            for got, want in zip(lowered[1], unlowered[1], strict=True):
                assert got.shape == want.shape
                assert all(_same(("value", float(a)), ("value", float(b)))
                           for a, b in zip(got, want, strict=True)), (got, want)
