"""Function transforms: grad, value_and_grad, jacobian and hessian."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any

from autograd.backprop import gradients
from autograd.grad_mode import is_grad_enabled
from autograd.value import Value

_transform_depth: ContextVar[int] = ContextVar("autograd_transform_depth", default=0)


def _argnum_tuple(argnums: int | Sequence[int]) -> tuple[tuple[int, ...], bool]:
    if isinstance(argnums, bool):
        raise TypeError("argnums must be an int or a tuple of ints, got a bool")
    if isinstance(argnums, int):
        return (argnums,), True
    nums = tuple(argnums)
    if not nums or not all(isinstance(n, int) and not isinstance(n, bool) for n in nums):
        raise TypeError(f"argnums must be an int or a non-empty tuple of ints, got {argnums!r}")
    return nums, False


def value_and_grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """Return a function giving (f(*args), d f / d args[argnums]).

    At the top level numbers come back as numbers. Inside another transform, or given
    Values, the results are Values, so `grad(grad(f))` and closures over an outer variable
    differentiate again.
    """
    nums, single = _argnum_tuple(argnums)

    @functools.wraps(f)
    def wrapped(*args: Any) -> tuple[Any, Any]:
        for n in nums:
            if not -len(args) <= n < len(args):
                raise IndexError(f"argnums {n} is out of range for {len(args)} argument(s)")
        _require_recording(f)
        depth = _transform_depth.get()
        token = _transform_depth.set(depth + 1)
        try:
            return _value_and_grad_once(f, nums, single, args, depth > 0)
        finally:
            _transform_depth.reset(token)

    return wrapped


def _require_recording(f: Callable[..., Any]) -> None:
    if not is_grad_enabled():
        name = getattr(f, "__name__", "f")
        raise RuntimeError(
            f"cannot differentiate {name} inside no_grad(): no graph is recorded there"
        )


def _value_and_grad_once(
    f: Callable[..., Any], nums: tuple[int, ...], single: bool, args: tuple, inside: bool
) -> tuple[Any, Any]:
    """One evaluation of value_and_grad; `inside` is true within an outer transform."""
    args_list = list(args)
    nested = inside or any(isinstance(args[n], Value) for n in nums)
    wrt = []
    for n in nums:
        arg = args_list[n]
        if not isinstance(arg, Value):
            arg = Value(arg, label=f"arg{n % len(args)}")
            args_list[n] = arg
        wrt.append(arg)
    out = f(*args_list)
    if isinstance(out, Value):
        grads = gradients(out, wrt, create_graph=nested)
        value = out if nested else out.data
    elif isinstance(out, (int, float)) and not isinstance(out, bool):
        grads, value = [0.0] * len(wrt), out
    else:
        raise TypeError(f"{getattr(f, '__name__', 'f')} must return a Value or a number, "
                        f"got {type(out).__name__}")
    if not nested:
        grads = [g.data if isinstance(g, Value) else g for g in grads]
    return value, (grads[0] if single else tuple(grads))


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """Return a function giving d f / d args[argnums]; nest it for higher derivatives."""
    with_value = value_and_grad(f, argnums)

    @functools.wraps(f)
    def wrapped(*args: Any) -> Any:
        return with_value(*args)[1]

    return wrapped


def _leaves(inputs: Sequence[Any]) -> list[Value]:
    return [x if isinstance(x, Value) else Value(x, label=f"x{i}") for i, x in enumerate(inputs)]


def _number(g: Any) -> float:
    return g.data if isinstance(g, Value) else float(g)


def jacobian(f: Callable[..., Sequence[Any]], inputs: Sequence[Any]) -> list[list[float]]:
    """J[i][j] = d f(*inputs)[i] / d inputs[j], for f returning a list of Values."""
    _require_recording(f)
    xs = _leaves(inputs)
    outs = f(*xs)
    return [
        [_number(g) for g in gradients(out, xs)] if isinstance(out, Value) else [0.0] * len(xs)
        for out in outs
    ]


def hessian(f: Callable[..., Any], inputs: Sequence[Any]) -> list[list[float]]:
    """H[i][j] = d2 f(*inputs) / d inputs[i] d inputs[j], by backprop through backprop."""
    _require_recording(f)
    xs = _leaves(inputs)
    out = f(*xs)
    if not isinstance(out, Value):
        return [[0.0] * len(xs) for _ in xs]
    first = gradients(out, xs, create_graph=True)
    return [
        [_number(g) for g in gradients(gi, xs)] if isinstance(gi, Value) else [0.0] * len(xs)
        for gi in first
    ]
