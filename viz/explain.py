"""explain(root, leaf): the gradient as a sum over paths of products of local derivatives."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from viz.ledger import Ledger, backprop_steps
from viz.naming import plain_text
from viz.number_format import format_number


class TooManyPathsError(ValueError):
    """The number of root-to-leaf paths is above the limit given to explain()."""


@dataclass(frozen=True)
class GradientPath:
    """One path from the root down to the leaf, with the local derivative on each edge."""

    nodes: tuple[Any, ...]
    locals: tuple[float, ...]

    @property
    def product(self) -> float:
        """The product of the local derivatives along the path."""
        return math.prod(self.locals)


class Explanation:
    """Every path from root to leaf, its product of local derivatives, and their sum.

    `total` equals the leaf's gradient from backward() up to rounding (the sum is taken
    in path order, backward() adds in its own order). `str()` gives one line per path.

    Example:
        >>> from autograd import Value
        >>> x = Value(3.0, "x")
        >>> y = x * x
        >>> y.label = "y"
        >>> print(explain(y, x))
        dy/dx = sum over 2 paths of the product of local derivatives
          y -> x : 3.0000 = 3.0000
          y -> x : 3.0000 = 3.0000
          total = 6.0000
    """

    def __init__(self, root: Any, leaf: Any, paths: list[GradientPath], ledger: Ledger):
        self.root = root
        self.leaf = leaf
        self.paths = paths
        self.ledger = ledger

    @property
    def total(self) -> float:
        """The sum over paths of the product of local derivatives."""
        return math.fsum(path.product for path in self.paths)

    def __str__(self) -> str:
        name = self.ledger.name
        root = name(self.root)
        in_graph = id(self.leaf) in self.ledger.names
        label = plain_text(getattr(self.leaf, "label", ""))
        leaf = name(self.leaf) if in_graph else label or "?"
        count = len(self.paths)
        if self.leaf is self.root:
            # Not d root/d root: the root's gradient is the seed, the path has no edges.
            return (f"{root} is the root itself: its gradient is the seed, "
                    f"{format_number(self.total)} (one path with no edges)")
        lines = [
            f"d{root}/d{leaf} = sum over {count} path{'s' * (count != 1)} "
            "of the product of local derivatives"
        ]
        if not in_graph:
            lines.append(
                f"  {label or 'the leaf'} is not in the graph of {root}, so no path leads to it"
            )
        for path in self.paths:
            route = " -> ".join(name(node) for node in path.nodes)
            factors = " * ".join(format_number(v) for v in path.locals) or "1"
            lines.append(f"  {route} : {factors} = {format_number(path.product)}")
        lines.append(f"  total = {format_number(self.total)}")
        return "\n".join(lines)


def explain(root: Any, leaf: Any, max_paths: int = 10_000) -> Explanation:
    """Every path from root to leaf with its product of local derivatives, and their sum.

    The local derivatives are the ones the backward pass used (taken from the ledger),
    so the sum of the path products equals `leaf.grad` after `root.backward()`. The
    number of paths can grow exponentially with depth; above `max_paths` this raises
    TooManyPathsError instead of running for ever.

    Example:
        >>> from autograd import Value
        >>> a, b = Value(2.0, "a"), Value(5.0, "b")
        >>> c = a * b + a
        >>> c.label = "c"
        >>> result = explain(c, a)
        >>> [path.product for path in result.paths], result.total
        ([5.0, 1.0], 6.0)
    """
    ledger = backprop_steps(root)
    if id(leaf) not in ledger.grads:
        return Explanation(root, leaf, [], ledger)
    local = {}
    for step in ledger.steps:
        for edge in step.edges:
            local[(id(step.node), edge.index)] = edge.local
    reaches_leaf = {id(leaf)}
    for node in ledger.order:
        if any(id(p) in reaches_leaf for p in node.parents):
            reaches_leaf.add(id(node))

    paths: list[GradientPath] = []
    # Depth-first with an explicit stack of (node, link). A link is (previous link, node,
    # local derivative into it): pushing shares the path so far instead of copying it,
    # and a path is spelled out only once it reaches the leaf.
    start = (None, root, None)
    stack: list[tuple[Any, tuple]] = [(root, start)]
    while stack:
        node, link = stack.pop()
        if node is leaf:
            paths.append(_path_of(link))
            if len(paths) > max_paths:
                raise TooManyPathsError(
                    f"explain: more than max_paths={max_paths} paths lead from "
                    f"{ledger.name(root)!r} to {ledger.name(leaf)!r}; pass a larger "
                    "max_paths or explain a smaller graph"
                )
            continue
        parents = node.parents
        for i in range(len(parents) - 1, -1, -1):
            parent = parents[i]
            if id(parent) in reaches_leaf:
                stack.append((parent, (link, parent, local[(id(node), i)])))
    return Explanation(root, leaf, paths, ledger)


def _path_of(link: tuple) -> GradientPath:
    nodes, factors = [], []
    while link is not None:
        previous, node, factor = link
        nodes.append(node)
        if previous is not None:
            factors.append(factor)
        link = previous
    return GradientPath(tuple(reversed(nodes)), tuple(reversed(factors)))
