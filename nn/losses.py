"""Loss functions, written exactly as the seed documents write them, plus mse and hinge.

Each takes predictions and targets (numbers or Values) and returns one Value. Lengths
must match; an empty batch is an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autograd import Value
from autograd.ops import primal
from nn.probabilities import log_softmax, logsumexp, softmax

__all__ = [
    "binary_cross_entropy_with_logits",
    "half_sum_of_squares",
    "hinge",
    "l2_loss",
    "log_softmax",
    "logsumexp",
    "mse",
    "softmax",
    "softmax_cross_entropy",
    "softplus",
    "sum_of_squared_errors",
]


def _pairs(predictions: Any, targets: Any, who: str) -> list[tuple[Any, Any]]:
    for name, seq in (("predictions", predictions), ("targets", targets)):
        if isinstance(seq, (str, bytes)) or not isinstance(seq, Sequence):
            raise TypeError(f"{who}: {name} must be a sequence, got {type(seq).__name__}")
    if len(predictions) != len(targets):
        raise ValueError(
            f"{who}: {len(predictions)} predictions but {len(targets)} targets"
        )
    if not predictions:
        raise ValueError(f"{who}: needs at least one prediction, got none")
    return list(zip(predictions, targets, strict=True))


def _total(terms: list[Value]) -> Value:
    total = terms[0] if isinstance(terms[0], Value) else Value(terms[0])
    for term in terms[1:]:
        total = total + term
    return total


def _flat_pairs(predictions: Any, targets: Any, who: str) -> list[tuple[Any, Any]]:
    """Pairs of scalars; vectors (lists of equal length) are compared entry by entry."""
    pairs = []
    for n, (p, t) in enumerate(_pairs(predictions, targets, who)):
        p_is_vector = isinstance(p, Sequence) and not isinstance(p, (str, bytes))
        t_is_vector = isinstance(t, Sequence) and not isinstance(t, (str, bytes))
        if p_is_vector != t_is_vector:
            raise ValueError(f"{who}: example {n} mixes a vector and a scalar")
        if p_is_vector:
            pairs.extend(_pairs(p, t, f"{who} (example {n})"))
        else:
            pairs.append((p, t))
    return pairs


def half_sum_of_squares(predictions: Sequence[Any], targets: Sequence[Any]) -> Value:
    """Seed 000's L(t_hat; t) = 1/2 sum_i (t_hat_i - t_i)^2.

    Example:
        >>> half_sum_of_squares([1.0, 3.0], [0.0, 1.0]).data
        2.5
    """
    pairs = _flat_pairs(predictions, targets, "half_sum_of_squares")
    return _total([(p - t) ** 2 for p, t in pairs]) * 0.5


def sum_of_squared_errors(predictions: Sequence[Any], targets: Sequence[Any]) -> Value:
    """Seed 003's L = sum_i (y_i - y_hat_i)^2 (no 1/2, no mean).

    Example:
        >>> sum_of_squared_errors([1.0, 3.0], [0.0, 1.0]).data
        5.0
    """
    pairs = _flat_pairs(predictions, targets, "sum_of_squared_errors")
    return _total([(t - p) ** 2 for p, t in pairs])


def mse(predictions: Sequence[Any], targets: Sequence[Any]) -> Value:
    """Mean of squared errors over every scalar: sum (y_hat - y)^2 / count.

    Example:
        >>> mse([1.0, 3.0], [0.0, 1.0]).data
        2.5
    """
    pairs = _flat_pairs(predictions, targets, "mse")
    return _total([(p - t) ** 2 for p, t in pairs]) / len(pairs)


def l2_loss(predictions: Sequence[Sequence[Any]], targets: Sequence[Sequence[Any]]) -> Value:
    """Seed 002's l2 = 1/N sum_n (y_hat(x_n) - y_n)^T (y_hat(x_n) - y_n): mean squared norm.

    Each prediction and target is a vector (a list); N is the number of examples.

    Example:
        >>> l2_loss([[1.0, 1.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 2.0]]).data
        3.0
    """
    examples = _pairs(predictions, targets, "l2_loss")
    for n, (p, t) in enumerate(examples):
        if not (isinstance(p, Sequence) and isinstance(t, Sequence)):
            raise TypeError(f"l2_loss: example {n} must be a pair of vectors (lists)")
    pairs = _flat_pairs(predictions, targets, "l2_loss")
    return _total([(p - t) ** 2 for p, t in pairs]) / len(examples)


def softplus(z: Any) -> Value:
    """log(1 + exp(z)), computed without overflow for any finite z.

    Example:
        >>> softplus(1000.0).data
        1000.0
    """
    z = z if isinstance(z, Value) else Value(z)
    if z.data > 0:
        return z + (1.0 + (-z).exp()).log()
    return (1.0 + z.exp()).log()


def binary_cross_entropy_with_logits(logits: Sequence[Any], labels: Sequence[Any]) -> Value:
    """Seed 001's eps = 1/N sum_i [y_i log(1 + exp(-z_i)) + (1 - y_i) log(1 + exp(z_i))].

    This is -1/N sum_i [y log sigma(z) + (1 - y) log(1 - sigma(z))], the usual binary
    cross-entropy with the minus sign that the seed's first line drops. Computed as
    softplus(z) - y z, which is exact and finite for any finite logit.

    Example:
        >>> round(binary_cross_entropy_with_logits([0.0], [1.0]).data, 6)
        0.693147
    """
    pairs = _pairs(logits, labels, "binary_cross_entropy_with_logits")
    return _total([softplus(z) - y * z for z, y in pairs]) / len(pairs)


def _one_example_cross_entropy(logits: Sequence[Any], target: Any, where: str) -> Value:
    log_probs = log_softmax(logits)
    if isinstance(target, int) and not isinstance(target, bool):
        if not 0 <= target < len(log_probs):
            raise ValueError(
                f"softmax_cross_entropy{where}: class {target} is out of range for "
                f"{len(log_probs)} logits"
            )
        return -log_probs[target]
    pairs = _pairs(log_probs, target, f"softmax_cross_entropy{where}")
    return -_total([y * lp for lp, y in pairs])


def softmax_cross_entropy(logits: Sequence[Any], targets: Any) -> Value:
    """Seed 004's C = -sum_k y_k log(y_hat_k) with y_hat = softmax(s), from the logits s.

    For one example pass its logits and its target: a class index or a vector y (one-hot
    or probabilities). For a batch pass a list of logit lists and a list of targets: the
    result is the seed's C(w) = -sum_n sum_k y_k log y_hat_k, a sum over examples (divide
    by N for a mean). Uses log-softmax, so logits of +-1000 are fine.

    Example:
        >>> round(softmax_cross_entropy([2.0, 0.0], 0).data, 6)
        0.126928
        >>> round(softmax_cross_entropy([[2.0, 0.0], [0.0, 2.0]], [0, 1]).data, 6)
        0.253856
    """
    if isinstance(logits, Sequence) and logits and isinstance(logits[0], Sequence):
        pairs = _pairs(logits, targets, "softmax_cross_entropy")
        return _total([
            _one_example_cross_entropy(s, y, f" (example {n})") for n, (s, y) in enumerate(pairs)
        ])
    return _one_example_cross_entropy(logits, targets, "")


def hinge(scores: Sequence[Any], labels: Sequence[Any]) -> Value:
    """Max-margin loss: mean of relu(1 - y_i * score_i), labels y_i in {-1, +1}.

    Example:
        >>> hinge([2.0, 0.5], [1, -1]).data
        0.75
    """
    pairs = _pairs(scores, labels, "hinge")
    for n, (_, y) in enumerate(pairs):
        if primal(y) not in (-1, 1):
            raise ValueError(f"hinge: labels must be -1 or +1, got {y!r} at example {n}")
    terms = [(1.0 - y * (s if isinstance(s, Value) else Value(s))).relu() for s, y in pairs]
    return _total(terms) / len(pairs)
