"""The instruction set of generated programs, derived from the op table.

There is one instruction kind per row of `ops.ROWS` (a row with parameters takes them from
the row's samples) and, for every row that is a Python operator with a reflected form
(`__add__`/`__radd__`, ...), the two kinds with a constant operand: `x - c` (`sub_const`)
and `c - x` (`rsub_const`); `c ** x` (`rpow_const`) is added beside them because `**` is
installed outside the rows (`x ** c` is the row `pow_const` itself). Each kind knows

- how it runs: `call_op`, i.e. the operator for rows with dunders and a method otherwise;
- how it prints: the same `call_op` run on source text, so the printed program is exactly
  what runs (`t3 = x0 + 0.5`, `t4 = t3.clip(-1.0, 1.0)`);
- an interval holding its result, from the row's forward and rule on a grid (see `analyse`);
- the intervals its operands must lie in: the row's domain at the operands' positions.

A new row therefore becomes an instruction kind with no edit here.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from autograd import ops
from autograd.ops import Op
from autograd.testing.op_calls import call_op

Interval = tuple[float, float]
Constant = float | tuple[float, ...] | None

READABLE_CONSTANTS = (2.0, 0.5, -1.5, 3.0, 1.0, -2.0, -0.5)
"""Constants tried for the with-constant kinds, kept where the row's domain allows them."""

CELLS = {1: 32, 2: 8}
"""Grid cells per input axis when bounding an op of that many (non-constant) inputs."""


@dataclass(frozen=True)
class Kind:
    """One instruction kind: a row applied to operands, with a constant in one place or not.

    constant_at: the input position of the row that takes the constant (None: all inputs
    are operands). constants: what an instruction's `constant` is drawn from: the row's
    parameter samples for a row with parameters, numbers for a with-constant kind.
    """

    name: str
    row: Op
    constant_at: int | None = None
    constants: tuple = ()

    @property
    def arity(self) -> int:
        """How many operands (earlier values) the instruction takes."""
        return self.row.arity - (self.constant_at is not None)

    def op(self, constant: Constant = None) -> Op:
        """The concrete op a node records (the row bound to its parameters, if it has any)."""
        if not self.row.parameters:
            return self.row
        return self.row.bind(*_as_tuple(constant))

    def _inputs(self, operands: tuple, constant: Constant) -> tuple:
        if self.constant_at is None:
            return tuple(operands)
        inputs = list(operands)
        inputs.insert(self.constant_at, float(constant))
        return tuple(inputs)

    def _operand_positions(self) -> tuple[int, ...]:
        return tuple(k for k in range(self.row.arity) if k != self.constant_at)

    def run(self, operands: tuple, constant: Constant = None) -> Any:
        """Apply the instruction to Values (or duals, or complex carriers) as a user would."""
        return call_op(self.op(constant), *self._inputs(operands, constant))

    def write(self, operands: tuple[Source, ...], constant: Constant = None) -> Source:
        """The instruction as source text, given its operands as source text."""
        return call_op(self.op(constant), *self._inputs(operands, constant))

    def text(self, operands: tuple[str, ...], constant: Constant = None) -> str:
        """Python source of the instruction, given its operands' source (names, usually)."""
        return self.write(tuple(Source(t, atom=t.isidentifier()) for t in operands), constant).text

    def domain(self, constant: Constant = None) -> tuple[tuple[Interval, ...], ...]:
        """Per operand, the intervals it must lie in (the row's domain at its position)."""
        domain = self.op(constant).input_domain()
        return tuple(domain[k] for k in self._operand_positions())

    def analyse(self, operands: tuple[Interval, ...], constant: Constant = None) -> Analysis:
        """Bound of the result and largest |d result / d operand| over the operands' box."""
        boxes = list(operands)
        if self.constant_at is not None:
            boxes.insert(self.constant_at, (float(constant), float(constant)))
        result = analyse(self.op(constant), tuple((float(a), float(b)) for a, b in boxes))
        positions = self._operand_positions()
        return Analysis(result.bound, tuple(result.slopes[k] for k in positions))

    def bound(self, operands: tuple[Interval, ...], constant: Constant = None) -> Interval:
        """An interval holding the result whenever each operand lies in its interval."""
        return self.analyse(operands, constant).bound


@dataclass(frozen=True)
class Analysis:
    """An interval holding an op's result over a box, and the largest |partial| per input."""

    bound: Interval
    slopes: tuple[float, ...]


def _as_tuple(constant: Constant) -> tuple[float, ...]:
    if constant is None:
        return ()
    return tuple(constant) if isinstance(constant, tuple) else (constant,)


def _plain(sample: tuple[float, ...]) -> Constant:
    """A one-parameter sample as its number (2.0, not (2.0,)), so programs read naturally."""
    return sample[0] if len(sample) == 1 else tuple(sample)


def _readable_constants(intervals: tuple[Interval, ...]) -> tuple[float, ...]:
    """The readable constants inside intervals, else the intervals' midpoints."""
    inside = tuple(c for c in READABLE_CONSTANTS if any(lo <= c <= hi for lo, hi in intervals))
    return inside or tuple((lo + hi) / 2.0 for lo, hi in intervals)


def _kinds() -> dict[str, Kind]:
    kinds: dict[str, Kind] = {}
    for row in ops.ROWS:
        kinds[row.name] = Kind(row.name, row, None, tuple(_plain(s) for s in row.samples))
    for row in ops.ROWS:
        if row.arity == 2 and len(row.dunders) == 2:  # x + c runs __add__, c + x __radd__
            domain = row.input_domain()
            kinds[f"{row.name}_const"] = Kind(
                f"{row.name}_const", row, 1, _readable_constants(domain[1]))
            kinds[f"r{row.name}_const"] = Kind(
                f"r{row.name}_const", row, 0, _readable_constants(domain[0]))
    power = ops.BY_NAME["pow"]
    kinds["rpow_const"] = Kind("rpow_const", power, 0, _readable_constants(power.domain[0]))
    return kinds


INSTRUCTIONS: dict[str, Kind] = _kinds()
"""Every instruction kind by name: one per row, and the with-constant kinds."""

KINDS: tuple[str, ...] = tuple(INSTRUCTIONS)


def kind(name: str) -> Kind:
    """The instruction kind called name, with the known names in the error."""
    try:
        return INSTRUCTIONS[name]
    except KeyError:
        raise ValueError(f"unknown instruction kind {name!r}; known: {', '.join(KINDS)}") from None


def run(name: str, operands: tuple, constant: Constant = None) -> Any:
    """Apply one instruction to Values (or duals, or complex carriers) with Value's API."""
    return kind(name).run(operands, constant)


def text(name: str, operands: tuple[str, ...], constant: Constant = None) -> str:
    """Python source of one instruction, given the source of its operands."""
    return kind(name).text(operands, constant)


def bound(name: str, operands: tuple[Interval, ...], constant: Constant = None) -> Interval:
    """An interval holding the result whenever each operand lies in its interval."""
    return kind(name).bound(operands, constant)


def _axis(lo: float, hi: float, cells: int) -> list[float]:
    if lo == hi:
        return [lo]
    return [lo + (hi - lo) * k / cells for k in range(cells)] + [hi]


@lru_cache(maxsize=65536)
def analyse(op: Op, boxes: tuple[Interval, ...]) -> Analysis:
    """Bound op's result over a box of inputs, from its forward and rule on a grid.

    The result is the hull of the forward at the grid points, widened in each cell by
    |partial| * cell width along every axis where the partial (from the row's rule) changes
    sign between the cell's corners, i.e. where the cell may hold an extremum inside. For a
    function that is smooth (or Lipschitz, like abs and relu) on the box this holds every
    value; an op with a jump (floor, sign, mod) is sound on boxes inside its domain, which
    keeps clear of the jumps. Slopes are the largest |partial| seen per input.
    """
    for a, b in boxes:
        if not (math.isfinite(a) and math.isfinite(b) and a <= b):
            raise ValueError(f"{op.name}: bad input interval ({a!r}, {b!r})")
    varying = sum(a < b for a, b in boxes)
    cells = CELLS.get(varying, 4)
    axes = [_axis(a, b, cells) for a, b in boxes]
    values: dict[tuple[int, ...], float] = {}
    partials: dict[tuple[int, ...], tuple[float, ...]] = {}
    for index in itertools.product(*(range(len(axis)) for axis in axes)):
        point = tuple(axis[i] for axis, i in zip(axes, index, strict=True))
        try:
            out = float(ops.evaluate(op, *point))
            grads = tuple(float(g) for g in op.rule(*point, out))
        except (ArithmeticError, ValueError) as err:
            raise ValueError(f"{op.name} is not defined on all of {boxes!r}: {err}") from None
        if not (math.isfinite(out) and all(math.isfinite(g) for g in grads)):
            raise ValueError(f"{op.name} is not finite on all of {boxes!r} (at {point!r})")
        values[index] = out
        partials[index] = grads
    lo, hi = math.inf, -math.inf
    for corner in itertools.product(*(range(max(1, len(axis) - 1)) for axis in axes)):
        offsets = itertools.product(*((0, 1) if len(axis) > 1 else (0,) for axis in axes))
        corners = [tuple(c + o for c, o in zip(corner, offset, strict=True))
                   for offset in offsets]
        cell_values = [values[c] for c in corners]
        widen = 0.0
        for k, axis in enumerate(axes):
            if len(axis) == 1:
                continue
            along = [partials[c][k] for c in corners]
            if not (all(d >= 0 for d in along) or all(d <= 0 for d in along)):
                widen += max(abs(d) for d in along) * (axis[corner[k] + 1] - axis[corner[k]])
        lo = min(lo, min(cell_values) - widen)
        hi = max(hi, max(cell_values) + widen)
    slopes = tuple(max(abs(g[k]) for g in partials.values()) for k in range(op.arity))
    return Analysis((lo, hi), slopes)


class Source:
    """Python source text standing in for a value: call_op on it writes the code it runs.

    Operators write themselves (`a + b`, `-a`, `abs(a)`, `2.0 ** a`); any other attribute is
    a method call (`a.clip(-1.0, 1.0)`). Compound operands are parenthesized.
    """

    __slots__ = ("text", "atom")

    def __init__(self, text: str, atom: bool = True):
        self.text = text
        self.atom = atom

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)

        def method(*args: Any) -> Source:
            inner = ", ".join(a.text if isinstance(a, Source) else repr(float(a)) for a in args)
            return Source(f"{_operand(self)}.{name}({inner})")

        return method

    def __neg__(self) -> Source:
        return Source(f"-{_operand(self)}", atom=False)

    def __pos__(self) -> Source:
        return Source(f"+{_operand(self)}", atom=False)

    def __abs__(self) -> Source:
        return Source(f"abs({self.text})")


def _operand(x: Any, left_of_power: bool = False) -> str:
    if isinstance(x, Source):
        return x.text if x.atom else f"({x.text})"
    text = repr(float(x))
    return f"({text})" if left_of_power and text.startswith("-") else text  # -2.0 ** x is -(...)


def _binary_operator(symbol: str, reflected: bool) -> Any:
    def method(self: Source, other: Any) -> Source:
        left, right = (other, self) if reflected else (self, other)
        return Source(f"{_operand(left, symbol == '**')} {symbol} {_operand(right)}", atom=False)

    return method


# Python's binary operators, by the name of their dunder (the language's, not the table's).
for _name, _symbol in (("add", "+"), ("sub", "-"), ("mul", "*"), ("truediv", "/"),
                       ("floordiv", "//"), ("mod", "%"), ("pow", "**"), ("matmul", "@")):
    setattr(Source, f"__{_name}__", _binary_operator(_symbol, reflected=False))
    setattr(Source, f"__r{_name}__", _binary_operator(_symbol, reflected=True))


__all__ = [
    "INSTRUCTIONS",
    "KINDS",
    "Analysis",
    "Interval",
    "Kind",
    "Source",
    "analyse",
    "bound",
    "kind",
    "run",
    "text",
]
