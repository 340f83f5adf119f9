"""State dicts: parameter values grouped into arrays by name, and checked loading."""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable
from typing import Any

from autograd import Value

_INDEXED = re.compile(r"^(?P<base>.+?)\[(?P<index>\d+(?:,\d+)*)\]$")


class StateDictError(ValueError):
    """A state dict (or saved file) does not fit the model; the model was left unchanged.

    Example:
        >>> from nn import Neuron
        >>> try:
        ...     Neuron(1, seed=0).load_state_dict({"w": [1.0]})
        ... except StateDictError as err:
        ...     print(err)
        state dict does not match the model: missing keys ['b']
    """


def split_name(name: str) -> tuple[str, tuple[int, ...]]:
    """Split a parameter name into its array name and index.

    Example:
        >>> split_name("W1[2,0]"), split_name("b")
        (('W1', (2, 0)), ('b', ()))
    """
    match = _INDEXED.match(name)
    if match is None:
        return name, ()
    return match["base"], tuple(int(i) for i in match["index"].split(","))


def _group(named: Iterable[tuple[str, Value]]) -> dict[str, dict[tuple[int, ...], Value]]:
    groups: dict[str, dict[tuple[int, ...], Value]] = {}
    for name, param in named:
        base, index = split_name(name)
        groups.setdefault(base, {})[index] = param
    return groups


def _shape(base: str, cells: dict[tuple[int, ...], Any]) -> tuple[int, ...]:
    ranks = {len(index) for index in cells}
    if len(ranks) != 1:
        raise StateDictError(f"parameters named {base}[...] mix different numbers of indices")
    rank = ranks.pop()
    shape = tuple(max(index[d] for index in cells) + 1 for d in range(rank))
    if math.prod(shape) != len(cells):
        raise StateDictError(
            f"parameters named {base}[...] do not fill a full array of shape {shape}"
        )
    return shape


def _nest(shape: tuple[int, ...], cell: Any) -> Any:
    """Build nested lists of the given shape, calling cell(index) for each entry."""
    if not shape:
        return cell(())
    # Build from the innermost dimension outwards, without recursion.
    indices = [()]
    for size in shape:
        indices = [index + (i,) for index in indices for i in range(size)]
    level: list[Any] = [cell(index) for index in indices]
    for size in reversed(shape[1:]):
        level = [level[i : i + size] for i in range(0, len(level), size)]
    return level


def state_from_parameters(named: Iterable[tuple[str, Value]]) -> dict[str, Any]:
    """Group named parameters into {base name: float or nested lists of floats}."""
    state = {}
    for base, cells in _group(named).items():
        shape = _shape(base, cells)
        state[base] = _nest(shape, lambda index, cells=cells: cells[index].data)
    return state


def _shape_of(entry: Any, rank: int) -> tuple[int, ...] | None:
    """The shape of nested lists of the given rank, or None if ragged or of another rank."""
    shape = []
    level = [entry]
    for _ in range(rank):
        if not all(isinstance(item, list) for item in level):
            return None
        lengths = {len(item) for item in level}
        if len(lengths) != 1:
            return None
        shape.append(lengths.pop())
        level = [x for item in level for x in item]
    if any(isinstance(item, list) for item in level):
        return None
    return tuple(shape)


def _number(key: str, index: tuple[int, ...], value: Any) -> float:
    where = f"{key}[{','.join(map(str, index))}]" if index else key
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise StateDictError(
            f"state entry {where} must be a real number, got {type(value).__name__} {value!r}"
        )
    try:
        number = float(value)
    except OverflowError:
        raise StateDictError(f"state entry {where} is too large for a float") from None
    if not math.isfinite(number):
        raise StateDictError(f"state entry {where} must be finite, got {number!r}")
    return number


def _lookup(entry: Any, index: tuple[int, ...]) -> Any:
    for i in index:
        entry = entry[i]
    return entry


def assign_state(named: list[tuple[str, Value]], state: Any, strict: bool = True) -> None:
    """Check every entry of state against the parameters, then assign all or nothing."""
    if not isinstance(state, dict):
        raise StateDictError(f"a state dict must be a dict, got {type(state).__name__}")
    groups = _group(named)
    for key in state:
        if not isinstance(key, str):
            raise StateDictError(f"state dict keys must be strings, got {key!r}")
    missing = [base for base in groups if base not in state]
    extra = [key for key in state if key not in groups]
    if strict and (missing or extra):
        parts = []
        if missing:
            parts.append(f"missing keys {_some(missing)}")
        if extra:
            parts.append(f"unexpected keys {_some(extra)}")
        raise StateDictError("state dict does not match the model: " + "; ".join(parts))
    updates: list[tuple[Value, float]] = []
    for base, cells in groups.items():
        if base not in state:
            continue
        shape = _shape(base, cells)
        found = _shape_of(state[base], len(shape))
        if found != shape:
            described = "a number" if not shape else f"nested lists of shape {shape}"
            raise StateDictError(
                f"state entry {base!r} should be {described} to match the model, "
                f"got {_describe_shape(state[base])}"
            )
        for index, param in cells.items():
            updates.append((param, _number(base, index, _lookup(state[base], index))))
    for param, number in updates:
        param.data = number


def _some(keys: list[str], shown: int = 10) -> str:
    """A list of keys for a message: the first `shown`, then how many more (a file may
    hold a million)."""
    if len(keys) <= shown:
        return repr(keys)
    return f"{keys[:shown]!r} and {len(keys) - shown:,} more"


def _describe_shape(entry: Any) -> str:
    if not isinstance(entry, list):
        return f"{type(entry).__name__} {entry!r}"[:80]
    shape = []
    while isinstance(entry, list):
        shape.append(len(entry))
        if not entry:
            break
        entry = entry[0]
    return f"nested lists starting with shape {tuple(shape)} (possibly ragged)"
