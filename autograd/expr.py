"""Safe expressions: parsed with `ast`, checked against a whitelist, never eval'd.

The language of the command line and of formula texts: numbers, names, `+ - * / ** %`,
unary minus, every function of the op table (numpy's names), and `a if x > 0 else b` with
comparisons, which are decided on the numbers like Python's own `if`.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from typing import Any

from autograd import ops
from autograd.value import Value

MAX_LENGTH = 2000
MAX_NODES = 5000
MAX_LABEL = 24

FUNCTIONS = ops.FUNCTIONS
"""Every function the language knows: the op table's, by name and alias."""
BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.Mod: "%"}
COMPARISONS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}

_NOT_ALLOWED = {
    ast.Attribute: "attribute access",
    ast.Lambda: "lambda",
    ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.Subscript: "indexing",
    ast.BoolOp: "and/or",
    ast.NamedExpr: "the := operator",
    ast.Starred: "*unpacking",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.JoinedStr: "an f-string",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}


class ExpressionError(ValueError):
    """An expression the CLI refuses; the message names the problem and its column."""


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, syntax tree and input names in order of appearance."""

    text: str
    tree: ast.Expression
    names: tuple[str, ...]

    def evaluate(self, inputs: dict[str, Value]) -> Value:
        """Build the graph of the expression on the given leaf Values; return its root."""
        missing = [name for name in self.names if name not in inputs]
        if missing:
            raise ExpressionError(
                f"no value for {missing[0]!r}: give it with --at {missing[0]}=NUMBER"
            )
        return _evaluate(self, inputs)


def _where(node: ast.AST, lead: int = 0) -> str:
    # The tree is parsed from the stripped text; `lead` stripped characters go back in.
    on_first_line = getattr(node, "lineno", 1) == 1
    return f"at column {getattr(node, 'col_offset', 0) + 1 + lead * on_first_line}"


def parse(text: str) -> Expression:
    """Parse and check an expression; raise ExpressionError naming what is not allowed.

    Allowed: numbers, names, `+ - * / ** %`, unary minus and plus, parentheses, the op
    table's functions (`clip(x, -1, 1)`: parameters are numbers), and `a if x > 0 else b`
    (comparisons `< <= > >=`, also chained, only as the condition of an if/else).

    Example:
        >>> parse("tanh(w*x + b)").names
        ('w', 'x', 'b')
        >>> try:
        ...     parse("x.__class__")
        ... except ExpressionError as err:
        ...     print(err)
        attribute access is not allowed (at column 1)
    """
    if not isinstance(text, str):
        raise ExpressionError(f"the expression must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}"
        )
    if not text.strip():
        raise ExpressionError("the expression is empty")
    lead = len(text) - len(text.lstrip())
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        shift = lead if err.lineno in (None, 1) else 0
        column = f" at column {err.offset + shift}" if err.offset else " at the end"
        raise ExpressionError(f"not a valid expression: {err.msg}{column}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("the expression is nested too deeply") from None
    names: list[str] = []
    callees: set[int] = set()  # the Name nodes that are called, as in exp(...)
    conditions: set[int] = set()  # the Compare nodes that are an if/else's condition
    count = 0
    for node in ast.walk(tree):
        count += 1
        if count > MAX_NODES:
            raise ExpressionError(f"the expression has more than {MAX_NODES} parts")
        _check(node, names, callees, conditions, lead)
    ordered = sorted(
        (n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in names),
        key=lambda n: (n.lineno, n.col_offset),
    )
    seen: dict[str, None] = {}
    for n in ordered:
        seen.setdefault(n.id, None)
    return Expression(text.strip(), tree, tuple(seen))


def _too_large(value: int | float) -> bool:
    try:
        return not math.isfinite(float(value))
    except OverflowError:  # an int literal beyond the float range
        return True


def _check(
    node: ast.AST, names: list[str], callees: set[int], conditions: set[int], lead: int
) -> None:
    """Refuse a node that is not allowed. ast.walk visits a parent before its children."""
    if isinstance(node, ast.Expression):
        return
    if isinstance(node, ast.IfExp):
        conditions.add(id(node.test))
    where = _where(node, lead)
    for kind, what in _NOT_ALLOWED.items():
        if isinstance(node, kind):
            raise ExpressionError(f"{what} is not allowed ({where})")
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ExpressionError(f"only real numbers are allowed, not {value!r} ({where})")
        if _too_large(value):
            shown = repr(value)
            shown = shown if len(shown) <= 20 else f"{shown[:12]}... ({len(shown)} digits)"
            raise ExpressionError(f"the number {shown} is too large ({where})")
        return
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise ExpressionError(f"the name {node.id!r} is not allowed ({where})")
        if node.id in FUNCTIONS:
            if id(node) not in callees:
                raise ExpressionError(
                    f"{node.id!r} is a function; call it as {node.id}(...) ({where})"
                )
            return
        if node.id not in names:
            names.append(node.id)
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in BINARY:
            symbol = type(node.op).__name__
            raise ExpressionError(
                f"the operator {symbol} is not allowed; use + - * / ** % ({where})"
            )
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise ExpressionError(
                f"the operator {type(node.op).__name__} is not allowed ({where})"
            )
        return
    if isinstance(node, ast.Call):
        func = node.func
        if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
            called = repr(func.id) if isinstance(func, ast.Name) else "an expression"
            raise ExpressionError(
                f"calling {called} is not allowed ({where}); the functions are "
                f"{', '.join(FUNCTIONS)}"
            )
        row = FUNCTIONS[func.id].op
        most = row.arity + len(row.parameters)
        least = most - len(row.defaults)
        if node.keywords or not least <= len(node.args) <= most:
            count = f"exactly {least}" if least == most else f"{least} to {most}"
            plural = "" if most == 1 else "s"
            shown = FUNCTIONS[func.id].__doc__.split(":")[0]
            raise ExpressionError(
                f"{func.id}() takes {count} argument{plural}, by position: {shown} ({where})"
            )
        for argument in node.args[row.arity:]:
            if any(isinstance(n, ast.Name) for n in ast.walk(argument)):
                raise ExpressionError(
                    f"the parameters of {func.id}() must be numbers, not names "
                    f"({_where(argument, lead)})"
                )
        callees.add(id(func))
        return
    if isinstance(node, ast.IfExp):
        if not isinstance(node.test, ast.Compare):
            raise ExpressionError(
                f"the condition of an if/else must be a comparison such as x > 0 ({where})"
            )
        return
    if isinstance(node, ast.Compare):
        if id(node) not in conditions:
            raise ExpressionError(
                f"a comparison is allowed only as the condition of an if/else ({where})"
            )
        for operator in node.ops:
            if type(operator) not in COMPARISONS:
                raise ExpressionError(
                    f"the comparison {type(operator).__name__} is not allowed; use "
                    f"{' '.join(COMPARISONS.values())} ({where})"
                )
        return
    if isinstance(node, ast.cmpop):
        return
    if isinstance(node, (ast.operator, ast.unaryop, ast.expr_context)):
        return
    raise ExpressionError(f"{type(node).__name__} is not allowed ({where})")


def _label(expression: Expression, node: ast.AST) -> str:
    if node.end_lineno != node.lineno or node.end_col_offset - node.col_offset > 4 * MAX_LABEL:
        return ""
    segment = ast.get_source_segment(expression.text, node) or ""
    segment = " ".join(segment.split())
    return segment if len(segment) <= MAX_LABEL else ""


_OPERATORS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
    ast.Mod: lambda a, b: a % b,
}
_COMPARE = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}


_TABLE_NAMES = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Mod: "mod"}


def _apply_binary(op: ast.operator, left: Any, right: Any) -> Any:
    if not isinstance(left, Value) and not isinstance(right, Value):
        # Two numbers stay a number (as in a parameter, clip(x, 1+1, 3), or an exponent,
        # x ** (1+1)), computed by the op table under its numeric policy.
        if isinstance(op, ast.Pow):
            return ops.evaluate(ops.power_op(right), left)
        return ops.FUNCTIONS[_TABLE_NAMES[type(op)]](left, right)
    if isinstance(op, ast.Pow) and not isinstance(left, Value):
        left = Value(left)
    return _OPERATORS[type(op)](left, right)


def _number(x: Any) -> float:
    return x.data if isinstance(x, Value) else x


def _holds(node: ast.Compare, values: list[Any]) -> bool:
    """A chained comparison decided on the numbers: a < b <= c."""
    numbers = [_number(v) for v in values]
    return all(
        _COMPARE[type(op)](numbers[k], numbers[k + 1]) for k, op in enumerate(node.ops)
    )


def _evaluate(expression: Expression, inputs: dict[str, Value]) -> Value:
    """Post-order walk with an explicit stack: deep nesting needs no recursion.

    An if/else evaluates its condition first and then only the branch it takes, so
    `log(x) if x > 0 else 0` never takes the log of x <= 0.
    """
    results: dict[int, Any] = {}
    stack: list[tuple[ast.AST, bool]] = [(expression.tree.body, False)]
    while stack:
        node, children_done = stack.pop()
        if isinstance(node, ast.Constant):
            results[id(node)] = float(node.value)
            continue
        if isinstance(node, ast.Name):
            results[id(node)] = inputs[node.id]
            continue
        if isinstance(node, ast.IfExp):
            if not children_done:
                stack.append((node, True))
                stack.append((node.test, False))
                continue
            if id(node.test) in results:
                taken = node.body if results.pop(id(node.test)) else node.orelse
                results[id(node)] = taken  # placeholder: the branch's result replaces it
                stack.append((node, True))
                stack.append((taken, False))
                continue
            results[id(node)] = results.pop(id(results.pop(id(node))))
            continue
        children = _children(node)
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(children))
            continue
        args = [results.pop(id(child)) for child in children]
        results[id(node)] = _combine(node, args, expression)
    root = results[id(expression.tree.body)]
    if isinstance(root, Value):
        return root
    return Value(root, _label(expression, expression.tree.body))


def _children(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    if isinstance(node, ast.Compare):
        return [node.left, *node.comparators]
    raise ExpressionError(f"{type(node).__name__} is not allowed ({_where(node)})")


def _combine(node: ast.AST, args: list[Any], expression: Expression) -> Any:
    if isinstance(node, ast.Compare):
        return _holds(node, args)
    if isinstance(node, ast.BinOp):
        result = _apply_binary(node.op, args[0], args[1])
    elif isinstance(node, ast.UnaryOp):
        operand = args[0]
        if isinstance(node.op, ast.UAdd):
            return operand
        if not isinstance(operand, Value):
            return -operand
        result = -operand
    else:
        # Inputs that are all numbers give a number; parameters are numbers (parse checked).
        result = FUNCTIONS[node.func.id](*args)
    if isinstance(result, Value) and not result.label:
        result.label = _label(expression, node)
    return result
