"""define_op: declare an op from outside the table, with the same powers as a row."""

from __future__ import annotations

import keyword
from collections.abc import Callable, Sequence
from typing import Any

from autograd.expr import ExpressionError, parse
from autograd.ops import FUNCTIONS, function_of
from autograd.ops.op import SMOOTH, Domain, Interval, Op, positional_count


def define_op(
    name: str,
    forward: Callable[..., float],
    derivative: Callable[..., Any],
    formula: str | Sequence[str],
    *,
    domain: Sequence[Sequence[Interval]] | None = None,
    doc: str = "",
    complex_forward: Callable[..., complex] | None = None,
    array_forward: Callable[..., Any] | None = None,
    kink: str = "",
    kink_distance: Callable[..., float] | None = None,
) -> Callable[..., Any]:
    """Declare an op from outside the table; return its function (floats, Values, duals).

    forward(x) or forward(x, y) computes it on floats. derivative takes the same inputs
    (and optionally `out`, the forward value) and returns d out / dx, or for a binary op a
    tuple (d out / dx, d out / dy); formula is that derivative as text in the expression
    language over x, y and out (a tuple of two texts for a binary op). Write derivative
    with operators and autograd's functions, and create_graph and forward mode work too.
    """
    _check_name(name)
    arity = positional_count(forward)
    if arity not in (1, 2):
        raise ValueError(f"define_op({name!r}): forward must take 1 or 2 positional inputs, "
                         f"got {arity if arity is not None else 'a variable number'}")
    if isinstance(formula, str):
        formulas = (formula,)
    elif isinstance(formula, (tuple, list)):
        formulas = tuple(formula)
    else:
        formulas = ()
    if len(formulas) != arity or not all(isinstance(f, str) for f in formulas):
        raise ValueError(f"define_op({name!r}): give {arity} formula text(s), one per input, "
                         f"got {formula!r}")
    _check_formulas(name, formulas, arity)
    rule = _rule_of(name, derivative, arity)
    op = Op(
        name, arity, forward, rule, formulas, _domain_of(name, domain, arity),
        doc or f"{name}, defined with define_op.", complex_forward, array_forward,
        kink=kink, kink_distance=kink_distance,
    )
    _try_once(op)
    return function_of(op)


def _try_once(op: Op) -> None:
    """Run forward and derivative at the middle of the domain: a wrong kind of result is a
    TypeError now, naming the op, instead of a puzzle at the first backward()."""
    point = [(lo + hi) / 2 for lo, hi in (intervals[0] for intervals in op.domain)]
    try:
        out = op.forward(*point)
        partials = op.rule(*point, out)
    except (ArithmeticError, ValueError):
        return  # the middle may be a domain edge; the op's own errors are for its users
    for what, value in (("forward", out), *(("derivative", d) for d in partials)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"define_op({op.name!r}): the {what} must return a real number on "
                            f"floats, got {type(value).__name__} {value!r} at {point}")


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"define_op: the name must be a Python identifier, got {name!r}")
    if name in FUNCTIONS or name in ("x", "y", "out"):
        raise ValueError(f"define_op: {name!r} is already an op (or a formula name); "
                         "choose another name")


def _check_formulas(name: str, formulas: tuple[str, ...], arity: int) -> None:
    allowed = {"x", "y", "out"} if arity == 2 else {"x", "out"}
    for k, text in enumerate(formulas):
        try:
            names = parse(text).names
        except ExpressionError as err:
            raise ValueError(f"define_op({name!r}): formula {k} {text!r}: {err}") from None
        stray = [n for n in names if n not in allowed]
        if stray:
            raise ValueError(f"define_op({name!r}): formula {k} {text!r} uses {stray[0]!r}; "
                             f"it may use {', '.join(sorted(allowed))}")


def _rule_of(name: str, derivative: Callable[..., Any], arity: int) -> Callable[..., tuple]:
    takes = positional_count(derivative)
    if takes not in (arity, arity + 1):
        raise ValueError(f"define_op({name!r}): derivative must take the {arity} input(s), "
                         f"or the inputs and out; it takes {takes}")
    with_out = takes == arity + 1

    def rule(*inputs_and_out: Any) -> tuple:
        result = derivative(*(inputs_and_out if with_out else inputs_and_out[:-1]))
        if arity == 1:
            return (result,)
        if not isinstance(result, tuple) or len(result) != 2:
            raise TypeError(f"the derivative of {name} must return a tuple of 2 partials, "
                            f"got {result!r}")
        return result

    return rule


def _domain_of(name: str, domain: Any, arity: int) -> Domain:
    if domain is None:
        return (SMOOTH,) * arity
    try:
        result = tuple(tuple((float(a), float(b)) for a, b in intervals) for intervals in domain)
    except (TypeError, ValueError):
        result = ()
    if len(result) != arity or any(not intervals or any(not a <= b for a, b in intervals)
                                   for intervals in result):
        raise ValueError(f"define_op({name!r}): domain needs, per input, a list of "
                         f"(low, high) intervals with low <= high; got {domain!r}")
    return result
