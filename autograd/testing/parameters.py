"""check_parameter_grads: a model's parameter gradients against finite differences of its loss."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from autograd.grad_mode import no_grad
from autograd.tape import Tape
from autograd.testing.checks import _close, _same_bits
from autograd.testing.errors import GradientMismatch
from autograd.testing.numerical import central_difference, richardson
from autograd.testing.report import GradCheckReport, Row
from autograd.value import Value


def _loss_value(loss_fn: Callable[[], Any], name: str) -> Value:
    loss = loss_fn()
    if not isinstance(loss, Value):
        raise TypeError(f"{name} must return a Value, got {type(loss).__name__}")
    return loss


def _backprop_grads(loss_fn: Callable[[], Any], params: Sequence[Value], name: str) -> tuple:
    for p in params:
        p.grad = 0.0
    loss = _loss_value(loss_fn, name)
    loss.backward()
    return loss.data, [p.grad for p in params]


def check_parameter_grads(
    loss_fn: Callable[[], Any],
    parameters: Iterable[Any],
    *,
    atol: float = 1e-6,
    rtol: float = 1e-6,
    method: str = "richardson",
    replay: bool = False,
) -> GradCheckReport:
    """Compare backprop's d loss / d p with differences of loss_fn() as each p.data moves.

    parameters: leaf Values, or (name, Value) pairs as from Module.named_parameters().
    loss_fn() rebuilds the loss from the current parameters. Every .data and .grad is
    restored afterwards. Raises GradientMismatch (also when rebuilding is not bit-identical).
    replay=True evaluates the moved losses by replaying a tape of one build (autograd.tape)
    instead of rebuilding the graph each time: much faster, and valid when the loss's graph
    does not depend on the data (an MLP's does not).
    """
    __tracebackhide__ = True  # pytest shows the caller, not this frame
    if method not in ("richardson", "central"):
        raise ValueError(f"method must be 'richardson' or 'central', got {method!r}")
    pairs = [p if isinstance(p, tuple) else (None, p) for p in parameters]
    names = [n if n is not None else (p.label or f"p{i}") for i, (n, p) in enumerate(pairs)]
    params = [p for _, p in pairs]
    for n, p in zip(names, params, strict=True):
        if not isinstance(p, Value) or p.parents:
            raise TypeError(f"parameter {n} must be a leaf Value, got {p!r}")
    name = getattr(loss_fn, "__name__", "loss_fn")
    saved_data = [p.data for p in params]
    saved_grads = [p.grad for p in params]

    def loss_at(point: list[float]) -> float:
        for p, x in zip(params, point, strict=True):
            p.data = x
        with no_grad():
            return _loss_value(loss_fn, name).data

    try:
        value, grads = _backprop_grads(loss_fn, params, name)
        value_again, grads_again = _backprop_grads(loss_fn, params, name)
        problems = []
        if not _same_bits([value] + grads, [value_again] + grads_again):
            problems.append("rebuilding the loss and backpropagating again gave different bits")
        if replay:
            tape = Tape.of(_loss_value(loss_fn, name), params)
            if tape.forward(*saved_data)[-1] != value:
                problems.append("replaying the loss's tape did not give the built loss")

            def loss_at(point: list[float]) -> float:
                return tape.forward(*point)[-1]

        differences = richardson if method == "richardson" else central_difference
        estimates = [differences(loss_at, name, saved_data, i) for i in range(len(params))]
    finally:
        for p, x, g in zip(params, saved_data, saved_grads, strict=True):
            p.data, p.grad = x, g
    rows = tuple(
        Row(n, repr(x), g, e.value, _close(g, e.value, atol, rtol))
        for n, x, g, e in zip(names, saved_data, grads, estimates, strict=True)
    )
    steps = sorted({f"{e.step:.3g}" for e in estimates})
    report = GradCheckReport(
        "parameter gradient check", name, f"the current parameters (loss = {value!r})",
        method, ", ".join(steps) if steps else "-", atol, rtol, rows, tuple(problems),
    )
    if not report.passed:
        raise GradientMismatch(str(report), report)
    return report
