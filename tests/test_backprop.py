"""Backpropagation: accumulation, repeated passes, order, atomic errors and deep graphs."""

import math

import pytest

from autograd import DomainError, Value, topological_order


def test_single_neuron_gradients_match_hand_derivation():
    x1, w1, x2, w2 = Value(2.0), Value(-3.0), Value(0.0), Value(1.0)
    b = Value(6.8813735870195432)
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.backward()
    dn = 1 - math.tanh(2.0 * -3.0 + 0.0 * 1.0 + 6.8813735870195432) ** 2
    assert o.grad == 1.0
    assert n.grad == pytest.approx(dn)
    assert x1.grad == pytest.approx(dn * -3.0)
    assert w1.grad == pytest.approx(dn * 2.0)
    assert x2.grad == pytest.approx(dn * 1.0)
    assert w2.grad == pytest.approx(0.0)
    assert b.grad == pytest.approx(dn)


def test_node_used_twice_in_one_op():
    a = Value(3.0)
    (a * a).backward()
    assert a.grad == 6.0


def test_diamond_accumulates_both_paths():
    a = Value(1.5)
    left = a * 2.0
    right = a + 3.0
    (left * right).backward()
    # d/da [2a (a + 3)] = 4a + 6
    assert a.grad == 4 * 1.5 + 6


def test_doubling_chain():
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0
    assert b.grad == 2.0


def test_backward_twice_doubles_leaves_and_refreshes_interior_nodes():
    a = Value(1.0)
    b = a * 2.0
    c = b * 3.0
    d = c * 4.0
    d.backward()
    assert (a.grad, b.grad, c.grad) == (24.0, 12.0, 4.0)
    d.backward()
    assert a.grad == 48.0  # leaves accumulate: exactly 2x, never 4x
    assert (b.grad, c.grad, d.grad) == (12.0, 4.0, 1.0)  # interior: latest pass


def test_backward_seed_scales_everything():
    x = Value(2.0)
    y = x * x
    y.backward(grad=0.5)
    assert x.grad == 2.0


def test_backward_on_a_leaf():
    x = Value(2.0)
    x.backward()
    assert x.grad == 1.0


@pytest.mark.parametrize("bad", ["1", None, 1j, [1.0]])
def test_backward_rejects_non_numeric_seed(bad):
    y = Value(2.0) * 3.0
    with pytest.raises(TypeError, match="real number"):
        y.backward(grad=bad)


def test_topological_order_is_deterministic_and_parents_first():
    def build():
        x, y = Value(1.0, "x"), Value(2.0, "y")
        s = x * y
        s.label = "s"
        t = (s + x).tanh()
        t.label = "t"
        u = t * s + y
        u.label = "u"
        return u

    orders = [[(n.label, n.op) for n in topological_order(build())] for _ in range(3)]
    assert orders[0] == orders[1] == orders[2]
    root = build()
    order = topological_order(root)
    position = {id(n): i for i, n in enumerate(order)}
    assert order[-1] is root
    assert len(position) == len(order)
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]


def test_a_failing_backward_changes_no_gradient():
    x = Value(0.0, "x")
    w = Value(2.0, "w")
    y = x**0.5 + x * w  # d sqrt(x)/dx is infinite at 0
    w.grad = 7.0
    with pytest.raises(DomainError, match=r"pow_const.*0.0 from node 'x'"):
        y.backward()
    assert (x.grad, w.grad, y.grad) == (0.0, 7.0, 0.0)


def test_million_node_chain_backpropagates_exactly():
    n = 1_000_000
    x0 = Value(0.5, "x0")
    x = x0
    for _ in range(n):
        x = x * 1.0001 + 0.1
    x.backward()
    expected = 1.0001**n
    assert x0.grad == pytest.approx(expected, rel=1e-9)
    del x  # freeing must not recurse either


def test_a_value_seed_without_create_graph_counts_as_its_number():
    x = Value(2.0)
    (x * 3.0).backward(grad=Value(0.5))
    assert type(x.grad) is float and x.grad == 1.5
