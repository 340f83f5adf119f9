"""Trace once, replay many times: a recorded graph as flat arrays of ops and parent indices.

Replay is only valid while the graph's structure does not depend on the data (no Python
`if` on `.data`); `compile(f, check=True)` re-traces every call and raises
TraceMismatchError when the structure changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from autograd.errors import DomainError, domain_error_for
from autograd.graph import topological_order
from autograd.ops import Op
from autograd.value import Value


class TraceMismatchError(RuntimeError):
    """The function built a graph of a different structure than the recorded tape."""


@dataclass(frozen=True)
class Tape:
    """A graph flattened in topological order; position -1 is the output."""

    ops: tuple[Op | None, ...]
    parents: tuple[tuple[int, ...], ...]
    labels: tuple[str, ...]
    input_positions: tuple[int | None, ...]
    constants: tuple[tuple[int, float], ...]

    @classmethod
    def record(cls, f: Callable[..., Any], *args: Any) -> Tape:
        """Run f once on fresh leaves made from args and record the graph it builds."""
        leaves = [Value(arg, f"x{i}") for i, arg in enumerate(args)]
        out = f(*leaves)
        if not isinstance(out, Value):
            raise TypeError(f"a traced function must return a Value, got {type(out).__name__}")
        order = topological_order(out)
        position = {id(node): i for i, node in enumerate(order)}
        input_ids = {id(leaf) for leaf in leaves}
        return cls(
            ops=tuple(node._op for node in order),
            parents=tuple(tuple(position[id(p)] for p in node.parents) for node in order),
            labels=tuple(node.label for node in order),
            input_positions=tuple(position.get(id(leaf)) for leaf in leaves),
            constants=tuple(
                (i, node.data)
                for i, node in enumerate(order)
                if node._op is None and id(node) not in input_ids
            ),
        )

    def __len__(self) -> int:
        return len(self.ops)

    @property
    def structure(self) -> tuple:
        """Everything replay depends on: ops, wiring, inputs and constant values."""
        kinds = tuple(None if op is None else (op.name, op.parameter) for op in self.ops)
        return kinds, self.parents, self.input_positions, self.constants

    def _start(self, args: Sequence[Any], blank: Any) -> list:
        if len(args) != len(self.input_positions):
            raise TypeError(
                f"the tape takes {len(self.input_positions)} input(s), got {len(args)}"
            )
        values = [blank] * len(self.ops)
        for i, value in self.constants:
            values[i] = value
        for i, arg in zip(self.input_positions, args, strict=True):
            if i is not None:
                values[i] = arg
        return values

    def _error(self, i: int, err: Exception, inputs: list) -> DomainError:
        if isinstance(err, FloatingPointError):  # numpy's errstate: classify by its message
            message = str(err)
            if "overflow" in message:
                err = OverflowError(message)
            elif "divide by zero" in message:
                err = ZeroDivisionError(message)
            else:
                err = ValueError(message)
        op = self.ops[i]
        where = f" at node {self.labels[i]!r}" if self.labels[i] else ""
        return domain_error_for(err)(
            f"replaying {op.name} ({op.symbol}) at tape position {i}{where} "
            f"with inputs {inputs!r}: {err}"
        )

    def forward(self, *args: float) -> list[float]:
        """Every node's value for new inputs (plain floats, no Value objects)."""
        values = self._start([float(a) for a in args], 0.0)
        for i, op in enumerate(self.ops):
            if op is not None:
                inputs = [values[j] for j in self.parents[i]]
                try:
                    values[i] = op.forward(*inputs)
                except (ArithmeticError, ValueError) as err:
                    raise self._error(i, err, inputs) from None
        return values

    def value_and_grad(self, *args: float) -> tuple[float, tuple[float, ...]]:
        """Output value and its gradient with respect to every input, by replay."""
        values = self.forward(*args)
        grads = [0.0] * len(values)
        grads[-1] = 1.0
        for i in range(len(values) - 1, -1, -1):
            op = self.ops[i]
            if op is None:
                continue
            parents = self.parents[i]
            inputs = [values[j] for j in parents]
            try:
                local = op.rule(*inputs, values[i])
            except (ArithmeticError, ValueError) as err:
                raise self._error(i, err, inputs) from None
            upstream = grads[i]
            for j, derivative in zip(parents, local, strict=True):
                grads[j] += upstream * derivative
        return values[-1], tuple(
            0.0 if i is None else grads[i] for i in self.input_positions
        )

    def batch_value_and_grad(self, *args: Any) -> tuple[Any, tuple[Any, ...]]:
        """Replay on numpy arrays (or scalars), one array operation per tape entry.

        Inputs broadcast against each other; the result and every gradient have the
        broadcast shape. Needs numpy (the `fast` extra).
        """
        import numpy as np

        arrays = [np.asarray(a, dtype=np.float64) for a in args]
        shape = np.broadcast_shapes(*(a.shape for a in arrays)) if arrays else ()
        values = self._start(arrays, None)
        with np.errstate(divide="raise", over="raise", invalid="raise"):
            for i, op in enumerate(self.ops):
                if op is not None:
                    inputs = [values[j] for j in self.parents[i]]
                    try:
                        values[i] = _array_forward(np, op, inputs)
                    except (ArithmeticError, ValueError) as err:
                        raise self._error(i, err, _first_bad(np, inputs)) from None
            grads: list[Any] = [None] * len(values)
            grads[-1] = np.ones(shape)
            for i in range(len(values) - 1, -1, -1):
                op, upstream = self.ops[i], grads[i]
                if op is None or upstream is None:
                    continue
                parents = self.parents[i]
                inputs = [values[j] for j in parents]
                try:
                    local = op.rule(*inputs, values[i])
                except (ArithmeticError, ValueError) as err:
                    raise self._error(i, err, _first_bad(np, inputs)) from None
                for j, derivative in zip(parents, local, strict=True):
                    contribution = upstream * derivative
                    grads[j] = contribution if grads[j] is None else grads[j] + contribution
        zeros = np.zeros(shape)
        return np.broadcast_to(values[-1], shape), tuple(
            zeros if i is None or grads[i] is None else np.broadcast_to(grads[i], shape)
            for i in self.input_positions
        )


def _first_bad(np: Any, inputs: list) -> list:
    """Shorten array inputs to a summary for an error message."""
    return [a.tolist() if np.ndim(a) == 0 else f"array{np.shape(a)}" for a in inputs]


def _array_forward(np: Any, op: Op, inputs: list) -> Any:
    """One op on arrays, with numpy's errors raised (see np.errstate in the caller)."""
    if op.name == "pow_const":
        (x,) = inputs
        if not float(op.parameter).is_integer() and np.any(x < 0):
            raise ValueError("x ** y with a negative base needs an integer exponent")
        return np.power(x, op.parameter)
    if op.name == "pow":
        x, y = inputs
        if np.any(x <= 0):
            raise ValueError("x ** y with a Value exponent needs x > 0")
        return np.power(x, y)
    if op.name == "sigmoid":
        (x,) = inputs
        with np.errstate(under="ignore"):
            e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    if op.name == "log":
        (x,) = inputs
        if np.any(x <= 0):
            raise ValueError("log(x) needs x > 0")
        return np.log(x)
    if op.name == "div":
        x, y = inputs
        if np.any(y == 0):
            raise ZeroDivisionError("division by zero")
        return x / y
    simple = {
        "add": np.add, "sub": np.subtract, "mul": np.multiply, "neg": np.negative,
        "exp": np.exp, "tanh": np.tanh, "relu": lambda x: np.maximum(x, 0.0),
    }
    if op.name not in simple:
        raise NotImplementedError(f"no array form for op {op.name!r}")
    return simple[op.name](*inputs)


class Compiled:
    """A function traced on its first call and replayed afterwards; see `compile`."""

    def __init__(self, f: Callable[..., Any], check: bool = False):
        self.function = f
        self.check = check
        self.tape: Tape | None = None

    def _tape_for(self, args: Sequence[float]) -> Tape:
        if self.tape is None or self.check:
            tape = Tape.record(self.function, *args)
            if self.tape is not None and tape.structure != self.tape.structure:
                name = getattr(self.function, "__name__", "f")
                raise TraceMismatchError(
                    f"{name} built a graph of a different structure at {list(args)!r} than "
                    f"when it was traced ({len(tape)} vs {len(self.tape)} nodes): it branches "
                    "on data, so replaying its tape would be wrong"
                )
            self.tape = tape
        return self.tape

    def __call__(self, *args: float) -> float:
        return self._tape_for(args).forward(*args)[-1]

    def value_and_grad(self, *args: float) -> tuple[float, tuple[float, ...]]:
        """(f(*args), gradient with respect to every argument) by replay."""
        return self._tape_for(args).value_and_grad(*args)

    def batch_value_and_grad(self, *args: Any) -> tuple[Any, tuple[Any, ...]]:
        """Vectorised replay over numpy arrays; check mode re-traces every sample."""
        import numpy as np

        arrays = np.broadcast_arrays(*[np.asarray(a, dtype=np.float64) for a in args])
        samples = [tuple(float(a.flat[k]) for a in arrays) for k in range(arrays[0].size)]
        for sample in samples if self.check else samples[:1]:
            self._tape_for(sample)
        return self.tape.batch_value_and_grad(*args)


def compile(f: Callable[..., Any], check: bool = False) -> Compiled:
    """Trace f on its first call; replay the tape (no Value objects) on later calls."""
    return Compiled(f, check=check)
