"""The op table: one row per operation, and everything derived from the rows.

The rows live in one small module per family (arithmetic, exponential, trigonometric,
hyperbolic, piecewise). From them come Value's methods and operators, the module-level
functions here (`autograd.ops.sin(x)` takes a float, a Value, a dual number or a numpy
array), the expression language's functions, the Tape's scalar and batched forwards and the
testing tables. Adding an op is adding one row; `autograd.define_op` adds one from outside.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from autograd.ops import arithmetic, exponential, hyperbolic, piecewise, trigonometric
from autograd.ops.op import (
    Op,
    apply,
    evaluate,
    evaluate_arrays,
    number_text,
    numpy_of,
    primal,
    step,
    table,
)


def function_of(row: Op) -> Callable[..., Any]:
    """The module-level function of a row: op(x), op(x, y) or op(x, *parameters)."""
    arity = row.arity

    def function(*args: Any, **parameters: Any) -> Any:
        if len(args) < arity:
            raise TypeError(f"{row.name}() takes {arity} input(s), got {len(args)}")
        return apply(bind_arguments(row, args[arity:], parameters), *args[:arity])

    function.__name__ = function.__qualname__ = row.name
    inputs = ", ".join(("x", "y")[:arity] + tuple(
        f"{name}={number_text(d)}" if d is not None else name
        for name, d in zip(row.parameters, _padded_defaults(row), strict=True)))
    function.__doc__ = f"{row.name}({inputs}): {row.doc}"
    function.op = row
    return function


def bind_arguments(row: Op, positional: tuple, keywords: dict[str, Any]) -> Op:
    """row bound to parameters given as in a call: by position, then by name, then defaults."""
    return row.bind(*positional, *_ordered(row, len(positional), keywords))


def _padded_defaults(row: Op) -> tuple:
    return (None,) * (len(row.parameters) - len(row.defaults)) + tuple(row.defaults)


def _ordered(row: Op, given: int, parameters: dict[str, Any]) -> list:
    """Keyword parameters in the row's order, after `given` positional ones."""
    unknown = set(parameters) - set(row.parameters)
    if unknown:
        raise TypeError(f"{row.name}() got an unexpected keyword {sorted(unknown)[0]!r}")
    twice = [name for name in row.parameters[:given] if name in parameters]
    if twice:
        raise TypeError(f"{row.name}() got parameter {twice[0]} twice (by position and name)")
    ordered = []
    defaults = _padded_defaults(row)
    for k, name in enumerate(row.parameters[given:], start=given):
        if name in parameters:
            ordered.append(parameters[name])
        elif defaults[k] is not None:
            ordered.append(defaults[k])
        elif parameters:
            raise TypeError(f"{row.name}() is missing parameter {name}")
        else:
            break  # bind() names what is missing
    return ordered


ROWS: tuple[Op, ...] = (
    arithmetic.ROWS + exponential.ROWS + trigonometric.ROWS + hyperbolic.ROWS + piecewise.ROWS
)
"""Every built-in row, one per op."""

BY_NAME: dict[str, Op] = {row.name: row for row in ROWS}

TABLE: tuple[Op, ...] = tuple(
    op for row in ROWS
    for op in ([row.bind(*sample) for sample in row.samples] if row.parameters else [row])
)
"""Every op ready to apply: rows, and rows with parameters bound to their sample values."""

FUNCTIONS: dict[str, Callable[..., Any]] = {}
"""Module-level function per op name and alias (numpy's names), e.g. FUNCTIONS["sin"]."""
for _row in ROWS:
    for _name in (_row.name, *_row.aliases):
        FUNCTIONS[_name] = function_of(_row)
globals().update(FUNCTIONS)
table.__dict__.update(FUNCTIONS)


@functools.lru_cache(maxsize=1024)
def power_op(exponent: float) -> Op:
    """The op x ** exponent for a constant exponent (cached: `x ** 2` is on the hot path)."""
    return BY_NAME["pow_const"].bind(exponent)


__all__ = [
    "BY_NAME",
    "FUNCTIONS",
    "ROWS",
    "TABLE",
    "Op",
    "apply",
    "bind_arguments",
    "evaluate",
    "evaluate_arrays",
    "function_of",
    "number_text",
    "numpy_of",
    "power_op",
    "primal",
    "step",
    *FUNCTIONS,
]
