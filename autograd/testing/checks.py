"""check_grad, check_second_order, check_forward_reverse: compare derivatives, raise on mismatch."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from autograd.forward import jvp
from autograd.functional import hessian
from autograd.graph import topological_order
from autograd.testing.errors import GradientMismatch, NumericallyUnreliable
from autograd.testing.numerical import (
    Estimate,
    as_floats,
    central_difference,
    numerical_estimates,
    richardson,
)
from autograd.testing.report import GradCheckReport, Row
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


def _close(analytic: float, numeric: float, atol: float, rtol: float) -> bool:
    return abs(analytic - numeric) <= atol + rtol * abs(numeric)


def _steps(names: Sequence[str], estimates: Sequence[Estimate]) -> str:
    steps = {f"{e.step:.3g}" for e in estimates}
    if len(steps) <= 1:
        return steps.pop() if steps else "-"
    return ", ".join(f"{n}: {e.step:.3g}" for n, e in zip(names, estimates, strict=True))


def _numerical(f: Callable[..., Any], point: list[float], method: str) -> tuple[list, str]:
    if method != "auto":
        return numerical_estimates(f, point, method), method
    try:
        return numerical_estimates(f, point, "complex_step"), "complex_step"
    except AUTO_FALLBACK_ERRORS as err:
        reason = f"{type(err).__name__}: {err}"
        return numerical_estimates(f, point, "richardson"), (
            f"richardson (complex step impossible: {reason})"
        )


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
    inputs f does not use get exactly 0. Returns the report when everything passes.
    """
    __tracebackhide__ = True  # pytest shows the caller, not this frame
    point = as_floats(inputs)
    names = input_names(f, len(point), names)
    out, grads, leaves = _backprop(f, point, names)
    problems = _structural_problems(f, point, names, out, grads, leaves)
    estimates, method_used = _numerical(f, point, method)
    rows = tuple(
        Row(n, repr(x), g, e.value, _close(g, e.value, atol, rtol))
        for n, x, g, e in zip(names, point, grads, estimates, strict=True)
    )
    report = GradCheckReport(
        "gradient check", _function_name(f), _format_point(names, point), method_used,
        _steps(names, estimates), atol, rtol, rows, tuple(problems),
    )
    if not report.passed:
        raise GradientMismatch(str(report), report)
    return report


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

    method is "richardson" or "central" (differences of backprop's gradient).
    """
    __tracebackhide__ = True  # pytest shows the caller, not this frame
    if method not in ("richardson", "central"):
        raise ValueError(f"check_second_order: method must be 'richardson' or 'central', "
                         f"got {method!r}")
    point = as_floats(inputs)
    names = input_names(f, len(point), names)
    analytic = hessian(f, point)
    cache: dict[tuple[float, ...], list[float]] = {}

    def grad_at(p: list[float]) -> list[float]:
        key = tuple(p)
        if key not in cache:
            cache[key] = _backprop(f, p, names)[1]
        return cache[key]

    differences = richardson if method == "richardson" else central_difference
    rows = []
    steps = []
    for i in range(len(point)):
        for j in range(len(point)):
            name = f"d{names[i]} d{names[j]}"
            estimate = differences(lambda p, i=i: grad_at(p)[i], f"d f / d {names[i]}", point, j)
            steps.append(estimate)
            value = f"({point[i]!r}, {point[j]!r})"
            h = analytic[i][j]
            rows.append(Row(name, value, h, estimate.value, _close(h, estimate.value, atol, rtol)))
    problems = []
    for i in range(len(point)):
        for j in range(i + 1, len(point)):
            a, b = analytic[i][j], analytic[j][i]
            if not abs(a - b) <= atol + rtol * max(abs(a), abs(b)):
                problems.append(
                    f"Hessian is not symmetric: H[{names[i]}, {names[j]}] = {a!r} but "
                    f"H[{names[j]}, {names[i]}] = {b!r}"
                )
    report = GradCheckReport(
        "second-order check", _function_name(f), _format_point(names, point),
        f"create_graph Hessian vs {method} differences of the gradient",
        f"{min(e.step for e in steps):.3g} to {max(e.step for e in steps):.3g}" if steps else "-",
        atol, rtol, tuple(rows), tuple(problems),
    )
    if not report.passed:
        raise GradientMismatch(str(report), report)
    return report


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
        rows.append(Row(name, repr(point[i]), g, tangent_out, _close(g, tangent_out, atol, rtol)))
    report = GradCheckReport(
        "forward/reverse check", _function_name(f), _format_point(names, point),
        "reverse (backward) vs forward (jvp, numeric column)", "exact (dual numbers)",
        atol, rtol, tuple(rows), tuple(dict.fromkeys(problems)),
    )
    if not report.passed:
        raise GradientMismatch(str(report), report)
    return report


__all__ = [
    "GradientMismatch",
    "NumericallyUnreliable",
    "analytic_grad",
    "check_forward_reverse",
    "check_grad",
    "check_second_order",
    "input_names",
]
