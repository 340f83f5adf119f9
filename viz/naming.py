"""Names for nodes in tables and pictures: the label, else the constant, else %k."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_FORMULA_NAMES = re.compile(r"\b(x|y|out)\b")


def node_names(order: Iterable[Any]) -> dict[int, str]:
    """Map id(node) to a readable name for every node in a topological order.

    A labelled node keeps its label, an unlabelled leaf is named by its value (it is
    usually a constant such as the 2 in `x + 2`), and an unlabelled intermediate gets
    `%k`, numbered in topological order.

    Example:
        >>> from autograd import Value, topological_order
        >>> x = Value(3.0, "x")
        >>> y = (x * 2).tanh()
        >>> sorted(node_names(topological_order(y)).values())
        ['%1', '%2', '2', 'x']
    """
    names: dict[int, str] = {}
    counter = 0
    for node in order:
        if node.label:
            names[id(node)] = node.label
        elif not node.parents:
            names[id(node)] = f"{node.data:g}"
        else:
            counter += 1
            names[id(node)] = f"%{counter}"
    return names


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
