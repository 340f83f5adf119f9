"""Bit-identical rebuilds, accumulation through reused nodes, and the backward-twice rule."""

import sys

from hypothesis import assume, given
from hypothesis import strategies as st

from autograd import Value, backprop
from autograd.graph import topological_order
from autograd.testing.strategies import programs_with_inputs


def build(program, inputs):
    leaves = [Value(x) for x in inputs]
    return leaves, program(*leaves)


def bits(xs):
    return [float(x).hex() for x in xs]


def touches_subnormals(out):
    """True if any local derivative, contribution or running total of backprop is subnormal."""
    seen = []

    def record(node, upstream, parent, local, contribution, total):
        seen.extend((local, contribution, total))

    backprop.propagate(out, observer=record)
    return any(0.0 < abs(x) < sys.float_info.min for x in seen)


@given(programs_with_inputs())
def test_rebuilding_and_backpropagating_again_gives_identical_bits(case):
    program, inputs = case
    runs = []
    for _ in range(2):
        leaves, out = build(program, inputs)
        out.backward()
        runs.append(bits([out.data] + [leaf.grad for leaf in leaves]))
    assert runs[0] == runs[1]


@given(programs_with_inputs(), st.integers(0, 4))
def test_a_node_reused_2_to_the_m_times_scales_every_gradient_by_exactly_that(case, m):
    program, inputs = case
    leaves, out = build(program, inputs)
    # scaling by 2**m is exact only while no product falls into the subnormal range
    assume(not touches_subnormals(out))
    out.backward()
    once = [leaf.grad for leaf in leaves]

    leaves, out = build(program, inputs)
    total = out
    for _ in range(m):
        total = total + total  # reuses one node twice per level: 2**m paths to out
    total.backward()
    assert bits(leaf.grad for leaf in leaves) == bits(g * 2**m for g in once)


@given(programs_with_inputs())
def test_backward_twice_doubles_leaves_and_overwrites_interior_nodes(case):
    program, inputs = case
    _, out = build(program, inputs)
    nodes = topological_order(out)
    out.backward()
    first = [node.grad for node in nodes]
    out.backward()
    second = [node.grad for node in nodes]
    for node, g1, g2 in zip(nodes, first, second, strict=True):
        if node.parents:
            assert g2 == g1
        else:
            assert g2 == g1 + g1
