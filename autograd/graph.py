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
        parents = node.parents
        if len(parents) == 2:  # most nodes: spelled out, without a reversed() iterator
            a, b = parents
            if b not in seen:
                push(b)
            if a not in seen:
                push(a)
        else:
            for parent in reversed(parents):
                if parent not in seen:
                    push(parent)
    return order


def leaves(root: Any) -> list:
    """The leaves (nodes without parents) reachable from root, in topological order."""
    return [node for node in topological_order(root) if not node.parents]
