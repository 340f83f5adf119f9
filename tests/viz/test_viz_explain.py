"""explain(): every root-to-leaf path, its product of local derivatives, and their sum."""

import pytest
from hypothesis import given

from autograd import Value
from autograd.testing.strategies import programs_with_inputs
from viz import TooManyPathsError, explain


def test_two_paths_through_a_shared_input():
    a, b = Value(2.0, "a"), Value(5.0, "b")
    c = a * b + a
    c.label = "c"
    result = explain(c, a)
    # By hand: c = a*b + a, so dc/da = b + 1 = 6, one path through the product, one direct.
    assert [[n.label or "%" for n in path.nodes] for path in result.paths] == [
        ["c", "%", "a"],
        ["c", "a"],
    ]
    assert [path.locals for path in result.paths] == [(1.0, 5.0), (1.0,)]
    assert result.total == 6.0


def test_text_lists_each_path_and_the_total():
    x = Value(3.0, "x")
    y = x * x
    y.label = "y"
    assert str(explain(y, x)).splitlines() == [
        "dy/dx = sum over 2 paths of the product of local derivatives",
        "  y -> x : 3.0000 = 3.0000",
        "  y -> x : 3.0000 = 3.0000",
        "  total = 6.0000",
    ]


def test_a_leaf_the_root_does_not_depend_on_has_no_paths():
    x, z = Value(1.0, "x"), Value(2.0, "z")
    result = explain(x.exp(), z)
    assert result.paths == [] and result.total == 0.0


def test_path_count_is_guarded():
    x = Value(0.5, "x")
    y = x
    for _ in range(12):  # each level doubles the paths: 4096 of them
        y = y * y
    with pytest.raises(TooManyPathsError, match="more than max_paths=100"):
        explain(y, x, max_paths=100)
    assert len(explain(y, x).paths) == 4096


@given(programs_with_inputs(max_steps=6))
def test_path_sum_equals_the_gradient_on_random_programs(case):
    program, inputs = case
    leaves = [Value(x, f"x{i}") for i, x in enumerate(inputs)]
    root = program(*leaves)
    root.backward()
    for leaf in leaves:
        total = explain(root, leaf).total
        assert total == pytest.approx(leaf.grad, rel=1e-9, abs=1e-12)


def test_text_for_a_leaf_outside_the_graph_names_it_and_gives_zero():
    x, z = Value(1.0, "x"), Value(2.0, "z")
    y = x.exp()
    y.label = "y"
    assert str(explain(y, z)).splitlines() == [
        "dy/dz = sum over 0 paths of the product of local derivatives",
        "  z is not in the graph of y, so no path leads to it",
        "  total = 0.0000",
    ]
    unlabelled = str(explain(y, Value(5.0))).splitlines()
    assert unlabelled[:2] == [
        "dy/d? = sum over 0 paths of the product of local derivatives",
        "  the leaf is not in the graph of y, so no path leads to it",
    ]


def test_a_deep_chain_has_one_path_through_every_node():
    # y = y*1.0001 + 0.1 repeated: one path of 2 edges per step; the local derivatives
    # are 1 (through +) and 1.0001 (through *), by hand.
    x = Value(0.5, "x")
    y = x
    depth = 20_000
    chain = [x]
    for _ in range(depth):
        product = y * 1.0001
        y = product + 0.1
        chain += [product, y]
    result = explain(y, x)
    assert len(result.paths) == 1
    (path,) = result.paths
    assert [id(n) for n in path.nodes] == [id(n) for n in reversed(chain)]
    assert path.locals == (1.0, 1.0001) * depth


def test_the_path_guard_still_counts_paths_on_a_deep_graph():
    x = Value(1.0, "x")
    y = x
    for _ in range(40):  # y = y + y doubles the number of paths each time
        y = y + y
    with pytest.raises(TooManyPathsError, match="more than max_paths=100 paths"):
        explain(y, x, max_paths=100)
