"""The floor probes: the cheapest pure-Python code that does an engine's work, node for node.

Build floor: `FloorNode`, a `__slots__` node with the six slots a Value has (data, grad,
label, op, first, second), made in each operator with `object.__new__` plus its stores, and
numbers on either side wrapped as leaves, as a Value wraps them. Nothing else: no checks
of the result, no op table, no grad-mode lookup.

Backward floor: `order` is an iterative depth-first topological sort over the two parent
slots that marks the nodes it has seen in their `.grad` slot (measured here about 40%
cheaper than a set of seen nodes); `propagate` is one closure-free loop over the reversed
order that dispatches on the op code by identity and puts each edge's contribution
straight into the parent's `.grad`, replacing the mark or adding to it (no dict, no rule
call, no tuple).

The workloads build their graphs through `+`, `*`, `.tanh()` and `.relu()` with numbers on
either side, so a FloorNode builds exactly the same graph shape as a Value.
"""

from __future__ import annotations

import math
from typing import Any

ADD, MUL, TANH, RELU = 0, 1, 2, 3

_new = object.__new__
_tanh = math.tanh


class FloorNode:
    """A bare graph node: the least a Python engine with one object per node must allocate."""

    __slots__ = ("data", "grad", "label", "op", "first", "second")

    def __init__(self, data: float) -> None:
        self.data = float(data)
        self.grad = 0.0
        self.label = ""
        self.op = None
        self.first = None
        self.second = None

    @property
    def parents(self) -> tuple:
        """The node's parents (for counting nodes; never used while timing)."""
        return tuple(p for p in (self.first, self.second) if p is not None)

    def backward(self) -> None:
        """order, then propagate, from this node (the workloads call root.backward())."""
        propagate(order(self))

    def __add__(self, other: Any) -> FloorNode:
        if other.__class__ is not FloorNode:
            other = _leaf(other)
        node = _new(FloorNode)
        node.data = self.data + other.data
        node.grad = 0.0
        node.label = ""
        node.op = ADD
        node.first = self
        node.second = other
        return node

    def __radd__(self, other: Any) -> FloorNode:
        first = _leaf(other)
        node = _new(FloorNode)
        node.data = first.data + self.data
        node.grad = 0.0
        node.label = ""
        node.op = ADD
        node.first = first
        node.second = self
        return node

    def __mul__(self, other: Any) -> FloorNode:
        if other.__class__ is not FloorNode:
            other = _leaf(other)
        node = _new(FloorNode)
        node.data = self.data * other.data
        node.grad = 0.0
        node.label = ""
        node.op = MUL
        node.first = self
        node.second = other
        return node

    def __rmul__(self, other: Any) -> FloorNode:
        first = _leaf(other)
        node = _new(FloorNode)
        node.data = first.data * self.data
        node.grad = 0.0
        node.label = ""
        node.op = MUL
        node.first = first
        node.second = self
        return node

    def tanh(self) -> FloorNode:
        node = _new(FloorNode)
        node.data = _tanh(self.data)
        node.grad = 0.0
        node.label = ""
        node.op = TANH
        node.first = self
        node.second = None
        return node

    def relu(self) -> FloorNode:
        x = self.data
        node = _new(FloorNode)
        node.data = x if x > 0.0 else 0.0
        node.grad = 0.0
        node.label = ""
        node.op = RELU
        node.first = self
        node.second = None
        return node


def _leaf(x: Any) -> FloorNode:
    """A number met in an operation, as a leaf node (a Value makes a Constant leaf)."""
    node = _new(FloorNode)
    node.data = float(x)
    node.grad = 0.0
    node.label = ""
    node.op = None
    node.first = None
    node.second = None
    return node


PENDING = object()
"""What `.grad` holds between `order` and the first contribution `propagate` adds: the
mark of a node the order has seen (cheaper than a set of seen nodes)."""


def order(root: FloorNode) -> list:
    """Every node reachable from root, parents first: iterative depth-first, root last.

    Marks each node it reaches by setting its `.grad` to PENDING (the graph is fresh: every
    `.grad` is 0.0 before), which `propagate` then replaces.
    """
    pending = PENDING
    emitted: list = []
    emit = emitted.append
    stack = [root]
    push = stack.append
    pop = stack.pop
    while stack:
        node = pop()
        if node is None:  # marker: every parent of the node below it has been emitted
            emit(pop())
            continue
        if node.grad is pending:
            continue
        node.grad = pending
        push(node)
        push(None)
        first = node.first
        if first is not None:
            second = node.second
            if second is not None and second.grad is not pending:
                push(second)
            if first.grad is not pending:
                push(first)
    return emitted


def propagate(nodes: list) -> None:
    """d root / d node into every node's .grad; nodes as `order` returns them (marked)."""
    pending = PENDING
    nodes[-1].grad = 1.0
    for node in reversed(nodes):
        op = node.op
        if op is None:
            continue
        g = node.grad
        a = node.first
        if op is ADD:
            b = node.second
            total = a.grad
            a.grad = g if total is pending else total + g
            total = b.grad
            b.grad = g if total is pending else total + g
        elif op is MUL:
            b = node.second
            to_a = g * b.data
            to_b = g * a.data
            total = a.grad
            a.grad = to_a if total is pending else total + to_a
            total = b.grad
            b.grad = to_b if total is pending else total + to_b
        else:
            if op is TANH:
                y = node.data
                to_a = g * (1.0 - y * y)
            else:  # RELU
                to_a = g if a.data > 0.0 else 0.0
            total = a.grad
            a.grad = to_a if total is pending else total + to_a
