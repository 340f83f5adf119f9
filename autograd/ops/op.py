"""Op: one row of the op table, and the helpers that evaluate a row on numbers or carriers."""

from __future__ import annotations

import inspect
import math
import numbers
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from autograd.errors import domain_error_for

Interval = tuple[float, float]
Domain = tuple[tuple[Interval, ...], ...]

table = SimpleNamespace()
"""The table's functions by name (`table.cos(x)`), for rules that call another op.

Filled by autograd.ops once every row exists, so the family modules need not import it back.
"""

SMOOTH = ((-4.0, 4.0),)
POSITIVE = ((0.05, 6.0),)
NONZERO = ((-4.0, -0.1), (0.1, 4.0))
AWAY_FROM_ZERO = ((-4.0, -0.05), (0.05, 4.0))
UNIT_OPEN = ((-0.95, 0.95),)


@dataclass(frozen=True, eq=False)
class Op:
    """One operation: its forward function, local derivative rule and everything derived.

    `rule(*inputs, out, *parameters)` returns d out / d input_i for every input, written with
    arithmetic and the table's own functions, so it runs on floats, Values, duals and arrays.
    """

    name: str
    arity: int
    forward: Callable[..., float]
    rule: Callable[..., tuple]
    formulas: tuple[str, ...] | Callable[..., tuple[str, ...]]
    domain: Domain | Callable[..., Domain]
    doc: str
    complex_forward: Callable[..., complex] | None = None
    array_forward: str | Callable[..., Any] | None = None
    kink: str = ""
    kink_distance: Callable[..., float] | None = None
    symbol: str = ""
    dunders: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()
    defaults: tuple[float, ...] = ()
    samples: tuple[tuple[float, ...], ...] = ()
    bound: tuple[float, ...] | None = None
    row: Op | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.symbol:
            object.__setattr__(self, "symbol", self.name)

    def __repr__(self) -> str:
        return f"<op {self.symbol}>"

    @property
    def parameter(self) -> float | None:
        """The single bound parameter (the exponent of `x ** c`), else None."""
        return self.bound[0] if self.bound is not None and len(self.bound) == 1 else None

    @property
    def is_row(self) -> bool:
        """True for a table row that still takes parameters (bind it first)."""
        return bool(self.parameters) and self.bound is None

    def bind(self, *values: Any) -> Op:
        """This row with its parameters fixed: the op a node records (cached per values)."""
        if not self.parameters:
            if values:
                raise TypeError(f"{self.name}() takes no parameters, got {values!r}")
            return self
        given = list(values)
        if len(given) > len(self.parameters):
            raise TypeError(
                f"{self.name}() takes {len(self.parameters)} parameter(s) "
                f"({', '.join(self.parameters)}), got {len(given)}"
            )
        missing = self.parameters[len(given):]
        needed = len(missing) - len(self.defaults)
        if needed > 0:
            raise TypeError(f"{self.name}() is missing parameter(s) {', '.join(missing[:needed])}")
        given += self.defaults[len(self.defaults) - len(missing):]
        for name, value in zip(self.parameters, given, strict=True):
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(
                    f"{self.name}(): parameter {name} must be a real number, "
                    f"got {type(value).__name__} {value!r}"
                )
            if not math.isfinite(value):
                raise ValueError(f"{self.name}(): parameter {name} must be finite, got {value!r}")
        return _bind(self, tuple(float(v) for v in given))

    def formula_texts(self) -> tuple[str, ...]:
        """The formula text per input, with bound parameters written in."""
        return self.formulas if isinstance(self.formulas, tuple) else self.formulas()

    def input_domain(self) -> Domain:
        """Per input, the intervals where tests draw it (away from kinks and domain edges)."""
        return self.domain if isinstance(self.domain, tuple) else self.domain()


def overflow_named(name: str, f: Callable[[float], float], limit: str = "") -> Callable:
    """f with its OverflowError reworded to name the op (and the limit, when there is one)."""
    beyond = f" for x > {limit}" if limit else ""

    def forward(x: float) -> float:
        try:
            return f(x)
        except OverflowError:
            raise OverflowError(f"{name}(x) overflows a float{beyond}; got x = {x!r}") from None

    return forward


def number_text(c: float) -> str:
    """Shortest text for a constant that still reads back as exactly that number."""
    short = f"{c:g}"
    return short if float(short) == c else repr(c)


@lru_cache(maxsize=4096)
def _bind(row: Op, values: tuple[float, ...]) -> Op:
    forward, rule = row.forward, row.rule
    array = row.array_forward
    complex_forward = row.complex_forward
    shown = ", ".join(number_text(v) for v in values)
    if "{" in row.symbol:
        symbol = row.symbol.format(*(number_text(v) for v in values))
    else:
        symbol = f"{row.symbol}({shown})"
    formulas = row.formulas
    domain = row.domain
    kink_distance = row.kink_distance
    return replace(
        row,
        forward=lambda *xs: forward(*xs, *values),
        rule=lambda *xs: rule(*xs, *values),
        formulas=formulas(*values) if callable(formulas) else formulas,
        domain=domain(*values) if callable(domain) else domain,
        complex_forward=None if complex_forward is None else (
            lambda *zs: complex_forward(*zs, *values)),
        array_forward=array if array is None or isinstance(array, str) else (
            lambda np, *xs: array(np, *xs, *values)),
        kink_distance=None if kink_distance is None else (
            lambda *xs: kink_distance(*xs, *values)),
        symbol=symbol,
        bound=values,
        row=row,
    )


def primal(x: Any) -> Any:
    """Return the plain number behind a Value or dual number; numbers and arrays pass through."""
    if isinstance(x, (int, float)):
        return x
    if isinstance(x, complex):
        return x.real
    if hasattr(x, "primal"):
        return x.primal
    if hasattr(x, "parents"):
        return x.data
    return x


def step(x: Any, threshold: Any = 0.0, at_tie: float = 0.0) -> Any:
    """1.0 where x > threshold, at_tie where equal, else 0.0: on numbers, carriers or arrays."""
    np = numpy_of(x) or numpy_of(threshold)
    if np is not None:
        # A comparison cast to float is ~40x faster than np.where with scalar branches.
        above = np.asarray(x > threshold).astype(np.float64)
        return above + at_tie * np.asarray(x == threshold) if at_tie else above
    a, b = primal(x), primal(threshold)
    return 1.0 if a > b else (at_tie if a == b else 0.0)


def numpy_of(x: Any) -> Any:
    """The numpy module if x is a numpy array or scalar (numpy is then already imported)."""
    if type(x).__module__ == "numpy":
        return sys.modules["numpy"]
    return None


INFINITY = math.inf


def _finite(inputs: tuple) -> bool:
    return all(-INFINITY < x < INFINITY for x in inputs)


def outside_policy(op: Op, inputs: tuple, result: Any) -> Exception | None:
    """The error that the numeric policy raises for op(inputs) = result, or None if none.

    The one policy, for every op and every path (Values, floats, duals, replay, batches):
    finite inputs must give a finite result, else NumericOverflowError (an infinity) or
    DomainError (nan); an input that is already inf or nan passes through quietly.
    """
    if -INFINITY < result < INFINITY or not _finite(inputs):
        return None
    shown = ", ".join(repr(x) for x in inputs)
    if result != result:
        return ValueError(f"{op.name}({shown}) is undefined (nan)")
    return OverflowError(f"{op.name}({shown}) overflows a float ({result!r})")


def forward_by_policy(op: Op, *inputs: float) -> float:
    """op's float forward under the numeric policy; raises the builtin error it names."""
    try:
        result = op.forward(*inputs)
    except (ArithmeticError, ValueError):
        if _finite(inputs):
            raise
        return math.nan  # a non-finite input gives nan where the forward refuses it
    error = outside_policy(op, inputs, result)
    if error is not None:
        raise error
    return result


def evaluate(op: Op, *inputs: Any) -> Any:
    """Run op's forward on plain numbers under the numeric policy, raising DomainErrors."""
    complex_step = any(isinstance(x, complex) for x in inputs)
    if complex_step and op.complex_forward is None:
        raise TypeError(f"{op.name} has no complex forward, so no complex step")
    try:
        return op.complex_forward(*inputs) if complex_step else forward_by_policy(op, *inputs)
    except (ArithmeticError, ValueError) as err:
        raise domain_error_for(err)(str(err)) from None


def evaluate_arrays(np: Any, op: Op, *inputs: Any) -> Any:
    """Run op on numpy arrays (numpy's floating-point errors are the caller's to set)."""
    array = op.array_forward
    if isinstance(array, str):
        return getattr(np, array)(*inputs)
    if array is not None:
        return array(np, *inputs)
    elementwise = np.frompyfunc(op.forward, op.arity, 1)  # a user's op without an array form
    return np.asarray(elementwise(*inputs), dtype=np.float64)


def _is_real(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def apply(op: Op, *args: Any) -> Any:
    """op on floats (a float), on Values, duals or carriers (the same kind), or numpy arrays."""
    if all(_is_real(a) for a in args):
        return evaluate(op, *(float(a) for a in args))
    carrier = None
    arrays = False
    for a in args:
        if hasattr(a, "_apply_op"):
            if carrier is None or getattr(a, "_carrier_rank", 0) > carrier._carrier_rank:
                carrier = a
        elif _is_real(a) or isinstance(a, complex):
            continue  # numpy's float64 is a float: a number, not an array
        elif numpy_of(a) is not None:
            arrays = True
        else:
            raise TypeError(
                f"{op.name}() takes numbers, Values or numpy arrays, "
                f"got {type(a).__name__}: {a!r}"
            )
    if arrays:
        np = sys.modules["numpy"]
        if carrier is not None or any(getattr(x, "dtype", None) == np.dtype(object)
                                      for x in args):  # Values in or beside the arrays
            elementwise = np.frompyfunc(lambda *xs: apply(op, *xs), op.arity, 1)
            return elementwise(*args)
        try:
            return evaluate_arrays(np, op, *args)
        except (ArithmeticError, ValueError) as err:
            raise domain_error_for(err)(str(err)) from None
    if carrier is None:  # complex numbers, for the complex step
        return evaluate(op, *args)
    return carrier._apply_op(op, *args)


def positional_count(f: Callable[..., Any]) -> int | None:
    """How many positional arguments f takes (None if it takes *args or has no signature)."""
    inputs = getattr(f, "nin", None)  # a numpy ufunc: its signature also lists out=
    if isinstance(inputs, int):
        return inputs
    row = getattr(f, "op", None)  # a function of the op table takes its row's inputs
    if isinstance(row, Op):
        return row.arity
    try:
        parameters = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):
        return None
    count = 0
    for p in parameters:
        if p.kind == p.VAR_POSITIONAL:
            return None
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            count += 1
    return count
