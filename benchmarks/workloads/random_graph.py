"""The wide random graph: leaves, then random +, * and a squashing unary op, summed to one root.

The graph is described once as a program of plain integers (op code, parent indices), made
from a seed with the standard library, so every engine builds exactly the same structure.
Every node the program makes is reachable from the root: nodes that no later op uses are
summed pairwise (a balanced tree, so no engine needs deep recursion) into the root.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ADD, MUL, UNARY = 0, 1, 2


@dataclass(frozen=True)
class Program:
    """Leaf values and a list of (op code, parent index, parent index) steps; last is root."""

    leaves: tuple[float, ...]
    steps: tuple[tuple[int, int, int], ...]

    @property
    def node_count(self) -> int:
        """Nodes in the graph the program builds (leaves plus one per step)."""
        return len(self.leaves) + len(self.steps)


def make_program(seed: int = 0, nodes: int = 100_000, leaf_fraction: float = 0.02) -> Program:
    """A program of exactly `nodes` nodes mixing +, * and the unary op in equal parts."""
    if nodes < 2:
        raise ValueError(f"a random graph needs at least 2 nodes, got {nodes}")
    rng = random.Random(seed)
    n_leaves = max(1, int(nodes * leaf_fraction))
    leaves = tuple(rng.uniform(-1.0, 1.0) for _ in range(n_leaves))
    steps: list[tuple[int, int, int]] = []
    unused = set(range(n_leaves))
    # Stop while the pairwise sum of the still-unused nodes fits into the node budget.
    while n_leaves + len(steps) + len(unused) - 1 < nodes:
        size = n_leaves + len(steps)
        if n_leaves + len(steps) + len(unused) == nodes:
            # One node left in the budget: a unary op on an unused node adds exactly one.
            code, a = UNARY, rng.choice(sorted(unused))
        else:
            code = rng.randrange(3)
            a = rng.randrange(size)
        b = rng.randrange(size) if code != UNARY else a
        unused.discard(a)
        unused.discard(b)
        unused.add(size)
        steps.append((code, a, b))
    level = sorted(unused)
    while len(level) > 1:
        paired = []
        for i in range(0, len(level) - 1, 2):
            paired.append(n_leaves + len(steps))
            steps.append((ADD, level[i], level[i + 1]))
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return Program(leaves, tuple(steps))


def build(program: Program, make_leaf: Callable[[float], Any], unary_name: str) -> list:
    """Build the program's graph with an engine's leaf constructor; return every node, root last."""
    nodes = [make_leaf(x) for x in program.leaves]
    append = nodes.append
    for code, a, b in program.steps:
        if code == ADD:
            append(nodes[a] + nodes[b])
        elif code == MUL:
            append(nodes[a] * nodes[b])
        else:
            append(getattr(nodes[a], unary_name)())
    return nodes
