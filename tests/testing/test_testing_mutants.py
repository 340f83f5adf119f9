"""Tests of the testers: check_grad must catch bugs injected into a copy of the engine.

Each mutant replaces one op-table entry (dataclasses.replace on a copy) or the backward loop
for the duration of one test only (pytest's monkeypatch); the engine files are untouched.
Every test first shows the unmutated engine passing at the same point, so it can fail.
"""

import dataclasses

import pytest
from hypothesis import given, settings

from autograd import Value, backprop, ops
from autograd.graph import topological_order
from autograd.testing import GradientMismatch, check_forward_reverse, check_grad
from autograd.testing.op_calls import call_op
from autograd.testing.strategies import programs_with_inputs

RELATIVE_ERROR = 1e-4


def point_in_domain(op):
    """A fixed point inside op's domain, 70% of the way along its last interval."""
    point = []
    for intervals in op.domain:
        lo, hi = intervals[-1]
        point.append(lo + 0.7 * (hi - lo))
    return point


def off_by_relative(op, factor):
    """A copy of op whose every local derivative is multiplied by factor."""
    rule = op.rule
    return dataclasses.replace(op, rule=lambda *args: tuple(d * factor for d in rule(*args)))


def install(monkeypatch, original, mutant):
    """Make Value's operators and methods build nodes with mutant in place of original."""
    if original.name == "pow_const":
        real_power_op = ops.power_op
        monkeypatch.setattr(
            ops, "power_op", lambda c: mutant if real_power_op(c) is original else real_power_op(c)
        )
        return
    for name in dir(ops):
        if getattr(ops, name) is original:
            monkeypatch.setattr(ops, name, mutant)


# x**0 is left out: its derivative is 0 everywhere, so a relative error cannot change it.
@pytest.mark.parametrize(
    "op", [op for op in ops.TABLE if op.formulas != ("0",)], ids=lambda op: op.symbol
)
def test_a_local_derivative_off_by_1e_4_relative_is_caught(op, monkeypatch):
    def f(*xs):
        return call_op(op, *xs)

    point = point_in_domain(op)
    check_grad(f, point)
    install(monkeypatch, op, off_by_relative(op, 1.0 + RELATIVE_ERROR))
    assert call_op(op, *[Value(x) for x in point]).op_record is not op
    with pytest.raises(GradientMismatch, match="<< mismatch"):
        check_grad(f, point)


def test_tanh_derivative_written_as_one_minus_t_is_caught(monkeypatch):
    def neuron(w, x, b):
        return (w * x + b).tanh()

    point = [0.5, -1.2, 0.3]
    check_grad(neuron, point)
    one_minus_t = dataclasses.replace(ops.TANH, rule=lambda x, out: (1.0 - out,))
    monkeypatch.setattr(ops, "TANH", one_minus_t)
    with pytest.raises(GradientMismatch, match="<< mismatch"):
        check_grad(neuron, point)


def propagate_overwriting(root, seed=1.0, create_graph=False, observer=None, order=None):
    """The backward loop with the classic bug: `grads[parent] = contribution` (= not +=)."""
    if order is None:
        order = topological_order(root)
    grads = {root: seed}
    for node in reversed(order):
        if node._op is None:
            continue
        inputs = node.parents if create_graph else [p.data for p in node.parents]
        local = node._op.rule(*inputs, node if create_graph else node.data)
        for parent, derivative in zip(node.parents, local, strict=True):
            grads[parent] = grads[node] * derivative
    return order, grads


def reused(x, y):
    h = x * y
    return h.tanh() + h * x


def test_overwriting_instead_of_accumulating_is_caught(monkeypatch):
    point = [0.8, -0.6]
    check_grad(reused, point)
    monkeypatch.setattr(backprop, "propagate", propagate_overwriting)
    with pytest.raises(GradientMismatch, match="<< mismatch"):
        check_grad(reused, point)


def test_forward_mode_catches_overwriting_too(monkeypatch):
    point = [0.8, -0.6]
    check_forward_reverse(reused, point)
    monkeypatch.setattr(backprop, "propagate", propagate_overwriting)
    with pytest.raises(GradientMismatch, match="forward/reverse check FAILED"):
        check_forward_reverse(reused, point)


def test_random_programs_find_the_overwriting_bug(monkeypatch):
    monkeypatch.setattr(backprop, "propagate", propagate_overwriting)

    @settings(max_examples=100)
    @given(programs_with_inputs(kinds=("add", "mul", "tanh", "exp", "sub")))
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
