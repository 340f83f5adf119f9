"""Softmax, log-softmax and log-sum-exp, stable for logits of any finite size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autograd import Value
from autograd.ops import primal


def _as_values(logits: Sequence[Any], what: str) -> list[Value]:
    if isinstance(logits, (str, bytes)) or not isinstance(logits, Sequence):
        kind = type(logits).__name__
        raise TypeError(f"{what} takes a sequence of Values or numbers, got {kind}")
    if len(logits) == 0:
        raise ValueError(f"{what} needs at least one logit, got an empty sequence")
    return [s if isinstance(s, Value) else Value(s) for s in logits]


def _shifted_exps(values: list[Value]) -> tuple[float, list[Value]]:
    # Subtracting the largest logit (a plain constant) keeps every exp at most 1. The result
    # does not depend on the shift, so treating it as a constant leaves the gradient exact.
    shift = max(primal(s) for s in values)
    return shift, [(s - shift).exp() for s in values]


def logsumexp(logits: Sequence[Any]) -> Value:
    """log(sum_k exp(s_k)), computed as m + log(sum_k exp(s_k - m)) with m = max_k s_k.

    Example:
        >>> round(logsumexp([1000.0, -1000.0]).data, 6)
        1000.0
    """
    values = _as_values(logits, "logsumexp")
    shift, exps = _shifted_exps(values)
    return sum(exps[1:], exps[0]).log() + shift


def log_softmax(logits: Sequence[Any]) -> list[Value]:
    """log softmax(s)_c = s_c - logsumexp(s), finite for every finite logit.

    Example:
        >>> [round(v.data, 6) for v in log_softmax([1000.0, -1000.0])]
        [0.0, -2000.0]
    """
    values = _as_values(logits, "log_softmax")
    lse = logsumexp(values)
    return [s - lse for s in values]


def softmax(logits: Sequence[Any]) -> list[Value]:
    """softmax(s)_c = exp(s_c) / sum_k exp(s_k), the seed-004 g(s_c), computed stably.

    Example:
        >>> [round(v.data, 6) for v in softmax([0.0, 0.0])]
        [0.5, 0.5]
    """
    values = _as_values(logits, "softmax")
    _, exps = _shifted_exps(values)
    total = sum(exps[1:], exps[0])
    return [e / total for e in exps]
