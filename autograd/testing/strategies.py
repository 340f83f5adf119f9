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
from autograd.testing.instructions import BINARY, KINDS, UNARY, WITH_CONSTANT, Interval
from autograd.testing.programs import Expression, ExpressionBuilder, Program, ProgramBuilder

DEFAULT_MARGIN = 0.05
CONSTANTS = {
    "add_const": (0.5, 1.0, -2.0, 3.0),
    "rsub_const": (1.0, 2.5, -0.5),
    "rmul_const": (2.0, -1.5, 0.5, 3.0),
    "rdiv_const": (1.0, -2.0, 0.5),
    "pow_const": (2.0, 3.0, -1.0, 0.5, -1.5),
    "rpow_const": (2.0, 0.5, 3.0),
}


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
    return op.symbol if op.name == "pow_const" else op.name


DOMAINS: dict[str, tuple[tuple[Interval, ...], ...]] = {_key(op): op.domain for op in ops.TABLE}
"""Per op (by name, or symbol like "**0.5" for constant powers): per-argument safe intervals.

Taken from the op table: log and fractional powers above 0, division away from 0, exp
well below overflow, relu away from its kink.
"""


def arguments_for(op: Op | str) -> st.SearchStrategy[tuple[float, ...]]:
    """Tuples of arguments for op, each from its domain in the op table."""
    if isinstance(op, str):
        if op not in DOMAINS:
            raise KeyError(f"no domain for op {op!r}; known: {', '.join(DOMAINS)}")
        domain = DOMAINS[op]
    else:
        domain = op.domain
    return st.tuples(*[floats_from(intervals) for intervals in domain])


def _inputs(n_inputs: int, bound: Interval) -> st.SearchStrategy[tuple[float, ...]]:
    return st.tuples(*[floats_from([bound])] * n_inputs)


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
    kinds: instruction kinds to draw from (see autograd.testing.instructions.KINDS); leave
    out "relu" for smooth programs. Hypothesis prints failing programs as `def f(x0, ...)`.
    """
    unknown = set(kinds) - set(KINDS)
    if unknown or not kinds:
        raise ValueError(f"unknown instruction kinds {sorted(unknown)}; known: {KINDS}")
    n = draw(st.integers(1, 3)) if n_inputs is None else n_inputs
    builder = ProgramBuilder(n, input_bound)
    count = draw(st.integers(1, max_steps))
    for _ in range(count):
        kind = draw(st.sampled_from(tuple(kinds)))
        available = len(builder.bounds)
        arity = 2 if kind in BINARY else 1
        operands = tuple(draw(st.integers(0, available - 1)) for _ in range(arity))
        constant = draw(st.sampled_from(CONSTANTS[kind])) if kind in WITH_CONSTANT else None
        builder.apply(kind, operands, constant)
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
    unknown = set(kinds) - set(KINDS)
    if unknown or not kinds:
        raise ValueError(f"unknown instruction kinds {sorted(unknown)}; known: {KINDS}")
    builder = ExpressionBuilder(n_inputs, EXPRESSION_INPUT_BOUND)
    leaves = st.integers(0, n_inputs - 1).map(builder.leaf)
    unary_kinds = tuple(
        (k, c) for k in kinds if k in UNARY or k in WITH_CONSTANT for c in CONSTANTS.get(k, (None,))
    )
    binary_kinds = tuple(k for k in kinds if k in BINARY)

    def unary(child: Any) -> Any:
        return st.builds(lambda kind_and_constant, tree: builder.apply(
            kind_and_constant[0], (tree,), kind_and_constant[1]),
            st.sampled_from(unary_kinds), child)

    def binary(child: Any) -> Any:
        return st.builds(lambda kind, a, b: builder.apply(kind, (a, b)),
                         st.sampled_from(binary_kinds), child, child)

    def extend(child: Any) -> Any:
        options = []
        if unary_kinds:
            options.append(unary(child))
        if binary_kinds:
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
