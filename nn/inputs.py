"""What a model takes as input: one vector (a list, tuple or 1-D numpy array) or a batch.

A vector holds real numbers (numpy's scalars included) or Values. A 2-D numpy array is a
batch: one vector per row. Every number must be finite; nan or inf is refused naming its
position, since it would only turn every gradient downstream into nan. numpy is never
imported here: an array is recognised by its type's module, so `nn` needs no numpy.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

from autograd import Value


def is_array(x: Any) -> bool:
    """True for a numpy array (numpy is then already imported by whoever made it).

    Example:
        >>> is_array([1.0, 2.0])
        False
    """
    return type(x).__module__ == "numpy" and hasattr(x, "ndim") and hasattr(x, "dtype")


def _where(i: int, row: int | None) -> str:
    return f"input {i}" if row is None else f"row {row}, input {i}"


def _vector_from_array(x: Any, who: str, row: int | None) -> list[Any]:
    kind = x.dtype.kind
    if kind in "fiu":
        return x.tolist()  # Python floats and ints, exactly the array's numbers
    if kind == "O":
        return list(x)
    what = "bools" if kind == "b" else f"dtype {x.dtype}"
    at = "" if row is None else f" (row {row})"
    raise TypeError(f"{who} takes real numbers or Values, got a numpy array of {what}{at}")


def check_vector(x: Any, nin: int, who: str, row: int | None = None) -> Sequence[Any]:
    """x as a sequence of nin finite inputs, or a TypeError/ValueError naming the position.

    Example:
        >>> check_vector([1.0, 2], 2, "MLP")
        [1.0, 2]
        >>> check_vector([1.0, float("nan")], 2, "MLP")
        Traceback (most recent call last):
        ...
        ValueError: MLP input 1 is nan; inputs must be finite numbers
    """
    if is_array(x):
        if x.ndim != 1:
            raise ValueError(f"{who} takes a 1-D array of {nin} inputs, got shape {x.shape}")
        x = _vector_from_array(x, who, row)
    elif isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
        raise TypeError(f"{who} takes a sequence of {nin} inputs, got {type(x).__name__}")
    if len(x) != nin:
        at = "" if row is None else f" in row {row}"
        raise ValueError(f"{who} takes {nin} inputs, got {len(x)}{at}")
    for i, item in enumerate(x):
        if isinstance(item, Value):
            number = item.data
        elif isinstance(item, numbers.Real) and not isinstance(item, bool):
            if isinstance(item, numbers.Integral):
                continue  # ints are finite (a huge one fails in the arithmetic, by name)
            number = float(item)
        else:
            raise TypeError(
                f"{who} {_where(i, row)} must be a real number or a Value, "
                f"got {type(item).__name__} {item!r}"
            )
        if not math.isfinite(number):
            raise ValueError(f"{who} {_where(i, row)} is {number!r}; inputs must be finite numbers")
    return x


def batch_rows(x: Any, nin: int, who: str) -> list[Sequence[Any]] | None:
    """The rows of a 2-D numpy array, each checked as a vector; None if x is not one.

    Example:
        >>> batch_rows([1.0, 2.0], 2, "MLP") is None
        True
    """
    if not is_array(x) or x.ndim != 2:
        return None
    return [check_vector(row, nin, who, row=r) for r, row in enumerate(x)]


def per_input(x: Any, nin: int, who: str, forward: Callable[[Sequence[Any]], Any]) -> Any:
    """forward on the checked input vector, or a list of forward's results for a 2-D batch.

    Example:
        >>> per_input([1.0, 2.0], 2, "MLP", sum)
        3.0
    """
    rows = batch_rows(x, nin, who)
    if rows is not None:
        return [forward(row) for row in rows]
    return forward(check_vector(x, nin, who))

