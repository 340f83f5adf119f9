"""check_grad, check_second_order, check_forward_reverse: compare derivatives, raise on mismatch."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from autograd.forward import jvp
from autograd.functional import hessian
from autograd.graph import topological_order
from autograd.testing.errors import GradientMismatch, NumericallyUnreliable
from autograd.testing.kinks import Judged, attempt, judge, kinks_in
from autograd.testing.numerical import (
    Estimate,
    as_floats,
    central_difference,
    complex_step,
    numerical_estimate,
    real_function,
    richardson,
    stencil_radius,
)
from autograd.testing.report import GradCheckReport, Row, close, passed_or_raise
from autograd.value import Value

AUTO_FALLBACK_ERRORS = (TypeError, AttributeError, ArithmeticError, ValueError)


def _function_name(f: Callable[..., Any]) -> str:
    return getattr(f, "__name__", type(f).__name__)


def input_names(f: Callable[..., Any], count: int, names: Sequence[str] | None = None) -> list[str]:
    """Names for f's inputs: given ones, else f's positional parameter names, else x0, x1, ..."""
    if names is not None:
        names = [str(n) for n in names]
        if len(names) != count:
            raise ValueError(f"got {len(names)} names for {count} inputs")
        return names
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        params = []
    positional = [
        p.name for p in params
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if len(positional) >= count and len(set(positional[:count])) == count:
        return positional[:count]
    return [f"x{i}" for i in range(count)]


def _format_point(names: Sequence[str], point: Sequence[float]) -> str:
    return "(" + ", ".join(f"{n}={x!r}" for n, x in zip(names, point, strict=True)) + ")"


def _backprop(f: Callable[..., Any], point: Sequence[float], names: Sequence[str]) -> tuple:
    """Build f on fresh labelled leaves and backpropagate; return (out, grads, leaves)."""
    leaves = [Value(x, label=n) for x, n in zip(point, names, strict=True)]
    out = f(*leaves)
    if isinstance(out, Value):
        out.backward()
        return out, [leaf.grad for leaf in leaves], leaves
    if isinstance(out, (int, float)) and not isinstance(out, bool):
        return out, [0.0] * len(leaves), leaves
    raise TypeError(
        f"{_function_name(f)} must return a Value or a number, got {type(out).__name__}"
    )


def analytic_grad(f: Callable[..., Any], inputs: Sequence[Any]) -> list[float]:
    """Reverse-mode gradient of f at inputs, by building the graph and calling backward()."""
    point = as_floats(inputs)
    return _backprop(f, point, input_names(f, len(point)))[1]


_close = close  # the name parameters.py imports


def _steps(names: Sequence[str], estimates: Sequence[Estimate]) -> str:
    steps = {f"{e.step:.3g}" for e in estimates}
    if len(steps) <= 1:
        return steps.pop() if steps else "-"
    return ", ".join(f"{n}: {e.step:.3g}" for n, e in zip(names, estimates, strict=True))


def _numerical(f: Callable[..., Any], point: list[float], method: str) -> tuple[list, str, str]:
    """Per input an Estimate (or the NumericallyUnreliable it raised); the method as shown;
    the method actually used (what decides how far from the point f was evaluated)."""
    shown = method
    if method == "auto":
        try:
            estimates = [complex_step(f, point, i) for i in range(len(point))]
            return estimates, "complex_step", "complex_step"
        except AUTO_FALLBACK_ERRORS as err:
            method = "richardson"
            shown = f"richardson (complex step impossible: {type(err).__name__}: {err})"
    if method == "complex_step":
        return [complex_step(f, point, i) for i in range(len(point))], shown, method
    stencil_radius(method, 0.0)  # refuses an unknown method before any work
    attempts = [attempt(partial(numerical_estimate, f, point, i, method))
                for i in range(len(point))]
    return attempts, shown, method


def _same_bits(a: Sequence[float], b: Sequence[float]) -> bool:
    return [float(x).hex() for x in a] == [float(x).hex() for x in b]


def _structural_problems(
    f: Callable[..., Any], point: list[float], names: list[str], out: Any, grads: list,
    leaves: list,
) -> list[str]:
    """Rebuild and backward-twice determinism, and exact zeros for inputs f does not use."""
    problems = []
    out_again, grads_again, _ = _backprop(f, point, names)
    value = out.data if isinstance(out, Value) else out
    value_again = out_again.data if isinstance(out_again, Value) else out_again
    if not _same_bits([value], [value_again]):
        problems.append(f"rebuilding gave a different output: {value!r} then {value_again!r}")
    if not _same_bits(grads, grads_again):
        problems.append(
            f"rebuilding and backpropagating again gave different gradients: {grads!r} "
            f"then {grads_again!r}"
        )
    if isinstance(out, Value):
        used = {id(node) for node in topological_order(out)}
        for name, leaf, g in zip(names, leaves, grads, strict=True):
            if id(leaf) not in used and g != 0.0:
                problems.append(f"input {name} is not used by the function but got grad {g!r}")
        out.backward()
        twice = [leaf.grad for leaf in leaves]
        expected = [g + g for g in grads]
        if not _same_bits(twice, expected):
            problems.append(
                "a second backward() on the same graph did not double the leaf gradients: "
                f"{grads!r} then {twice!r}"
            )
    return problems


def _report(
    title: str, f: Callable[..., Any], names: Sequence[str], point: Sequence[float],
    method: str, step: str, atol: float, rtol: float, judged: Sequence[Judged],
    problems: Sequence[str],
) -> GradCheckReport:
    """The report of check_grad or check_second_order; raises GradientMismatch on failure."""
    __tracebackhide__ = True  # pytest shows the caller, not this frame
    if any(j.one_sided for j in judged):
        method += " (one-sided differences near kinks)"
    return passed_or_raise(GradCheckReport(
        title, _function_name(f), _format_point(names, point), method, step, atol, rtol,
        tuple(j.row for j in judged),
        tuple(problems) + tuple(j.problem for j in judged if j.problem),
        tuple(j.note for j in judged if j.note),
    ))


def check_grad(
    f: Callable[..., Any],
    inputs: Sequence[Any],
    *,
    atol: float = 1e-6,
    rtol: float = 1e-6,
    method: str = "auto",
    names: Sequence[str] | None = None,
) -> GradCheckReport:
    """Compare backprop's gradient of f at inputs with a numerical one; raise GradientMismatch.

    method: "auto" (complex step when f runs on complex numbers, else Richardson),
    "complex_step", "richardson" or "central". Also checks that rebuilding gives
    bit-identical gradients, that a second backward() doubles leaf gradients, and that
    inputs f does not use get exactly 0. Where a node of the graph sits within the
    differences' reach of its op's kink (relu at 0, maximum at a tie, ...), the gradient
    passes if it matches the one-sided derivative from either side or their average, and
    the report's notes name the node and quote the op's convention. Returns the report
    when everything passes; raises NumericallyUnreliable where differences cannot decide.
    """
    __tracebackhide__ = True  # pytest shows the caller, not this frame
    point = as_floats(inputs)
    names = input_names(f, len(point), names)
    out, grads, leaves = _backprop(f, point, names)
    problems = _structural_problems(f, point, names, out, grads, leaves)
    attempts, method_shown, method_used = _numerical(f, point, method)
    kinks = kinks_in(out, leaves)
    g, label = real_function(f), _function_name(f)
    judged = [
        judge(analytic, attempts[i], kinks, method_used, (g, label, point, i), name, repr(x),
              atol, rtol)
        for i, (name, x, analytic) in enumerate(zip(names, point, grads, strict=True))
    ]
    return _report("gradient check", f, names, point, method_shown,
                   _steps(names, [j.estimate for j in judged]), atol, rtol, judged, problems)


def check_second_order(
    f: Callable[..., Any],
    inputs: Sequence[Any],
    *,
    atol: float = 1e-5,
    rtol: float = 1e-5,
    method: str = "richardson",
    names: Sequence[str] | None = None,
) -> GradCheckReport:
    """Compare the create_graph Hessian with differences of the gradient; check its symmetry.

    method is "richardson" or "central" (differences of backprop's gradient). Near a kink
    of some node, one-sided differences of the gradient decide, as in check_grad.
    """
    __tracebackhide__ = True  # pytest shows the caller, not this frame
    if method not in ("richardson", "central"):
        raise ValueError(f"check_second_order: method must be 'richardson' or 'central', "
                         f"got {method!r}")
    point = as_floats(inputs)
    names = input_names(f, len(point), names)
    analytic = hessian(f, point)
    out, grads, leaves = _backprop(f, point, names)
    kinks = kinks_in(out, leaves)
    cache: dict[tuple[float, ...], list[float]] = {tuple(point): grads}

    def grad_at(p: list[float]) -> list[float]:
        key = tuple(p)
        if key not in cache:
            cache[key] = _backprop(f, p, names)[1]
        return cache[key]

    differences = richardson if method == "richardson" else central_difference
    judged = []
    for i in range(len(point)):
        derivative = f"d f / d {names[i]}"

        def g(p: list[float], i: int = i) -> float:
            return grad_at(p)[i]

        for j in range(len(point)):
            name = f"d{names[i]} d{names[j]}"
            h = analytic[i][j]
            estimate = attempt(partial(differences, g, derivative, point, j))
            judged.append(judge(h, estimate, kinks, method, (g, derivative, point, j), name,
                                f"({point[i]!r}, {point[j]!r})", atol, rtol))
    problems = []
    for i in range(len(point)):
        for j in range(i + 1, len(point)):
            a, b = analytic[i][j], analytic[j][i]
            if not abs(a - b) <= atol + rtol * max(abs(a), abs(b)):
                problems.append(
                    f"Hessian is not symmetric: H[{names[i]}, {names[j]}] = {a!r} but "
                    f"H[{names[j]}, {names[i]}] = {b!r}"
                )
    steps = [j.estimate.step for j in judged]
    return _report("second-order check", f, names, point,
                   f"create_graph Hessian vs {method} differences of the gradient",
                   f"{min(steps):.3g} to {max(steps):.3g}" if steps else "-",
                   atol, rtol, judged, problems)


def check_forward_reverse(
    f: Callable[..., Any],
    inputs: Sequence[Any],
    *,
    atol: float = 1e-9,
    rtol: float = 1e-9,
    names: Sequence[str] | None = None,
) -> GradCheckReport:
    """Compare reverse mode (backward) with forward mode (jvp along each input) at inputs."""
    __tracebackhide__ = True  # pytest shows the caller, not this frame
    point = as_floats(inputs)
    names = input_names(f, len(point), names)
    out, grads, _ = _backprop(f, point, names)
    value = out.data if isinstance(out, Value) else float(out)
    rows = []
    problems = []
    for i, (name, g) in enumerate(zip(names, grads, strict=True)):
        tangents = [0.0] * len(point)
        tangents[i] = 1.0
        primal_out, tangent_out = jvp(f, point, tangents)
        if primal_out != value:
            problems.append(f"forward mode computed f = {primal_out!r}, reverse mode {value!r}")
        rows.append(Row(name, repr(point[i]), g, tangent_out, close(g, tangent_out, atol, rtol)))
    return passed_or_raise(GradCheckReport(
        "forward/reverse check", _function_name(f), _format_point(names, point),
        "reverse (backward) vs forward (jvp, numeric column)", "exact (dual numbers)",
        atol, rtol, tuple(rows), tuple(dict.fromkeys(problems)),
    ))


__all__ = [
    "GradientMismatch",
    "NumericallyUnreliable",
    "analytic_grad",
    "check_forward_reverse",
    "check_grad",
    "check_second_order",
    "input_names",
]
