"""The engines a benchmark can run: how to import each and how its graph is shaped.

A graph workload only uses the methods below (`leaf_maker`, `count_nodes`), so adding a
peer is one Engine entry here plus its pinned requirement in environment.py.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Engine:
    """A scalar autograd engine as the benchmarks see it."""

    name: str
    module: str
    value_class: str
    unary: str
    parents_attribute: str
    recursion_limit: int = 0
    kind: str = "value"
    """"value": a Python class per node; "torch": 0-dim float64 tensors (graph of grad_fn);
    "floor": the floor probe's bare node (benchmarks/floor.py)."""
    order_function: str = ""
    """"module:function" giving the topological order of a root, timed on its own; "" when the
    engine has no public one (its backward sorts inside)."""

    def is_installed(self) -> bool:
        """True when the engine's module can be imported in this interpreter."""
        try:
            importlib.import_module(self.module)
        except ImportError:
            return False
        return True

    def value_type(self, raise_recursion_limit: bool = True) -> type:
        """The engine's scalar class (importing it, and raising its recursion limit if needed)."""
        if self.recursion_limit and raise_recursion_limit:
            sys.setrecursionlimit(max(sys.getrecursionlimit(), self.recursion_limit))
        return getattr(importlib.import_module(self.module), self.value_class)

    def leaf_maker(self, raise_recursion_limit: bool = True) -> Callable[[float], Any]:
        """A function float -> leaf node of this engine (a tensor that requires grad for torch)."""
        if self.kind == "torch":
            import torch

            torch.set_num_threads(1)  # see TORCH_THREADS in workloads/moons_step.py

            def leaf(x: float) -> Any:
                return torch.tensor(x, dtype=torch.float64, requires_grad=True)

            return leaf
        return self.value_type(raise_recursion_limit)

    def order(self) -> Callable[[Any], list] | None:
        """The engine's topological sort (root -> nodes, root last), or None if it has none."""
        if not self.order_function:
            return None
        module, name = self.order_function.split(":")
        return getattr(importlib.import_module(module), name)

    def count_nodes(self, root: Any) -> int:
        """Number of distinct nodes reachable from root, walked iteratively."""
        if self.kind == "torch":
            return _count_torch_nodes(root)
        attribute = self.parents_attribute
        seen = {id(root)}
        stack = [root]
        while stack:
            for parent in getattr(stack.pop(), attribute):
                if id(parent) not in seen:
                    seen.add(id(parent))
                    stack.append(parent)
        return len(seen)


def _count_torch_nodes(root: Any) -> int:
    """Op nodes (grad_fn) plus leaves (one AccumulateGrad each) reachable from a tensor."""
    start = root.grad_fn
    if start is None:
        return 1
    seen = {start}
    stack = [start]
    while stack:
        for parent, _ in stack.pop().next_functions:
            if parent is not None and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return len(seen)


ENGINES: dict[str, Engine] = {
    "gradledger": Engine("gradledger", "autograd", "Value", "tanh", "parents",
                         order_function="autograd.graph:topological_order"),
    # micrograd has no tanh, so its graphs use relu; its backward() sorts recursively.
    "micrograd": Engine("micrograd", "micrograd.engine", "Value", "relu", "_prev", 100_000),
    "torch": Engine("torch", "torch", "Tensor", "tanh", "", kind="torch"),
    # The floor probes: the least pure Python can do for the same graph (see floor.py).
    "floor": Engine("floor", "benchmarks.floor", "FloorNode", "tanh", "parents", kind="floor",
                    order_function="benchmarks.floor:order"),
}
"""Every engine the graph workloads know, ours first."""
