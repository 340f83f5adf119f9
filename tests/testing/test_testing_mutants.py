"""Tests of the testers: check_grad must catch bugs injected into a copy of the engine.

Each mutant swaps one op's local derivative rule in place (`swapped_rule`, restored
afterwards) or replaces the backward loop (pytest's monkeypatch) for one test only; the
engine files are untouched. Every test first shows the unmutated engine passing at the same
point, so it can fail.
"""

import contextlib
import itertools
import math

import pytest
from hypothesis import given, settings

from autograd import Value, backprop, ops
from autograd.graph import topological_order
from autograd.testing import GradientMismatch, check_forward_reverse, check_grad
from autograd.testing.op_calls import call_op
from autograd.testing.strategies import programs_with_inputs

RELATIVE_ERROR = 1e-4


@contextlib.contextmanager
def swapped_rule(op, rule):
    """op's local derivative rule replaced by rule inside the block (Op is frozen, and Value's
    methods hold the rows themselves, so the row is changed in place and restored after).

    A bound op (x ** 2.0, clip(-1, 1)) is the instance ops.op._bind caches, so every node
    built while the block runs records this same, mutated instance.
    """
    original = op.rule
    object.__setattr__(op, "rule", rule)
    try:
        yield op
    finally:
        object.__setattr__(op, "rule", original)


def current(op):
    """The instance Value's operators and methods use now for op (bind's cached one)."""
    return op.row.bind(*op.bound) if op.bound is not None else op


def point_in_domain(op):
    """A fixed point inside op's domain, 70% of the way along one interval per input: the
    combination of intervals where the largest local derivative is largest (clip is flat
    outside [lo, hi], where a relative error has nothing to change)."""
    candidates = itertools.product(*[[lo + 0.7 * (hi - lo) for lo, hi in intervals]
                                     for intervals in op.input_domain()])

    def steepest(point):
        return max(abs(d) for d in op.rule(*point, op.forward(*point)))

    return list(max(candidates, key=steepest))


def derivative_is_identically_zero(op):
    """True if the rule gives 0 for every input across op's domain (floor, sign, x ** 0)."""
    grids = [[lo + (hi - lo) * k / 8 for lo, hi in intervals for k in range(9)]
             for intervals in op.input_domain()]
    points = [(x,) for x in grids[0]] if op.arity == 1 else [
        (x, y) for x in grids[0] for y in grids[1]]
    return all(d == 0 for p in points for d in op.rule(*p, op.forward(*p)))


def off_by_relative(op, factor):
    """op's rule with every local derivative multiplied by factor."""
    rule = op.rule
    return lambda *args: tuple(d * factor for d in rule(*args))


MUTABLE = [op for op in ops.TABLE if not derivative_is_identically_zero(op)]


def test_only_ops_with_a_derivative_of_zero_everywhere_are_left_out():
    left_out = {op.symbol for op in ops.TABLE} - {op.symbol for op in MUTABLE}
    assert left_out == {"floor", "sign", "**0"}


@pytest.mark.parametrize("op", MUTABLE, ids=lambda op: op.symbol)
def test_a_local_derivative_off_by_1e_4_relative_is_caught(op):
    op = current(op)

    def f(*xs):
        return call_op(op, *xs)

    point = point_in_domain(op)
    check_grad(f, point)
    assert call_op(op, *[Value(x) for x in point]).op_record is op
    with swapped_rule(op, off_by_relative(op, 1.0 + RELATIVE_ERROR)):
        with pytest.raises(GradientMismatch, match="<< mismatch"):
            check_grad(f, point)
    check_grad(f, point)  # restored


def test_the_swap_is_undone_even_when_the_block_raises():
    tanh = ops.BY_NAME["tanh"]
    rule = tanh.rule
    with pytest.raises(RuntimeError), swapped_rule(tanh, lambda x, out: (0.0,)):
        assert Value(0.3).tanh().local_grads == (0.0,)
        raise RuntimeError
    assert tanh.rule is rule
    assert Value(0.3).tanh().local_grads == pytest.approx((1 - math.tanh(0.3) ** 2,))


def test_tanh_derivative_written_as_one_minus_t_is_caught():
    def neuron(w, x, b):
        return (w * x + b).tanh()

    point = [0.5, -1.2, 0.3]
    check_grad(neuron, point)
    with swapped_rule(ops.BY_NAME["tanh"], lambda x, out: (1.0 - out,)):
        with pytest.raises(GradientMismatch, match="<< mismatch"):
            check_grad(neuron, point)


def test_sigmoid_derivative_missing_its_out_factor_is_caught_by_forward_mode_too():
    def f(x):
        return x.sigmoid()

    check_forward_reverse(f, [0.4])
    check_grad(f, [0.4])
    with swapped_rule(ops.BY_NAME["sigmoid"], lambda x, out: (1.0 - out,)):
        with pytest.raises(GradientMismatch, match="<< mismatch"):
            check_grad(f, [0.4])


def propagate_overwriting(root, seed=1.0, create_graph=False, observer=None, order=None):
    """The backward loop with the classic bug: `grads[parent] = contribution` (= not +=)."""
    if order is None:
        order = topological_order(root)
    grads = {root: seed}
    for node in reversed(order):
        if node.op_record is None:
            continue
        inputs = node.parents if create_graph else [p.data for p in node.parents]
        local = node.op_record.rule(*inputs, node if create_graph else node.data)
        for parent, derivative in zip(node.parents, local, strict=True):
            grads[parent] = grads[node] * derivative
    return order, grads


def accumulate_overwriting(root, seed):
    """The in-place pass that backward() runs, with the same bug: `.grad = contribution`."""
    order, grads = propagate_overwriting(root, seed)
    for node in order:
        if node.op_record is not None:
            node.grad = grads.get(node, 0.0)
        else:
            node.grad = node.grad + grads.get(node, 0.0)


def inject_overwriting(monkeypatch):
    """The overwriting bug in both backward loops: the in-place pass and propagate."""
    monkeypatch.setattr(backprop, "propagate", propagate_overwriting)
    monkeypatch.setattr(backprop, "accumulate_in_nodes", accumulate_overwriting)


def reused(x, y):
    h = x * y
    return h.tanh() + h * x


def test_overwriting_instead_of_accumulating_is_caught(monkeypatch):
    point = [0.8, -0.6]
    check_grad(reused, point)
    inject_overwriting(monkeypatch)
    with pytest.raises(GradientMismatch, match="<< mismatch"):
        check_grad(reused, point)


def test_forward_mode_catches_overwriting_too(monkeypatch):
    point = [0.8, -0.6]
    check_forward_reverse(reused, point)
    inject_overwriting(monkeypatch)
    with pytest.raises(GradientMismatch, match="forward/reverse check FAILED"):
        check_forward_reverse(reused, point)


def test_random_programs_find_the_overwriting_bug(monkeypatch):
    inject_overwriting(monkeypatch)

    @settings(max_examples=100)
    @given(programs_with_inputs())
    def property_check(case):
        program, inputs = case
        check_grad(program, inputs)

    with pytest.raises(GradientMismatch):
        property_check()


def test_leaves_overwritten_on_a_second_backward_is_caught(monkeypatch):
    def backward_overwriting_leaves(root, grad=1.0, create_graph=False):
        order, grads = backprop.propagate(root, grad, create_graph)
        for node in order:
            node.grad = grads[node]

    check_grad(reused, [0.8, -0.6])
    monkeypatch.setattr(backprop, "backward", backward_overwriting_leaves)
    with pytest.raises(GradientMismatch, match="did not double the leaf gradients"):
        check_grad(reused, [0.8, -0.6])
