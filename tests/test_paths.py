"""autograd.paths: the gradient as a sum over root-to-leaf paths, counted, bounded, named."""

import math
import random
import time

import pytest

from autograd import Value, topological_order
from autograd.paths import TooManyPathsError, count_paths, gradient_paths, node_names
from viz.naming import node_names as ledger_names

UNARY = ("tanh", "sin", "exp", "sigmoid", "relu", "neg")
BINARY = ("add", "sub", "mul")


def random_graph(seed: int, leaves: int = 3, steps: int = 12) -> tuple[Value, list[Value]]:
    """A random graph over labelled leaves where nodes are reused (so paths branch and meet)."""
    rng = random.Random(seed)
    xs = [Value(rng.uniform(-1.5, 1.5), f"x{i}") for i in range(leaves)]
    nodes = list(xs)
    for _ in range(steps):
        a, b = rng.choice(nodes), rng.choice(nodes)
        kind = rng.choice(("unary", "binary", "constant"))
        if kind == "unary":
            op = rng.choice(UNARY)
            node = -a if op == "neg" else getattr(a, op)()
        elif kind == "binary":
            node = {"add": a + b, "sub": a - b, "mul": a * b}[rng.choice(BINARY)]
        else:
            node = a * rng.choice((0.5, 2.0, -3.0))
        nodes.append(node)
    root = nodes[-1]
    for node in nodes[leaves:-1]:
        root = root + 0.1 * node  # every node counts, so most leaves have several paths
    return root, xs


@pytest.mark.parametrize("seed", range(25))
def test_the_path_products_sum_to_the_gradient(seed):
    root, xs = random_graph(seed)
    root.backward()
    for x in xs:
        paths = gradient_paths(root, x)
        assert len(paths) == count_paths(root, x)
        total = math.fsum(p.product for p in paths)
        assert total == pytest.approx(x.grad, rel=1e-9, abs=1e-12)
        for p in paths:
            assert p.nodes[0] is root and p.nodes[-1] is x
            for k, slot in enumerate(p.inputs):
                assert p.nodes[k].parents[slot] is p.nodes[k + 1]
                assert p.locals[k] == p.nodes[k].local_grads[slot]


def test_x_times_x_gives_two_paths_told_apart_by_the_parent_slot():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    root = x * y + x * x
    paths = gradient_paths(root, x)
    assert [p.product for p in paths] == [3.0, 2.0, 2.0]
    assert [p.inputs for p in paths] == [(0, 0), (1, 0), (1, 1)]
    assert paths[1].nodes == paths[2].nodes


def test_the_order_is_the_same_for_a_rebuilt_graph():
    def build(a, b):
        x, y = Value(a, "x"), Value(b, "y")
        h = (x * y).tanh()
        return h * x + h.exp() * y, x

    first, x1 = build(0.3, -0.7)
    second, x2 = build(1.1, 0.4)
    order1, order2 = topological_order(first), topological_order(second)
    where1 = {n: k for k, n in enumerate(order1)}
    where2 = {n: k for k, n in enumerate(order2)}
    routes1 = [[where1[n] for n in p.nodes] for p in gradient_paths(first, x1)]
    routes2 = [[where2[n] for n in p.nodes] for p in gradient_paths(second, x2)]
    assert routes1 == routes2


def test_a_leaf_outside_the_graph_has_no_path_and_the_root_one_empty_path():
    x, z = Value(1.0, "x"), Value(2.0, "z")
    root = x.tanh()
    assert count_paths(root, z) == 0 and gradient_paths(root, z) == []
    (only,) = gradient_paths(root, root)
    assert only.nodes == (root,) and only.product == 1.0


def ladder(rungs: int) -> tuple[Value, Value]:
    """Each rung doubles the number of paths: h = h * h, 2**rungs paths from the top to x."""
    x = Value(0.5, "x")
    h = x
    for _ in range(rungs):
        h = h * h
    return h, x


def test_too_many_paths_is_refused_before_enumerating():
    root, x = ladder(60)
    assert count_paths(root, x) == 2**60
    started = time.perf_counter()
    with pytest.raises(TooManyPathsError, match=r"1152921504606846976 paths .* max_paths=10000"):
        gradient_paths(root, x)
    assert time.perf_counter() - started < 1.0
    root, x = ladder(5)
    assert len(gradient_paths(root, x, max_paths=32)) == 32
    with pytest.raises(TooManyPathsError):
        gradient_paths(root, x, max_paths=31)


def test_a_deep_chain_needs_no_recursion():
    x = Value(0.1, "x")
    h = x
    for _ in range(50_000):
        h = h + 1.0
    (path,) = gradient_paths(h, x)
    assert len(path.nodes) == 50_001 and path.product == 1.0


@pytest.mark.parametrize("seed", range(10))
def test_node_names_are_the_ledgers(seed):
    root, _ = random_graph(seed)
    order = topological_order(root)
    ours = node_names(order)
    theirs = ledger_names(order)
    assert {id(node): name for node, name in ours.items()} == theirs


def test_node_names_skip_a_users_own_percent_label_and_name_constants_by_value():
    x = Value(1.0, "x")
    a = x * 2.5
    a.label = "%1"
    b = (a + x).tanh()
    names = node_names(topological_order(b))
    assert names[a] == "%1"
    assert sorted(names.values()) == ["%1", "%2", "%3", "2.5", "x"]
    assert {id(n): v for n, v in names.items()} == ledger_names(topological_order(b))
