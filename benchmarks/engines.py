"""The engines a benchmark can run: how to import each and how its graph is shaped.

To add a peer (issue 6: torch), add one Engine entry; workloads only use the methods below.
"""

from __future__ import annotations

import importlib
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

    def is_installed(self) -> bool:
        """True when the engine's module can be imported in this interpreter."""
        try:
            importlib.import_module(self.module)
        except ImportError:
            return False
        return True

    def value_type(self) -> type:
        """The engine's scalar class (importing it, and raising its recursion limit if needed)."""
        if self.recursion_limit:
            import sys

            sys.setrecursionlimit(max(sys.getrecursionlimit(), self.recursion_limit))
        return getattr(importlib.import_module(self.module), self.value_class)

    def count_nodes(self, root: Any) -> int:
        """Number of distinct nodes reachable from root, walked iteratively."""
        attribute = self.parents_attribute
        seen = {id(root)}
        stack = [root]
        while stack:
            for parent in getattr(stack.pop(), attribute):
                if id(parent) not in seen:
                    seen.add(id(parent))
                    stack.append(parent)
        return len(seen)


ENGINES: dict[str, Engine] = {
    "gradledger": Engine("gradledger", "autograd", "Value", "tanh", "parents"),
    # micrograd has no tanh, so its graphs use relu; its backward() sorts recursively.
    "micrograd": Engine("micrograd", "micrograd.engine", "Value", "relu", "_prev", 100_000),
}
"""Every engine the benchmarks know, ours first."""
