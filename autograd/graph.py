"""Walks over a graph of Values: iterative, deterministic, never recursive."""

from __future__ import annotations

from typing import Any


def topological_order(root: Any) -> list:
    """Every node reachable from root, each after all of its parents; root comes last.

    Depth-first over `parents` in tuple order, with an explicit stack, so the order is
    the same on every run and a million-node chain needs no recursion.
    """
    order = []
    expanded = set()
    emitted = set()
    stack = [root]
    while stack:
        node = stack[-1]
        key = id(node)
        if key in expanded:
            stack.pop()
            if key not in emitted:
                emitted.add(key)
                order.append(node)
            continue
        expanded.add(key)
        parents = node.parents
        for i in range(len(parents) - 1, -1, -1):
            parent = parents[i]
            if id(parent) not in expanded:
                stack.append(parent)
    return order


def leaves(root: Any) -> list:
    """The leaves (nodes without parents) reachable from root, in topological order."""
    return [node for node in topological_order(root) if not node.parents]
