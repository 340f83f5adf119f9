"""Paths from a root down to a leaf: the gradient as a sum over paths of local-derivative products.

d root / d leaf is the sum, over every path from root to leaf, of the product of the local
derivatives along its edges. Everything here is iterative (explicit stacks), deterministic
(parents in tuple order) and bounded: the number of paths can grow exponentially with depth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from autograd.graph import topological_order
from autograd.ops.op import number_text

MAX_PATHS = 10_000


class TooManyPathsError(ValueError):
    """More root-to-leaf paths than the bound given; nothing was enumerated."""


@dataclass(frozen=True)
class Path:
    """One path: nodes from root to leaf, the parent slot taken at each step, the locals.

    `nodes[k + 1] is nodes[k].parents[inputs[k]]` and `locals[k]` is d nodes[k] / d that
    parent, so two paths through `x * x` differ only in `inputs`.
    """

    nodes: tuple[Any, ...]
    inputs: tuple[int, ...]
    locals: tuple[float, ...]

    @property
    def product(self) -> float:
        """The product of the local derivatives along the path (1.0 for root == leaf)."""
        return math.prod(self.locals)


def _path_counts(order: list, leaf: Any) -> dict[Any, int]:
    """node -> the number of paths from it down to leaf, for every node of order."""
    counts: dict[Any, int] = {}
    for node in order:
        if node is leaf:
            counts[node] = 1
        else:
            counts[node] = sum(counts[p] for p in node.parents)
    return counts


def count_paths(root: Any, leaf: Any) -> int:
    """The number of distinct paths from root down to leaf (an exact int; 0 if none).

    Example:
        >>> from autograd import Value
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> count_paths(x * y + x * x, x)
        3
    """
    return _path_counts(topological_order(root), leaf).get(root, 0)


def gradient_paths(root: Any, leaf: Any, max_paths: int = MAX_PATHS) -> list[Path]:
    """Every path from root down to leaf with its local derivatives, in a fixed order.

    The order is depth first, each node's parents in argument order, so a rebuilt graph of
    the same structure lists its paths in the same order. The path products sum to
    d root / d leaf. Raises TooManyPathsError, before enumerating, above max_paths.

    Example:
        >>> from autograd import Value
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> [p.product for p in gradient_paths(x * y + x * x, x)]
        [3.0, 2.0, 2.0]
    """
    counts = _path_counts(topological_order(root), leaf)
    total = counts.get(root, 0)
    if total > max_paths:
        raise TooManyPathsError(
            f"{total} paths lead from the root down to {_called(leaf)}, more than "
            f"max_paths={max_paths}; pass a larger max_paths or use a smaller graph"
        )
    if total == 0:
        return []
    reaches = {node for node, count in counts.items() if count}  # leaf is reachable from these
    local_grads: dict[Any, tuple] = {}
    paths: list[Path] = []
    # A link is (previous link, node, parent slot, local): pushing shares the path so far.
    stack: list[tuple[Any, tuple | None]] = [(root, (None, root, -1, 1.0))]
    while stack:
        node, link = stack.pop()
        if node is leaf:
            paths.append(_spelled_out(link))
            continue
        parents = node.parents
        if node not in local_grads:
            local_grads[node] = tuple(float(d) for d in node.local_grads)
        grads = local_grads[node]
        for i in range(len(parents) - 1, -1, -1):
            if parents[i] in reaches:
                stack.append((parents[i], (link, parents[i], i, grads[i])))
    return paths


def _spelled_out(link: tuple) -> Path:
    nodes, inputs, factors = [], [], []
    while link is not None:
        previous, node, slot, local = link
        nodes.append(node)
        if previous is not None:
            inputs.append(slot)
            factors.append(local)
        link = previous
    return Path(tuple(reversed(nodes)), tuple(reversed(inputs)), tuple(reversed(factors)))


def _called(node: Any) -> str:
    return f"node {node.label!r}" if getattr(node, "label", "") else "the leaf"


def node_names(order: list) -> dict[Any, str]:
    """Names as the ledger prints them: the label, else a leaf's value, else %k in order.

    %k counts the unlabelled non-leaf nodes of the topological order from 1, skipping any
    %k a label already uses (the same numbering as viz.naming.node_names).

    Example:
        >>> from autograd import Value
        >>> x = Value(3.0, "x")
        >>> y = (x * 2).tanh()
        >>> sorted(node_names(topological_order(y)).values())
        ['%1', '%2', '2', 'x']
    """
    taken = {node.label for node in order if node.label}
    names: dict[Any, str] = {}
    counter = 0
    for node in order:
        if node.label:
            names[node] = node.label
        elif not node.parents:
            names[node] = number_text(node.data)
        else:
            counter += 1
            while f"%{counter}" in taken:
                counter += 1
            names[node] = f"%{counter}"
    return names
