"""Program and Expression: generated straight-line code that runs on Values and prints as Python."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autograd.testing import instructions
from autograd.testing.instructions import Constant, Interval, Source
from autograd.testing.safe_builder import SafeBuilder


def _print_lines(printer: Any, source: str) -> None:
    """Show source in hypothesis's (IPython-style) pretty printer, one line per line."""
    for n, line in enumerate(source.splitlines()):
        if n:
            printer.break_()
        printer.text(line)
    printer.break_()  # whatever hypothesis prints next starts on its own line


@dataclass(frozen=True)
class Instruction:
    """One step: kind (see instructions.KINDS), operand positions, optional constant.

    constant is the constant operand of a with-constant kind (`2.0 - x`), or the parameters
    of a row that takes them: a number for one (`x ** 0.5`), a tuple for more (`clip`).
    """

    kind: str
    operands: tuple[int, ...]
    constant: Constant = None


@dataclass(frozen=True, repr=False)
class Program:
    """A straight-line program: positions 0..n_inputs-1 are inputs, each step appends a value.

    Steps may use any earlier value any number of times, so the graph is a DAG with
    fan-out and shared subexpressions. Calling it runs the steps with Value's API (so it
    works on Values, dual numbers and complex carriers); repr is runnable Python.
    """

    n_inputs: int
    steps: tuple[Instruction, ...]
    output: int
    input_bound: Interval
    bounds: tuple[Interval, ...]

    @property
    def __name__(self) -> str:
        return "f"

    def values(self, *args: Any) -> list:
        """Every value the program computes, inputs first, in step order."""
        if len(args) != self.n_inputs:
            raise TypeError(f"this program takes {self.n_inputs} inputs, got {len(args)}")
        values = list(args)
        for step in self.steps:
            operands = tuple(values[k] for k in step.operands)
            values.append(instructions.run(step.kind, operands, step.constant))
        return values

    def __call__(self, *args: Any) -> Any:
        return self.values(*args)[self.output]

    def name_of(self, position: int) -> str:
        """x0, x1, ... for inputs; t<position> for computed values."""
        return f"x{position}" if position < self.n_inputs else f"t{position}"

    @property
    def source(self) -> str:
        """The program as a Python function definition `def f(x0, ...):`."""
        params = ", ".join(self.name_of(i) for i in range(self.n_inputs))
        lines = [f"def f({params}):"]
        for k, step in enumerate(self.steps):
            args = tuple(self.name_of(i) for i in step.operands)
            code = instructions.text(step.kind, args, step.constant)
            lines.append(f"    {self.name_of(self.n_inputs + k)} = {code}")
        lines.append(f"    return {self.name_of(self.output)}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return "\n" + self.source + "\n"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        _print_lines(printer, self.source)


@dataclass(frozen=True, repr=False)
class Expression:
    """An expression tree over inputs x0.. (no sharing), stored as post-order steps."""

    n_inputs: int
    steps: tuple[Instruction, ...]
    bound: Interval

    @property
    def __name__(self) -> str:
        return "f"

    def __call__(self, *args: Any) -> Any:
        if len(args) != self.n_inputs:
            raise TypeError(f"this expression takes {self.n_inputs} inputs, got {len(args)}")
        values: list = []
        for step in self.steps:
            if step.kind == "input":
                values.append(args[int(step.constant)])
            else:
                operands = tuple(values[k] for k in step.operands)
                values.append(instructions.run(step.kind, operands, step.constant))
        return values[-1]

    @property
    def text(self) -> str:
        """The expression as Python source over x0, x1, ... (parentheses where needed)."""
        sources: list[Source] = []
        for step in self.steps:
            if step.kind == "input":
                sources.append(Source(f"x{int(step.constant)}"))
                continue
            operands = tuple(sources[k] for k in step.operands)
            sources.append(instructions.kind(step.kind).write(operands, step.constant))
        return sources[-1].text

    @property
    def source(self) -> str:
        """The expression as a Python function definition `def f(x0, ...):`."""
        params = ", ".join(f"x{i}" for i in range(self.n_inputs))
        return f"def f({params}):\n    return {self.text}"

    def __repr__(self) -> str:
        return "\n" + self.source + "\n"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        _print_lines(printer, self.source)


class ProgramBuilder:
    """Builds a Program step by step; handles are positions."""

    def __init__(self, n_inputs: int, input_bound: Interval):
        self.safe = SafeBuilder(self._emit, self.bound_of)
        self.n_inputs = n_inputs
        self.input_bound = input_bound
        self.steps: list[Instruction] = []
        self.bounds: list[Interval] = [input_bound] * n_inputs
        self.used: set[int] = set()

    def bound_of(self, handle: int) -> Interval:
        return self.bounds[handle]

    def apply(self, kind: str, operands: tuple, constant: Constant = None, choice: int = 0) -> int:
        """Append kind on operands (made safe first); return the new position."""
        return self.safe.apply(kind, operands, constant, choice)

    def _emit(self, kind: str, operands: tuple, constant: Constant) -> int:
        operand_bounds = tuple(self.bounds[k] for k in operands)
        self.steps.append(Instruction(kind, tuple(operands), constant))
        self.bounds.append(instructions.bound(kind, operand_bounds, constant))
        self.used.update(operands)
        return len(self.bounds) - 1

    def finish(self) -> Program:
        """Sum the values nothing else uses (or return the last one) and freeze the program."""
        computed = range(self.n_inputs, len(self.bounds))
        sinks = [k for k in computed if k not in self.used]
        if not sinks:
            sinks = [len(self.bounds) - 1]
        total = sinks[0]
        for k in sinks[1:]:
            total = self._emit("add", (total, k), None)  # + is total: nothing to make safe
        return Program(self.n_inputs, tuple(self.steps), total, self.input_bound,
                       tuple(self.bounds))


@dataclass(frozen=True)
class Tree:
    """Expression-builder handle: post-order steps and the root's bound."""

    steps: tuple[Instruction, ...]
    bound: Interval


class ExpressionBuilder:
    """Builds expression trees; handles are Tree values, combined by concatenating steps."""

    def __init__(self, n_inputs: int, input_bound: Interval):
        self.safe = SafeBuilder(self._emit, self.bound_of)
        self.n_inputs = n_inputs
        self.input_bound = input_bound

    def leaf(self, index: int) -> Tree:
        """The tree for input x<index>."""
        return Tree((Instruction("input", (), float(index)),), self.input_bound)

    def bound_of(self, handle: Tree) -> Interval:
        return handle.bound

    def apply(self, kind: str, operands: tuple, constant: Constant = None, choice: int = 0) -> Tree:
        """The tree kind(operands) (made safe first)."""
        return self.safe.apply(kind, operands, constant, choice)

    def _emit(self, kind: str, operands: tuple, constant: Constant) -> Tree:
        steps: list[Instruction] = []
        roots = []
        for tree in operands:
            offset = len(steps)
            steps.extend(Instruction(s.kind, tuple(k + offset for k in s.operands), s.constant)
                         for s in tree.steps)
            roots.append(len(steps) - 1)
        steps.append(Instruction(kind, tuple(roots), constant))
        result = instructions.bound(kind, tuple(t.bound for t in operands), constant)
        return Tree(tuple(steps), result)

    def expression(self, tree: Tree) -> Expression:
        """Freeze a tree into an Expression."""
        return Expression(self.n_inputs, tree.steps, tree.bound)

