"""Names for nodes in tables and pictures: the label, else the constant, else %k.

`plain_text` is the one sanitising step for text that came from users (labels, titles,
expression text, file names): every text, Markdown, LaTeX, rich, DOT and HTML output
of viz passes its labels through it, then escapes them for its own format.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from typing import Any

_FORMULA_NAMES = re.compile(r"\b(x|y|out)\b")

# C0 and C1 controls (NUL, ESC of terminal escapes, CR, LF, TAB, DEL, ...), lone
# surrogates (they cannot be encoded), line and paragraph separators, and the bidi
# embeddings, overrides and isolates that reorder what a reader sees.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def plain_text(text: str) -> str:
    """Text made safe to show anywhere: one printable line that encodes as UTF-8.

    Control characters (newline, carriage return, tab, NUL, the ESC of terminal escape
    codes, DEL, C1), lone surrogates, line separators and bidi overrides are written as
    Python-style escapes (\\n, \\x1b, \\ud800, \\u202e); everything else is kept. The
    result is unchanged by a second pass. Markup is not escaped here: each output
    format escapes its own special characters afterwards.

    Example:
        >>> print(plain_text("two\\nlines \\x1b[31mred\\x00"), plain_text("caf\\u00e9 \\ud800"))
        two\\nlines \\x1b[31mred\\x00 café \\ud800
    """
    text = str(text)
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def node_names(order: Iterable[Any]) -> dict[int, str]:
    """Map id(node) to a readable name for every node in a topological order.

    A labelled node keeps its label, an unlabelled leaf is named by its value (it is
    usually a constant such as the 2 in `x + 2`; in full when the short form would round
    it), and an unlabelled intermediate gets `%k`, numbered in topological order and
    skipping any `%k` a label already uses. Labels are shown through `plain_text`, so
    a control character never reaches a table, a terminal or a picture.

    Example:
        >>> from autograd import Value, topological_order
        >>> x = Value(3.0, "x")
        >>> y = (x * 2).tanh()
        >>> sorted(node_names(topological_order(y)).values())
        ['%1', '%2', '2', 'x']
    """
    order = list(order)
    taken = {plain_text(node.label) for node in order if node.label}
    names: dict[int, str] = {}
    counter = 0
    for node in order:
        if node.label:
            names[id(node)] = plain_text(node.label)
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
    formula = plain_text(node.op_record.formulas[index])
    return _FORMULA_NAMES.sub(lambda m: wrap_name(words[m.group(1)]), formula)


# Binding strength of each form, as in Python: a + b < a * b < -a < a ** b < f(a) and names.
_SUM, _PRODUCT, _UNARY, _POWER, _ATOM = 1, 2, 3, 4, 5
_INFIX = {"add": ("+", _SUM), "sub": ("-", _SUM), "mul": ("*", _PRODUCT),
          "div": ("/", _PRODUCT), "mod": ("%", _PRODUCT), "pow": ("**", _POWER)}


def _operand(text: str, strength: int, needed: int) -> str:
    return text if strength >= needed else f"({text})"


def _infix(node: Any, operands: list[tuple[str, int]]) -> tuple[str, int]:
    """A node's operation written in infix (x1 * w1, -x, x**2, tanh(n)), and its strength."""
    record = node.op_record
    row = record.row or record
    if row.name in _INFIX:
        symbol, strength = _INFIX[row.name]
        (left, left_strength), (right, right_strength) = operands
        if strength == _POWER:  # right-associative: the base must bind tighter
            left = _operand(left, left_strength, _POWER + 1)
            right = _operand(right, right_strength, _UNARY)
            return f"{left}**{right}", _POWER
        left = _operand(left, left_strength, strength)
        right = _operand(right, right_strength, strength + 1)
        return f"{left} {symbol} {right}", strength
    if row.name == "negative":
        text, strength = operands[0]
        return f"-{_operand(text, strength, _POWER)}", _UNARY
    if row.name == "pow_const":
        text, strength = operands[0]
        exponent = record.symbol[2:] if record.symbol.startswith("**") else record.symbol
        return f"{_operand(text, strength, _POWER + 1)}**{exponent}", _POWER
    arguments = [text for text, _ in operands]
    arguments += [constant_name(value) for value in (record.bound or ())]
    return f"{row.name}({', '.join(arguments)})", _ATOM


def infix_text(node: Any, names: dict[int, str]) -> str:
    """How node was computed from its parents, in infix with their names: `x1 * w1`, `tanh(n)`.

    A leaf gives its own name. Parentheses appear only where Python would need them.

    Example:
        >>> from autograd import Value, topological_order
        >>> x, w = Value(2.0, "x"), Value(-3.0, "w")
        >>> y = (x * w + 1) ** 2
        >>> names = node_names(topological_order(y))
        >>> infix_text(y, names), infix_text(y.parents[0], names)
        ('%2**2', '%1 + 1')
    """
    if not node.parents:
        return names[id(node)]
    operands = [(wrap_name(names[id(p)]), _ATOM) for p in node.parents]
    return _infix(node, operands)[0]


def expression_texts(order: Iterable[Any], names: dict[int, str],
                     max_length: int = 160, opaque: Container[int] = ()) -> dict[int, str]:
    """Map id(node) to the whole expression that computed it, in infix over the leaves' names.

    A part of an expression longer than `max_length` characters is written as its node's
    name instead, so every text stays short (at most about twice `max_length`) however
    big the graph is. Nodes whose id is in `opaque` are written by their name too (a
    drawing's folded modules). One pass over the topological order, no recursion.

    Example:
        >>> from autograd import Value, topological_order
        >>> x1, w1, b = Value(2.0, "x1"), Value(-3.0, "w1"), Value(1.0, "b")
        >>> n = x1 * w1 + b
        >>> n.label = "n"
        >>> o = n.tanh()
        >>> texts = expression_texts(topological_order(o), node_names(topological_order(o)))
        >>> texts[id(o)], texts[id(n)]
        ('tanh(x1 * w1 + b)', 'x1 * w1 + b')
    """
    order = list(order)
    forms: dict[int, tuple[str, int]] = {}
    for node in order:
        name = names[id(node)]
        if not node.parents or id(node) in opaque:
            forms[id(node)] = (wrap_name(name), _ATOM)  # wrap_name adds any parentheses
            continue
        operands = []
        for parent in node.parents:
            text, strength = forms[id(parent)]
            if len(text) > max_length:
                text, strength = wrap_name(names[id(parent)]), _ATOM
            operands.append((text, strength))
        forms[id(node)] = _infix(node, operands)
    return {key: text for key, (text, _) in forms.items()}
