"""Hypothesis strategies for property-testing gradients (the only module importing hypothesis).

    from hypothesis import given
    from autograd.testing import check_grad
    from autograd.testing.strategies import programs_with_inputs

    @given(programs_with_inputs())
    def test_my_engine(case):
        program, inputs = case
        check_grad(program, inputs)

Inputs come from unions of intervals (`floats_in`, `DOMAINS`), not from filtering, and
programs are valid by construction (see autograd.testing.safe_builder).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from hypothesis import strategies as st

from autograd import ops
from autograd.ops import Op
from autograd.testing.instructions import INSTRUCTIONS, KINDS, Interval, Kind
from autograd.testing.programs import Expression, ExpressionBuilder, Program, ProgramBuilder

DEFAULT_MARGIN = 0.05
CHOICES = 4  # how many of an op's domain intervals an argument may be squashed into


def subtract_intervals(lo: float, hi: float, holes: Iterable[Interval]) -> list[Interval]:
    """[lo, hi] minus the open intervals in holes, as a sorted list of closed intervals."""
    pieces = [(float(lo), float(hi))]
    for a, b in sorted(holes):
        nxt = []
        for p, q in pieces:
            if b <= p or a >= q:
                nxt.append((p, q))
                continue
            if a > p:
                nxt.append((p, a))
            if b < q:
                nxt.append((b, q))
        pieces = nxt
    return [(p, q) for p, q in pieces if p <= q]


def floats_from(intervals: Sequence[Interval]) -> st.SearchStrategy[float]:
    """Finite floats from a union of closed intervals (one branch per interval)."""
    intervals = [(float(a), float(b)) for a, b in intervals]
    if not intervals:
        raise ValueError("floats_from needs at least one interval")
    for a, b in intervals:
        if not (math.isfinite(a) and math.isfinite(b) and a <= b):
            raise ValueError(f"bad interval ({a!r}, {b!r}): need finite a <= b")
    return st.one_of(*[st.floats(a, b, allow_nan=False, allow_infinity=False)
                       for a, b in intervals])


def floats_in(
    lo: float, hi: float, avoid: Iterable[float | Interval] = (), margin: float = DEFAULT_MARGIN
) -> st.SearchStrategy[float]:
    """Floats in [lo, hi] staying clear of avoid: points (kept `margin` away) or (a, b) intervals.

    Example: floats_in(-4, 4, avoid=[0.0]) keeps clear of relu's kink, drawing from
    [-4, -0.05] and [0.05, 4].
    """
    holes = []
    for item in avoid:
        if isinstance(item, tuple):
            holes.append((float(item[0]), float(item[1])))
        else:
            holes.append((float(item) - margin, float(item) + margin))
    pieces = subtract_intervals(lo, hi, holes)
    if not pieces:
        raise ValueError(f"nothing of [{lo}, {hi}] is left after avoiding {list(avoid)!r}")
    return floats_from(pieces)


def _key(op: Op) -> str:
    return op.symbol if op.bound is not None else op.name


DOMAINS: dict[str, tuple[tuple[Interval, ...], ...]] = {
    _key(op): op.input_domain() for op in ops.TABLE
}
"""Per op of ops.TABLE (by name, or by symbol for a row bound to parameters: "**0.5",
"clip(-1, 1)"): per-argument intervals, the rows' domains (log above 0, division away from
0, exp well below overflow, relu away from its kink).
"""


def arguments_for(op: Op | str) -> st.SearchStrategy[tuple[float, ...]]:
    """Tuples of arguments for op (an Op, even one made outside the table, or a DOMAINS key),
    each from its domain."""
    if isinstance(op, str):
        if op not in DOMAINS:
            raise KeyError(f"no domain for op {op!r}; known: {', '.join(DOMAINS)}")
        domain = DOMAINS[op]
    else:
        if op.is_row:
            raise ValueError(f"{op.name} takes parameters; bind them first: op.bind(...)")
        domain = op.input_domain()
    return st.tuples(*[floats_from(intervals) for intervals in domain])


def _inputs(n_inputs: int, bound: Interval) -> st.SearchStrategy[tuple[float, ...]]:
    return st.tuples(*[floats_from([bound])] * n_inputs)


def _kinds(kinds: Sequence[str]) -> tuple[Kind, ...]:
    unknown = sorted(set(kinds) - set(INSTRUCTIONS))
    if unknown or not kinds:
        raise ValueError(f"unknown instruction kinds {unknown}; known: {', '.join(KINDS)}")
    return tuple(INSTRUCTIONS[k] for k in dict.fromkeys(kinds))


def _constants(kind: Kind) -> st.SearchStrategy[Any]:
    return st.sampled_from(kind.constants) if kind.constants else st.none()


@st.composite
def programs(
    draw: Any,
    n_inputs: int | None = None,
    max_steps: int = 8,
    kinds: Sequence[str] = KINDS,
    input_bound: Interval = (-2.0, 2.0),
) -> Program:
    """Random straight-line programs reusing earlier results: DAGs with fan-out, valid by design.

    n_inputs: fixed number of inputs (default: 1 to 3, drawn).
    kinds: instruction kinds to draw from (see autograd.testing.instructions.KINDS: one per
    op-table row, and the with-constant kinds like "rsub_const" for `c - x`). Hypothesis
    prints failing programs as `def f(x0, ...)`.
    """
    chosen = _kinds(kinds)
    n = draw(st.integers(1, 3)) if n_inputs is None else n_inputs
    builder = ProgramBuilder(n, input_bound)
    count = draw(st.integers(1, max_steps))
    for _ in range(count):
        kind = draw(st.sampled_from(chosen))
        available = len(builder.bounds)
        operands = tuple(draw(st.integers(0, available - 1)) for _ in range(kind.arity))
        constant = draw(_constants(kind))
        choice = draw(st.integers(0, CHOICES - 1))
        builder.apply(kind.name, operands, constant, choice)
    return builder.finish()


def program_inputs(program: Program | Expression) -> st.SearchStrategy[tuple[float, ...]]:
    """Input tuples inside the box the program was built for."""
    bound = program.input_bound if isinstance(program, Program) else EXPRESSION_INPUT_BOUND
    return _inputs(program.n_inputs, bound)


def programs_with_inputs(**kwargs: Any) -> st.SearchStrategy[tuple[Program, tuple[float, ...]]]:
    """(program, inputs) pairs; keyword arguments go to programs()."""
    return programs(**kwargs).flatmap(lambda p: st.tuples(st.just(p), program_inputs(p)))


EXPRESSION_INPUT_BOUND: Interval = (-2.0, 2.0)


def expressions(
    n_inputs: int = 2, max_leaves: int = 8, kinds: Sequence[str] = KINDS
) -> st.SearchStrategy[Expression]:
    """Random expression trees over x0..x{n_inputs-1} (st.recursive), valid by construction."""
    chosen = _kinds(kinds)
    builder = ExpressionBuilder(n_inputs, EXPRESSION_INPUT_BOUND)
    leaves = st.integers(0, n_inputs - 1).map(builder.leaf)
    choices = st.integers(0, CHOICES - 1)

    def kind_and_constant(arity: int) -> st.SearchStrategy[tuple[Kind, Any]] | None:
        matching = tuple(k for k in chosen if k.arity == arity)
        if not matching:
            return None
        return st.sampled_from(matching).flatmap(
            lambda kind: st.tuples(st.just(kind), _constants(kind)))

    unary_kinds, binary_kinds = kind_and_constant(1), kind_and_constant(2)

    def unary(child: Any) -> Any:
        return st.builds(lambda kc, tree, choice: builder.apply(
            kc[0].name, (tree,), kc[1], choice), unary_kinds, child, choices)

    def binary(child: Any) -> Any:
        return st.builds(lambda kc, a, b, choice: builder.apply(
            kc[0].name, (a, b), kc[1], choice), binary_kinds, child, child, choices)

    def extend(child: Any) -> Any:
        options = []
        if unary_kinds is not None:
            options.append(unary(child))
        if binary_kinds is not None:
            options.append(binary(child))
        return st.one_of(*options)

    trees = st.recursive(leaves, extend, max_leaves=max_leaves)
    return trees.map(builder.expression)


def expressions_with_inputs(
    **kwargs: Any,
) -> st.SearchStrategy[tuple[Expression, tuple[float, ...]]]:
    """(expression, inputs) pairs; keyword arguments go to expressions()."""
    return expressions(**kwargs).flatmap(lambda e: st.tuples(st.just(e), program_inputs(e)))


__all__ = [
    "DOMAINS",
    "arguments_for",
    "expressions",
    "expressions_with_inputs",
    "floats_from",
    "floats_in",
    "programs",
    "program_inputs",
    "programs_with_inputs",
    "subtract_intervals",
]
