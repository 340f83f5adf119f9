"""The chain-rule ledger: backprop recorded edge by edge through the engine's observer hook.

Nothing here applies the chain rule. `backprop_steps` hands a recorder to
`autograd.backprop.propagate` (the loop that `backward()` runs) and keeps what the loop
reports for every edge, so the ledger cannot disagree with `.grad`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autograd.backprop import propagate
from viz.naming import formula_in_names, node_names, wrap_name
from viz.number_format import format_number


@dataclass(frozen=True)
class EdgeStep:
    """One line of the chain rule: what flows from a node into one of its parents.

    `local` is d node / d parent at the forward values, `contribution` is
    upstream * local, and `parent_grad` is d root / d parent after adding it (so a parent
    used twice shows its running total).
    """

    parent: Any
    index: int
    local: float
    formula: str
    contribution: float
    parent_grad: float


@dataclass(frozen=True)
class Step:
    """One node of the backward pass: its upstream gradient and an EdgeStep per parent."""

    node: Any
    upstream: float
    edges: tuple[EdgeStep, ...]


class _Recorder:
    """The observer handed to propagate: groups the per-edge calls into Steps."""

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self._node: Any = None
        self._upstream: float = 0.0
        self._edges: list[EdgeStep] = []

    def __call__(self, node, upstream, parent, local, contribution, parent_total) -> None:
        if node is not self._node:
            self.flush()
            self._node, self._upstream, self._edges = node, upstream, []
        index = len(self._edges)
        formula = node.op_record.formulas[index]
        self._edges.append(EdgeStep(parent, index, local, formula, contribution, parent_total))

    def flush(self) -> None:
        if self._node is not None:
            self.steps.append(Step(self._node, self._upstream, tuple(self._edges)))
            self._node = None


class Ledger:
    """The backward pass of one root as a list of Steps, with names and final gradients.

    `steps` are in backward order (the root's step first), one per node that has parents.
    `grads` maps id(node) to d root / d node for every node reached; `order` is the
    topological order the pass used (root last); `names` maps id(node) to a display name.

    Example:
        >>> from autograd import Value
        >>> x = Value(3.0, "x")
        >>> y = x * x
        >>> y.label = "y"
        >>> ledger = backprop_steps(y)
        >>> [(e.local, e.contribution, e.parent_grad) for e in ledger.steps[0].edges]
        [(3.0, 3.0, 3.0), (3.0, 3.0, 6.0)]
        >>> ledger.grad(x)
        6.0
    """

    def __init__(self, root: Any, seed: float = 1.0) -> None:
        recorder = _Recorder()
        order, grads = propagate(root, seed, observer=recorder)
        recorder.flush()
        self.root = root
        self.seed = grads[root]
        self.order: list = order
        self.steps: list[Step] = recorder.steps
        self.grads: dict[int, float] = {id(node): grads[node] for node in order}
        self.names: dict[int, str] = node_names(order)

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self):
        return iter(self.steps)

    def __getitem__(self, index: int) -> Step:
        return self.steps[index]

    def name(self, node: Any) -> str:
        """The display name of a node of this graph."""
        return self.names[id(node)]

    def grad(self, node: Any) -> float:
        """d root / d node as the backward pass computed it."""
        return self.grads[id(node)]

    def grads_after(self, step_index: int) -> dict[int, float]:
        """id(node) -> gradient known once steps 0..step_index are done (-1: only the seed)."""
        known = {id(self.root): self.seed}
        for step in self.steps[: step_index + 1]:
            for edge in step.edges:
                known[id(edge.parent)] = edge.parent_grad
        return known

    def formula_in_names(self, step: Step, edge: EdgeStep) -> str:
        """The local derivative's formula with x, y and out replaced by node names."""
        return formula_in_names(step.node, edge.index, self.names)

    def sentence(self, step: Step, edge: EdgeStep, digits: int = 4) -> str:
        """One chain-rule line in words and numbers, e.g. for a tutorial or the stepper.

        Reads: d root/d parent += d root/d node * d node/d parent = upstream * local
        = contribution, so parent.grad = total.
        """
        root = wrap_name(self.name(self.root))
        node, parent = wrap_name(self.name(step.node)), wrap_name(self.name(edge.parent))
        n = format_number
        return (
            f"d{root}/d{parent} += d{root}/d{node} * d{node}/d{parent}"
            f" = {n(step.upstream, digits)} * {n(edge.local, digits)}"
            f" = {n(edge.contribution, digits)}   [d{node}/d{parent} = "
            f"{self.formula_in_names(step, edge)}]   so {parent}.grad = "
            f"{n(edge.parent_grad, digits)}"
        )


def backprop_steps(root: Any, seed: float = 1.0) -> Ledger:
    """Record the backward pass from root, one Step per node, without touching `.grad`.

    The numbers come from `autograd.backprop.propagate`, the same loop `backward()` runs,
    through its observer hook.

    Example:
        >>> from autograd import Value
        >>> a, b = Value(2.0, "a"), Value(-3.0, "b")
        >>> c = a * b
        >>> c.label = "c"
        >>> for step in backprop_steps(c):
        ...     for edge in step.edges:
        ...         print(edge.parent.label, edge.formula, edge.local, edge.parent_grad)
        a y -3.0 -3.0
        b x 2.0 2.0
    """
    return Ledger(root, seed)
