"""Names for nodes in tables and pictures: the label, else the constant, else %k."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_FORMULA_NAMES = re.compile(r"\b(x|y|out)\b")


def node_names(order: Iterable[Any]) -> dict[int, str]:
    """Map id(node) to a readable name for every node in a topological order.

    A labelled node keeps its label, an unlabelled leaf is named by its value (it is
    usually a constant such as the 2 in `x + 2`; in full when the short form would round
    it), and an unlabelled intermediate gets `%k`, numbered in topological order and
    skipping any `%k` a label already uses.

    Example:
        >>> from autograd import Value, topological_order
        >>> x = Value(3.0, "x")
        >>> y = (x * 2).tanh()
        >>> sorted(node_names(topological_order(y)).values())
        ['%1', '%2', '2', 'x']
    """
    order = list(order)
    taken = {node.label for node in order if node.label}
    names: dict[int, str] = {}
    counter = 0
    for node in order:
        if node.label:
            names[id(node)] = node.label
        elif not node.parents:
            names[id(node)] = constant_name(node.data)
        else:
            counter += 1
            while f"%{counter}" in taken:  # a user's own "%1" keeps its name
                counter += 1
            names[id(node)] = f"%{counter}"
    return names


def constant_name(x: float) -> str:
    """The short `:g` form of a number when it reads back exactly, else its full repr.

    Example:
        >>> constant_name(2.0), constant_name(2.0000001), constant_name(1e300)
        ('2', '2.0000001', '1e+300')
    """
    short = f"{x:g}"
    return short if float(short) == x or x != x else repr(x)


def wrap_name(name: str) -> str:
    """Put a name in parentheses unless it is one word, so `d(x1*w1)` reads right."""
    return name if re.fullmatch(r"[\w.%\[\],]+", name) else f"({name})"


def formula_in_names(node: Any, index: int, names: dict[int, str]) -> str:
    """The op table's formula for d node / d parents[index], with x, y, out as node names.

    Example:
        >>> from autograd import Value
        >>> a, b = Value(2.0, "a"), Value(3.0, "b")
        >>> c = a * b
        >>> c.label = "c"
        >>> names = {id(a): "a", id(b): "b", id(c): "c"}
        >>> formula_in_names(c, 0, names), formula_in_names(c.tanh(), 0, names)
        ('b', '1 - out**2')
    """
    words = {"out": names.get(id(node), "out"), "x": names.get(id(node.parents[0]), "x")}
    if len(node.parents) > 1:
        words["y"] = names.get(id(node.parents[1]), "y")
    formula = node.op_record.formulas[index]
    return _FORMULA_NAMES.sub(lambda m: wrap_name(words[m.group(1)]), formula)
