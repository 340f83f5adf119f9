"""Walks over a graph of Values: iterative, deterministic, never recursive."""

from __future__ import annotations

from typing import Any


def topological_order(root: Any) -> list:
    """Every node reachable from root, each after all of its parents; root comes last.

    Depth-first over `parents` in tuple order, with an explicit stack, so the order is
    the same on every run and a million-node chain needs no recursion.
    """
    order = []
    emit = order.append
    seen = set()  # Values hash by identity, so the nodes themselves are the keys
    mark = seen.add
    stack = [root]
    push = stack.append
    pop = stack.pop
    while stack:
        node = pop()
        if node is None:  # marker: all parents of the node under it are now emitted
            emit(pop())
            continue
        if node in seen:
            continue
        mark(node)
        push(node)
        push(None)
        # A Value keeps its parents in two slots (see value.py); reading them directly
        # saves building the `.parents` tuple for every node.
        first = node._first
        if first is not None:
            second = node._second
            if second is not None and second not in seen:
                push(second)
            if first not in seen:
                push(first)
    return order

