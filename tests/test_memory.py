"""Dropped graphs are freed by reference counting alone: no cycles for the collector."""

import gc
import tracemalloc

from autograd import Value, grad, topological_order


def _build_and_backprop(create_graph=False, size=50):
    xs = [Value(0.1 * i, f"x{i}") for i in range(size)]
    total = xs[0]
    for i, x in enumerate(xs[1:]):
        total = (total * x + i).tanh() + x.sigmoid() - x / 3.0
    total.backward(create_graph=create_graph)
    return total


def _unreachable_after(make):
    gc.collect()
    gc.disable()
    try:
        make()
        return gc.collect()
    finally:
        gc.enable()


def test_no_reference_cycles_in_a_graph_or_after_backward():
    assert _unreachable_after(_build_and_backprop) == 0


def test_create_graph_cycle_through_leaf_grad_is_broken_by_resetting_it():
    # With create_graph a leaf's .grad is a graph that refers back to the leaf (as in
    # PyTorch); setting .grad back to a number leaves no cycle behind.
    def make():
        root = _build_and_backprop(create_graph=True)
        for node in topological_order(root):
            node.grad = 0.0

    assert _unreachable_after(make) == 0


def test_create_graph_frees_the_graph_once_the_leaves_grads_are_reset():
    # The README's advice: reset the leaves. Interior nodes hold numbers, so nothing else
    # keeps the recorded backward graph alive.
    def make():
        xs = [Value(0.1 * i, f"x{i}") for i in range(50)]
        total = xs[0]
        for i, x in enumerate(xs[1:]):
            total = (total * x + i).tanh() + x.sigmoid() - x / 3.0
        total.backward(create_graph=True)
        assert all(isinstance(x.grad, Value) for x in xs)
        assert all(type(n.grad) is float for n in topological_order(total) if n.parents)
        for x in xs:
            x.grad = 0.0

    assert _unreachable_after(make) == 0


def test_no_reference_cycles_in_nested_grad():
    assert _unreachable_after(lambda: grad(grad(lambda x: (x * x).tanh()))(0.3)) == 0


def test_memory_returns_to_baseline_without_the_collector():
    _build_and_backprop()  # warm caches (specialised bytecode, interned labels)
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        root = _build_and_backprop(size=5_000)
        alive = tracemalloc.get_traced_memory()[0] - before
        del root
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        gc.enable()
    # CPython keeps small free lists of tuples and floats, so allow a few percent.
    assert alive > 2_000_000
    assert after - before < 0.05 * alive
