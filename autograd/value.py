"""Value: a scalar that remembers the operation and parents that produced it."""

from __future__ import annotations

import math
import numbers
from typing import Any

from autograd import backprop, ops
from autograd.arithmetic import install_op_methods, is_real_number
from autograd.errors import domain_error_for
from autograd.grad_mode import _recording, open_no_grad_blocks
from autograd.ops import Op
from autograd.ops.op import forward_by_policy


def _as_float(data: Any, label: str) -> float:
    """Convert an accepted number to float, or raise TypeError naming what was wrong."""
    if type(data) is int:  # the common case, before the slower checks
        try:
            return float(data)
        except OverflowError:
            pass
    where = f" (label {label!r})" if label else ""
    if isinstance(data, bool):
        raise TypeError(f"Value() takes a real number, got a bool {data!r}{where}")
    if isinstance(data, Value):
        raise TypeError(f"Value() takes a number, not a Value{where}; use v.detach() to copy one")
    if not isinstance(data, numbers.Real):
        raise TypeError(f"Value() takes a real number, got {type(data).__name__} {data!r}{where}")
    try:
        return float(data)
    except OverflowError:
        raise OverflowError(f"Value() got an integer too large for a float{where}") from None


_INFINITY = math.inf


def _by_policy(op: Op, nodes: tuple) -> float:
    """The slow path, when the forward raised or gave inf/nan: the numeric policy decides
    (ops.op.forward_by_policy), and its error names the nodes."""
    try:
        return forward_by_policy(op, *(node.data for node in nodes))
    except (ArithmeticError, ValueError) as error:
        described = ", ".join(_describe(node) for node in nodes)
        where = "input" if len(nodes) == 1 else "inputs"
        raise domain_error_for(error)(f"{error} ({where}: {described})") from None


_MICROGRAD_SYMBOLS = {"relu": "ReLU"}
"""Op names that micrograd writes differently in `_op`; every other op keeps its own symbol."""


def _no_number(node: Value, kind: str, calls: str) -> TypeError:
    """The error for float(v), int(v), math.exp(v), ...: a plain number would drop the gradient."""
    name = f"Value {node.label!r}" if node.label else "a Value"
    return TypeError(
        f"{name} (data {node.data!r}) cannot become a plain {kind}: {calls} would drop its "
        "gradient. Use v.data for the number, or the Value's own method (v.exp(), v.tanh(), "
        "autograd.exp(v), ...) to keep the gradient"
    )


def _describe(node: Value) -> str:
    name = f"node {node.label!r}" if node.label else "an unlabelled node"
    return f"{node.data!r} from {name}"


class Value:
    """A scalar in a computational graph.

    `.grad` accumulates d root / d self over backward() calls on leaves; interior nodes
    hold the gradient of the latest pass. See `backward` for details.
    """

    # The parents live in two slots (None where absent) instead of a tuple: one object fewer
    # per node to allocate and for the garbage collector to track. `.parents` rebuilds it.
    __slots__ = ("data", "grad", "label", "_record", "_first", "_second")
    _carrier_rank = 0  # ops.apply on a Value and a dual number returns a dual number
    _constant = False

    def __init__(self, data: Any, label: str = ""):
        if type(data) is not float:
            data = _as_float(data, label if isinstance(label, str) else "")
        if type(label) is not str:
            raise TypeError(f"label must be a str, got {type(label).__name__} {label!r}")
        self.data = data
        self.grad = 0.0
        self.label = label
        self._record = None
        self._first = self._second = None

    @property
    def parents(self) -> tuple:
        """The Values this one was computed from, in argument order (() for a leaf)."""
        first = self._first
        if first is None:
            return ()
        second = self._second
        return (first,) if second is None else (first, second)

    @parents.setter
    def parents(self, parents: tuple) -> None:
        if len(parents) > 2:
            raise ValueError(f"a Value has at most two parents, got {len(parents)}")
        self._first = parents[0] if parents else None
        self._second = parents[1] if len(parents) == 2 else None

    @property
    def op(self) -> str:
        """Symbol of the operation that made this node ("" for a leaf)."""
        return self._record.symbol if self._record is not None else ""

    @property
    def op_record(self) -> Op | None:
        """The op-table entry that made this node (None for a leaf)."""
        return self._record

    @property
    def _op(self) -> str:
        """The op as micrograd writes it: '+', '*', '**2', 'ReLU' ('' for a leaf); read-only."""
        record = self._record
        if record is None:
            return ""
        return _MICROGRAD_SYMBOLS.get(record.name, record.symbol)

    @property
    def _prev(self) -> set:
        """micrograd's name for the parents, as a set; read-only (`.parents` keeps the order)."""
        return set(self.parents)

    def _backward(self) -> None:
        """micrograd's one-node step: add self.grad * d self / d parent into each parent's grad."""
        record = self._record
        if record is None:
            return
        a, b = self._first, self._second
        _, _, to_a, to_b = backprop.chain_rule(
            record.rule, a.data, None if b is None else b.data, self.data, self.grad
        )
        a.grad = a.grad + to_a
        if b is not None:
            b.grad = b.grad + to_b

    @property
    def local_grads(self) -> tuple:
        """d self / d parents[i] at the forward values, from the op table's rule."""
        if self._record is None:
            return ()
        return self._record.rule(*[p.data for p in self.parents], self.data)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __format__(self, spec: str) -> str:
        return format(self.data, spec) if spec else str(self)

    def __float__(self) -> float:
        raise _no_number(self, "float", "float(v), math.*(v) and np.array(..., dtype=float)")

    def __int__(self) -> int:
        raise _no_number(self, "int", "int(v)")

    def __round__(self, ndigits: Any = None) -> Any:
        raise _no_number(self, "number", "round(v)")

    def _unary(self, op: Op) -> Value:
        x = self.data
        try:
            data = op.forward(x)
        except (ArithmeticError, ValueError):
            data = _by_policy(op, (self,))
        else:
            if not -_INFINITY < data < _INFINITY:
                data = _by_policy(op, (self,))
        return _result(data, self, None, op)

    def _binary(self, op: Op, other: Any) -> Value:
        if not isinstance(other, Value):
            if not is_real_number(other):
                return NotImplemented  # let the other operand (a dual number, ...) try
            other = Constant(other)
        try:
            data = op.forward(self.data, other.data)
        except (ArithmeticError, ValueError):
            data = _by_policy(op, (self, other))
        else:
            if not -_INFINITY < data < _INFINITY:
                data = _by_policy(op, (self, other))
        return _result(data, self, other, op)

    def _reflected(self, op: Op, other: Any) -> Value:
        if not is_real_number(other):
            return NotImplemented
        return Constant(other)._binary(op, self)

    def _apply_op(self, op: Op, *args: Any) -> Value:
        """op on args, numbers among them becoming constant leaves (ops.apply calls this)."""
        values = [a if isinstance(a, Value) else Constant(a) for a in args]
        return values[0]._unary(op) if op.arity == 1 else values[0]._binary(op, values[1])

    def __pos__(self) -> Value:
        return self

    def detach(self) -> Value:
        """A new leaf with the same data and label, cut off from this graph."""
        return Value(self.data, self.label)

    def backward(self, grad: Any = 1.0, create_graph: bool = False) -> None:
        """Backpropagate d self / d node into every node's `.grad`.

        Leaves accumulate: a second call adds the same amount again (2x after two calls).
        Interior nodes are overwritten with the gradient of this pass. With
        `create_graph=True` the gradients are Values recording the backward pass itself,
        so they can be differentiated again; a leaf's `.grad` then refers back to its own
        graph (a reference cycle, as in PyTorch): set it to 0.0 when done, or prefer
        `autograd.grad`, which leaves `.grad` alone. On error nothing is changed.
        """
        backprop.backward(self, grad, create_graph=create_graph)


install_op_methods(Value)


class Constant(Value):
    """A number that met a Value in an operation (the 2 in `x * 2`): a leaf you did not make."""

    __slots__ = ()
    _constant = True

_new_value = object.__new__


def _result(data: Any, first: Value, second: Value | None, op: Op) -> Value:
    """The Value an op returns; skips __init__ (its checks and call cost) on the hot path."""
    if type(data) is not float:
        data = _as_float(data, "")
    out = _new_value(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    if not open_no_grad_blocks[0] or _recording.get():
        out._record = op
        out._first = first
        out._second = second
    else:
        out._record = None
        out._first = out._second = None
    return out


# The hot path: one method per op of the table that builds the node itself. Each handles
# the common case (Values and plain floats or ints, a finite result) in a few lines and
# hands everything else (other operand types, errors, inf or nan, the numeric policy) to
# the general method that install_op_methods made from the same row. The table's forwards
# return floats on floats (tests/test_value_fast_paths.py checks every row), so the result
# needs no type check, and a comparison with a constant is the cheapest finiteness test.
_LARGEST = 1.7976931348623157e308  # sys.float_info.max


def _constant(number: float | int) -> Constant:
    """Constant(number) for a float or int, without __init__'s checks and call."""
    constant = _new_value(Constant)
    constant.data = number if type(number) is float else _as_float(number, "")
    constant.grad = 0.0
    constant.label = ""
    constant._record = constant._first = constant._second = None
    return constant


def _fast_unary(op: Op, general: Any) -> Any:
    forward = op.forward

    def method(self: Value) -> Any:
        try:
            data = forward(self.data)
        except (ArithmeticError, ValueError):
            return general(self)
        if not -_LARGEST <= data <= _LARGEST:  # inf or nan
            return general(self)
        out = _new_value(Value)
        out.data = data
        out.grad = 0.0
        out.label = ""
        if not open_no_grad_blocks[0] or _recording.get():
            out._record = op
            out._first = self
        else:
            out._record = out._first = None
        out._second = None
        return out

    return method


def _fast_binary(op: Op, general: Any) -> Any:
    forward = op.forward

    def method(self: Value, other: Any) -> Any:
        kind = type(other)
        if kind is not Value and kind is not Constant:
            if kind is not float and kind is not int:
                return general(self, other)
            other = _constant(other)
        try:
            data = forward(self.data, other.data)
        except (ArithmeticError, ValueError):
            return general(self, other)
        if not -_LARGEST <= data <= _LARGEST:
            return general(self, other)
        out = _new_value(Value)
        out.data = data
        out.grad = 0.0
        out.label = ""
        if not open_no_grad_blocks[0] or _recording.get():
            out._record = op
            out._first = self
            out._second = other
        else:
            out._record = out._first = out._second = None
        return out

    return method


def _fast_reflected(general: Any, forward_method: Any) -> Any:
    def method(self: Value, other: Any) -> Any:
        kind = type(other)
        if kind is not float and kind is not int:
            return general(self, other)
        return forward_method(_constant(other), self)  # 2 - x is Constant(2).__sub__(x)

    return method


def _install_fast_methods(cls: type) -> None:
    """Replace cls's op methods (made by install_op_methods) with the hot-path versions."""
    for row in ops.ROWS:
        if row.parameters:
            continue  # bound per call (leaky_relu(0.1), clip(lo, hi)): the general path
        for name in (row.name, *row.aliases, *row.dunders):
            general = getattr(cls, name)
            if row.arity == 1:
                fast = _fast_unary(row, general)
            elif name in row.dunders[1:]:
                fast = _fast_reflected(general, getattr(cls, row.dunders[0]))
            else:
                fast = _fast_binary(row, general)
            fast.__name__ = name
            fast.__doc__ = general.__doc__
            setattr(cls, name, fast)


_install_fast_methods(Value)
