"""The chain-rule ledger: backprop recorded edge by edge through the engine's observer hook.

Nothing here applies the chain rule. `backprop_steps` hands a recorder to
`autograd.backprop.propagate` (the loop that `backward()` runs) and keeps what the loop
reports for every edge, so the ledger cannot disagree with `.grad`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from autograd.backprop import propagate
from viz.naming import (
    expression_texts,
    formula_in_names,
    infix_text,
    node_names,
    plain_text,
    wrap_name,
)
from viz.number_format import format_number

LEDGER_HEADER = (
    "step", "node", "upstream", "parent", "local", "local formula", "contribution", "parent grad",
)
HTML_MAX_ROWS = 2000


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
        self._expressions: dict[int, str] | None = None

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

    def equation(self, step: Step) -> str:
        """What the step's node computed, in infix with its parents' names: `n = %3 + b`."""
        return f"{self.name(step.node)} = {infix_text(step.node, self.names)}"

    def expression(self, node: Any) -> str:
        """The whole expression that computed node, over the leaves' names (long parts named).

        Example:
            >>> from autograd import Value
            >>> x, w = Value(2.0, "x"), Value(-3.0, "w")
            >>> y = (x * w).tanh()
            >>> backprop_steps(y).expression(y)
            'tanh(x * w)'
        """
        if self._expressions is None:
            self._expressions = expression_texts(self.order, self.names)
        return self._expressions[id(node)]

    def upstream_name(self, step: Step) -> str:
        """The upstream factor's name: d root/d node, or `seed` at the root (never d o/d o)."""
        if step.node is self.root:
            return "seed"
        return f"d{wrap_name(self.name(self.root))}/d{wrap_name(self.name(step.node))}"

    def sentence(self, step: Step, edge: EdgeStep, digits: int = 4) -> str:
        """One chain-rule line in words and numbers, e.g. for a tutorial or the stepper.

        Reads: d root/d parent += d root/d node * d node/d parent = upstream * local
        = contribution, so parent.grad = total. At the root the upstream factor is the
        seed (d root/d root, 1 unless backward was given another).
        """
        root = wrap_name(self.name(self.root))
        node, parent = wrap_name(self.name(step.node)), wrap_name(self.name(edge.parent))
        n = format_number
        return (
            f"d{root}/d{parent} += {self.upstream_name(step)} * d{node}/d{parent}"
            f" = {n(step.upstream, digits)} * {n(edge.local, digits)}"
            f" = {n(edge.contribution, digits)}   [d{node}/d{parent} = "
            f"{self.formula_in_names(step, edge)}]   so {parent}.grad = "
            f"{n(edge.parent_grad, digits)}"
        )


    def rows(self, digits: int = 4) -> list[list[str]]:
        """The ledger table's rows (columns as LEDGER_HEADER): one per edge, the node's
        cells only on its first row, and row 0 for the seed."""
        seed = format_number(self.seed, digits)
        rows = [["0", self.name(self.root), "seed", "", "", "", "", seed]]
        for number, step in enumerate(self.steps, start=1):
            for edge in step.edges:
                first = edge.index == 0
                rows.append([
                    str(number) if first else "",
                    self.name(step.node) if first else "",
                    format_number(step.upstream, digits) if first else "",
                    self.name(edge.parent),
                    format_number(edge.local, digits),
                    self.formula_in_names(step, edge),
                    format_number(edge.contribution, digits),
                    format_number(edge.parent_grad, digits),
                ])
        return rows

    def __repr__(self) -> str:
        return (f"<Ledger of {len(self.steps)} steps backward from {self.name(self.root)}; "
                "format_steps(ledger) prints it>")

    def _repr_html_(self) -> str:
        """The ledger as an HTML table (Jupyter shows it); every cell is escaped text."""
        rows = self.rows()
        shown = rows[:HTML_MAX_ROWS]
        root = self.name(self.root)
        caption = (f"chain-rule ledger of {root} = {self.expression(self.root)}: upstream = "
                   f"d{wrap_name(root)}/d(node), local = d(node)/d(parent), "
                   "contribution = upstream * local")

        def cells(tag: str, row: list[str] | tuple[str, ...]) -> str:
            return "".join(f"<{tag}>{html.escape(plain_text(cell))}</{tag}>" for cell in row)

        lines = [
            '<table class="gradledger-ledger">',
            f"<caption>{html.escape(plain_text(caption))}</caption>",
            f"<thead><tr>{cells('th', LEDGER_HEADER)}</tr></thead>",
            "<tbody>",
            *(f"<tr>{cells('td', row)}</tr>" for row in shown),
            "</tbody>",
            "</table>",
        ]
        if len(rows) > len(shown):
            lines.append(f"<p>{len(rows) - len(shown)} more rows: format_steps(ledger) "
                         "prints them all.</p>")
        return "\n".join(lines)


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
