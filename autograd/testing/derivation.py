"""check_derivation: claimed partial derivatives property-tested against backprop, slips named.

hypothesis draws the points and shrinks a counterexample; backprop gives the true gradient;
beside a kink one-sided differences judge instead (kinks.py); a wrong claim is then held up
against the classic slips (sign, constant factor, missing paths, transpose, stray sum) at
the counterexample and at further points. hypothesis is imported when a check runs, numpy
only in matrix form.
"""

from __future__ import annotations

import inspect
import math
import numbers
import random
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from autograd.backprop import propagate
from autograd.errors import DomainError
from autograd.grad_mode import no_grad
from autograd.paths import TooManyPathsError, gradient_paths, node_names
from autograd.testing.errors import NumericallyUnreliable
from autograd.testing.kinks import judge_near_kinks, kink_distance, kinks_in
from autograd.testing.report import close
from autograd.value import Value

DEFAULT_DOMAIN = (-3.0, 3.0)
KINK_MARGIN = 1e-9
"""Relative distance from a kink within which the claim may match either one-sided derivative
(beyond it backprop's gradient is exact, so a claim must match it)."""
NEAR_KINK_PREFILTER = 1e-6
CONFIRMATION_POINTS = 8
CONFIRMATION_DRAWS = 80
NEIGHBOUR_POINTS = 6
DIAGNOSIS_MAX_PATHS = 2_000
EDGE_PROBES = (0.01, 0.3, 1.0, 3.0, 10.0)
INDEX_LETTERS = "ijklmn"


class DerivationMismatch(AssertionError):
    """A claimed derivative disagrees with backprop at `.point`; `.diagnosis` names the slip.

    `.input` is the input whose claim failed, `.point` maps every input to its value (float
    or float array), `.claimed` and `.actual` are the two derivatives there, `.diagnosis` a
    short text or None, `.root` the graph of f built at `.point` (for printing the ledger).
    """

    def __init__(self, input: str, point: dict, claimed: Any, actual: Any,
                 diagnosis: str | None, *, function: str = "f", claim: str = "",
                 root: Any = None):
        self.input = input
        self.point = point
        self.claimed = claimed
        self.actual = actual
        self.diagnosis = diagnosis
        self.function = function
        self.claim = claim
        self.root = root
        super().__init__(_mismatch_message(self))


@dataclass(frozen=True)
class DerivationReport:
    """Every claim held: at how many points, which inputs were checked and which were not."""

    function: str
    checked: tuple[str, ...]
    unchecked: tuple[str, ...]
    points: int
    at_kinks: int
    skipped: int
    seed: int

    def __str__(self) -> str:
        claims = ", ".join(self.checked)
        text = (f"the claimed derivatives of {self.function} with respect to {claims} hold "
                f"at {self.points} points (seed {self.seed})")
        if self.at_kinks:
            text += (f"; at {self.at_kinks} of them a kink was met and one-sided "
                     "derivatives judged the claim")
        if self.skipped:
            text += f"; {self.skipped} drawn points were skipped (outside an op's domain)"
        if self.unchecked:
            text += f"; not checked (no claim): {', '.join(self.unchecked)}"
        return text


def check_derivation(
    f: Callable[..., Any] | str,
    claims: Mapping[str, Callable[..., Any] | str],
    *,
    shapes: Mapping[str, tuple[int, ...]] | None = None,
    domain: tuple[float, float] | Mapping[str, tuple[float, float]] | None = None,
    examples: int = 200,
    seed: int = 0,
    atol: float = 1e-7,
    rtol: float = 1e-6,
) -> DerivationReport:
    """Property-test hand-derived partial derivatives of f; raise DerivationMismatch on a slip.

    f is a function of named inputs returning a scalar Value (the inputs are its
    parameters without a default value), or a string in the expression language
    (`autograd.expr`: its free names are the inputs, in order of appearance). claims maps
    an input name to the claimed d f / d input: a string in the expression language, or a
    callable taking the same inputs as plain floats (float arrays in matrix form). A
    callable whose parameters are all input names gets just those, by keyword
    (`lambda y: ...`); otherwise every input, by position. Inputs without a claim are
    drawn but not checked (targets, data).

    hypothesis draws `examples` points (reproducibly from `seed`), each input from
    `domain` (one (lo, hi) for all, or per input, default (-3, 3); lo == hi pins an
    input, as the CLI's --at may), and skips points where f is undefined or a node's
    input lies beyond its op row's domain edge (log below 0.05, ...). At each point the
    claims are compared with backprop's gradient within atol + rtol * |actual|; where a
    node sits at its kink (relu, abs, maximum at a tie) a claim also passes if it matches
    the one-sided derivative from either side (or their average).

    Matrix form: `shapes={"W": (2, 3), "b": (2,), "x": (3,)}` makes those inputs numpy
    float arrays (the others stay scalars). Inside f they are numpy object arrays of
    Values labelled `W[0,1]`, so `W @ x + b`, `np.tanh(z)` and `.sum()` work; claims get
    float arrays and must return an array of the input's shape. String claims are for
    scalar inputs only.

    Returns a DerivationReport (.checked, .unchecked, .points, .at_kinks, .skipped; its
    str() is one sentence). A wrong claim raises DerivationMismatch (an AssertionError)
    with .input, .point (every input's value at the counterexample hypothesis shrank to),
    .claimed, .actual, .diagnosis and .root (f's graph at .point: `viz.format_steps(root)`
    prints its ledger, and %k in a diagnosis is the ledger's name for a node); str() shows
    the point, both values and the diagnosis. The diagnosis is None or the first of these
    that holds at the counterexample and at further points (where the claim holds at some
    points, "at every point tried" becomes "wherever it is wrong (it holds at k of the n
    points tried)"):

    - "sign flipped: claimed = -actual at every point tried"
    - "off by a factor of 2: claimed = 2 * actual ..." (also 1/2, 2/3, with "sign flipped
      and"; "(4 is the length of axis 0 of X: a 1/N is missing, as in a mean?)")
    - "the claim is 0 ...", "f does not depend on x: its derivative is 0",
      "the claim is undefined here (ZeroDivisionError: ...)"
    - "transposed: ...", "W where W.T is meant: the claim is W @ v where the derivative
      is W.T @ v ...", "W transposed inside the claim: ..." (matrix form)
    - "a stray sum over i: every row of the claim is the same ..." (or a stray mean)
    - "this is the derivative with respect to y, not x, ..."
    - one kind of chain-rule step taken wrongly everywhere: "sigmoid' taken at the node's
      output: the claim uses sigmoid'(out) = sigmoid'(sigmoid(u)) where the chain rule needs
      sigmoid'(u) = out * (1 - out) ..." (sigma'(y_hat) for y_hat (1 - y_hat)), "tanh's
      derivative 1 - out**2 applied to the node's input: the claim uses 1 - u**2 ...", "W3
      where W3.T is meant: going back from W3 @ v to v the claim multiplies by W3 instead of
      W3.T ..." (a delta recursion delta = (W3 @ delta_next) * f'(s) with its .T dropped;
      square W3)
    - paths (d f / d x is the sum over root-to-leaf paths of local-derivative products,
      autograd.paths): "missing the path through %2 (1 of 3 paths from the root down to
      x)", "missing the 2 paths through node 'h' (...)", "missing one of the 2 paths
      %3 -> %2 -> x (x enters %2 twice) (...)", "has only the path through %5; missing
      the paths through %7 and %9 (...)", "counts the path through %2 twice (...)", "the
      sign of the path through %5 is flipped (...)"; in matrix form prefixed by the entry,
      "W1[1,2]: ...".

    One call gives one verdict for all claims (one wrong claim at the counterexample); call
    it once per claim for a verdict per claim. A claim of the wrong shape or type, an
    unknown name, or a claim that crashes raises ValueError naming the input and, for a
    shape, both shapes (ExpressionError, a ValueError, for a refused expression); f
    returning a non-scalar raises TypeError. Where f is undefined on the whole domain,
    ValueError.

    Example:
        >>> import math
        >>> check_derivation("x*y + x*x", {"x": "y + 2*x", "y": "x"}, examples=50)
        DerivationReport(function='x*y + x*x', checked=('x', 'y'), ...)
        >>> try:
        ...     check_derivation("x*y + x*x", {"x": "y"}, examples=50)
        ... except DerivationMismatch as err:
        ...     print(err.input, err.diagnosis)
        x missing the 2 paths through node 'x*x' (2 of 3 paths from the root down to x)
        >>> try:
        ...     check_derivation(lambda w, x: (w * x).tanh(),
        ...                      {"w": lambda w, x: -x * (1 - math.tanh(w * x) ** 2)},
        ...                      examples=50)
        ... except DerivationMismatch as err:
        ...     print(err)
        the claimed derivative of f with respect to w is wrong
          claim:       a lambda
          at:          w = 0.0, x = 1.0
          claimed:     -1.0
          actual:      1.0 (backprop)
          diagnosis:   sign flipped: claimed = -actual at every point tried

    Matrix form (seed 000's stray sum over i):
        >>> import numpy as np
        >>> def loss(W, x, t):
        ...     return ((np.tanh(W @ x) - t) ** 2).sum() / 2
        >>> def stray_sum(W, x, t):
        ...     y = np.tanh(W @ x)
        ...     return np.outer(np.full(len(y), ((y - t) * (1 - y**2)).sum()), x)
        >>> try:
        ...     check_derivation(loss, {"W": stray_sum},
        ...                      shapes={"W": (2, 3), "x": (3,), "t": (2,)}, examples=50)
        ... except DerivationMismatch as err:
        ...     print(err.diagnosis.split(":")[0])
        a stray sum over i
    """
    __tracebackhide__ = True  # pytest shows the caller, not this frame
    problem = _problem(f, claims, shapes, domain, atol, rtol)
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 1:
        raise ValueError(f"examples must be a positive int, got {examples!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an int, got {seed!r}")
    confirmations = _confirmation_graphs(problem, random.Random(seed))
    if confirmations:
        for name in problem.claims:  # a claim of the wrong shape or type fails here, at once
            _claimed(problem, name, confirmations[0])
    tally = _Tally()
    failure = _search(problem, examples, seed, tally)
    if failure is None and tally.points == 0:
        raise ValueError(f"check_derivation: no drawn point of {problem.title} could be "
                         f"checked; choose a domain where f is defined")
    if failure is None:
        return DerivationReport(problem.title, tuple(problem.claims),
                                tuple(n for n in problem.names if n not in problem.claims),
                                tally.points, tally.at_kinks, sum(tally.skipped.values()), seed)
    raise _mismatch(problem, failure, confirmations, seed)


# --- the problem: inputs, shapes, domains and claims, checked up front ----------------------


@dataclass
class _Claim:
    shown: str
    call: Callable[[dict], Any]


@dataclass
class _Problem:
    title: str
    names: tuple[str, ...]
    shapes: dict[str, tuple[int, ...]]
    build: Callable[[dict], Any]
    claims: dict[str, _Claim]
    domain: dict[str, tuple[float, float]]
    atol: float
    rtol: float
    offsets: dict[str, int] = field(default_factory=dict)
    size: int = 0

    @property
    def matrix(self) -> bool:
        return any(self.shapes[n] != () for n in self.names)


def _problem(f: Any, claims: Any, shapes: Any, domain: Any, atol: float,
             rtol: float) -> _Problem:
    if isinstance(f, str):
        from autograd.expr import parse  # the expression language builds on the whole engine

        expression = parse(f)
        names = expression.names
        if not names:
            raise ValueError(f"f = {f!r} has no inputs: nothing to differentiate")
        build = expression.evaluate
        title = expression.text
    elif callable(f):
        names, build = _function_inputs(f)
        title = getattr(f, "__name__", "f")
        title = "f" if title == "<lambda>" else title
    else:
        raise ValueError(f"f must be a function or an expression string, got "
                         f"{type(f).__name__}")
    shapes = _shapes(shapes, names)
    if isinstance(f, str) and any(shapes[n] != () for n in names):
        raise ValueError("the expression language is scalar: pass a Python function as f "
                         "for matrix form (shapes)")
    if not isinstance(claims, Mapping) or not claims:
        raise ValueError(f"claims must be a non-empty dict of input name -> claimed "
                         f"derivative; got {claims!r}")
    unknown = [k for k in claims if k not in names]
    if unknown:
        raise ValueError(f"claims name unknown inputs {', '.join(map(repr, unknown))}; "
                         f"the inputs of {title} are {', '.join(names)}")
    problem = _Problem(title, tuple(names), shapes, build, {}, _domains(domain, names),
                       float(atol), float(rtol))
    offset = 0
    for name in names:
        problem.offsets[name] = offset
        offset += math.prod(shapes[name])
    problem.size = offset
    for name in names:  # in input order, whatever the dict's order
        if name in claims:
            problem.claims[name] = _claim(problem, name, claims[name])
    return problem


def _function_inputs(f: Callable[..., Any]) -> tuple[tuple[str, ...], Callable[[dict], Any]]:
    try:
        parameters = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        raise ValueError("cannot read the input names of f; pass a function with named "
                         "parameters or an expression string") from None
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD,
             inspect.Parameter.KEYWORD_ONLY)
    inputs = [p for p in parameters if p.kind in kinds and p.default is p.empty]
    if not inputs:
        raise ValueError("f has no parameters without a default value: nothing to "
                         "differentiate")
    positional = [p.name for p in inputs if p.kind == inspect.Parameter.POSITIONAL_ONLY]
    keyword = [p.name for p in inputs if p.kind != inspect.Parameter.POSITIONAL_ONLY]

    def build(values: dict) -> Any:
        return f(*[values[n] for n in positional], **{n: values[n] for n in keyword})

    return tuple(p.name for p in inputs), build


def _shapes(shapes: Any, names: tuple[str, ...]) -> dict[str, tuple[int, ...]]:
    result = {name: () for name in names}
    if shapes is None:
        return result
    if not isinstance(shapes, Mapping):
        raise ValueError(f"shapes must be a dict of input name -> shape, got {shapes!r}")
    unknown = [k for k in shapes if k not in names]
    if unknown:
        raise ValueError(f"shapes name unknown inputs {', '.join(map(repr, unknown))}; the "
                         f"inputs are {', '.join(names)}")
    for name, shape in shapes.items():
        shape = (shape,) if isinstance(shape, int) and not isinstance(shape, bool) else shape
        if not isinstance(shape, tuple) or not all(
                isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape):
            raise ValueError(f"the shape of {name!r} must be a tuple of sizes, got {shape!r}")
        result[name] = shape
    return result


def _domains(domain: Any, names: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    def interval(value: Any, what: str) -> tuple[float, float]:
        try:
            lo, hi = (float(v) for v in value)
        except (TypeError, ValueError):
            raise ValueError(f"{what} must be a (lo, hi) pair of numbers, got {value!r}") \
                from None
        if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
            raise ValueError(f"{what} must be finite with lo <= hi, got {value!r}")
        return lo, hi

    if domain is None:
        return {name: DEFAULT_DOMAIN for name in names}
    if not isinstance(domain, Mapping):
        both = interval(domain, "domain")
        return {name: both for name in names}
    unknown = [k for k in domain if k not in names]
    if unknown:
        raise ValueError(f"domain names unknown inputs {', '.join(map(repr, unknown))}; the "
                         f"inputs are {', '.join(names)}")
    return {name: interval(domain[name], f"domain[{name!r}]") if name in domain
            else DEFAULT_DOMAIN for name in names}


def _claim(problem: _Problem, name: str, claim: Any) -> _Claim:
    if isinstance(claim, str):
        from autograd.expr import ExpressionError, parse

        try:
            expression = parse(claim)
        except ExpressionError as err:
            raise ExpressionError(f"the claim for {name!r}: {err}") from None
        unknown = [n for n in expression.names if n not in problem.names]
        if unknown:
            raise ValueError(f"the claim for {name!r} ({claim!r}) uses "
                             f"{', '.join(map(repr, unknown))}, not inputs of "
                             f"{problem.title} ({', '.join(problem.names)})")
        arrays = [n for n in (name, *expression.names) if problem.shapes[n] != ()]
        if arrays:
            raise ValueError(f"the claim for {name!r} is a string, but {arrays[0]} has shape "
                             f"{problem.shapes[arrays[0]]}; the expression language is "
                             "scalar: write this claim as a Python function")

        def evaluate(point: dict) -> float:
            with no_grad():
                return expression.evaluate({n: Value(point[n]) for n in expression.names}).data

        return _Claim(expression.text, evaluate)
    if isinstance(claim, bool) or not callable(claim):
        raise ValueError(f"the claim for {name!r} must be an expression string or a "
                         f"function of the inputs, got {type(claim).__name__} {claim!r}")
    return _Claim(_callable_name(claim), _caller(problem, name, claim))


def _callable_name(claim: Callable[..., Any]) -> str:
    shown = getattr(claim, "__name__", type(claim).__name__)
    return "a lambda" if shown == "<lambda>" else shown


def _caller(problem: _Problem, name: str, claim: Callable[..., Any]) -> Callable[[dict], Any]:
    """How to call a claim: the inputs it names, by keyword, else every input by position."""
    inputs = problem.names
    try:
        parameters = list(inspect.signature(claim).parameters.values())
    except (TypeError, ValueError):
        return lambda point: claim(*[point[n] for n in inputs])
    P = inspect.Parameter
    named = [p for p in parameters if p.kind not in (P.VAR_POSITIONAL, P.VAR_KEYWORD)]
    required = [p for p in named if p.default is p.empty]
    by_position = [p for p in named if p.kind != P.KEYWORD_ONLY]
    if any(p.kind == P.VAR_POSITIONAL for p in parameters):
        return lambda point: claim(*[point[n] for n in inputs])
    if all(p.name in inputs for p in required):
        given = [p for p in named if p.name in inputs]
        positional = [p.name for p in given if p.kind == P.POSITIONAL_ONLY]
        keyword = [p.name for p in given if p.kind != P.POSITIONAL_ONLY]
        return lambda point: claim(*[point[n] for n in positional],
                                   **{n: point[n] for n in keyword})
    if all(p.kind != P.KEYWORD_ONLY for p in required) and (
            len(required) <= len(inputs) <= len(by_position)):
        return lambda point: claim(*[point[n] for n in inputs])
    shown = ", ".join(p.name for p in named)
    raise ValueError(f"the claim for {name!r} takes ({shown}), but the inputs of "
                     f"{problem.title} are ({', '.join(inputs)}): name its parameters after "
                     "the inputs, or take them all in order")


# --- one point: the graph, backprop's gradient, the claims -----------------------------------


class _Skip(Exception):
    """This point cannot judge the claims (f undefined, a domain edge, kinks that meet)."""


class _Failure(Exception):
    """A claim is wrong at point (raised inside the hypothesis test, caught around it)."""

    def __init__(self, input: str, point: dict, claimed: Any, undefined: str | None):
        super().__init__(input)
        self.input, self.point, self.claimed, self.undefined = input, point, claimed, undefined


@dataclass
class _Graph:
    point: dict
    root: Any
    leaves: dict[str, Any]
    flat: list
    order: list
    grads: dict[str, Any]

    def leaf(self, name: str, index: tuple) -> Value:
        return self.leaves[name] if index == () else self.leaves[name][index]


@dataclass
class _Tally:
    points: int = 0
    at_kinks: int = 0
    skipped: Counter = field(default_factory=Counter)


def _numpy() -> Any:
    import numpy

    return numpy


def _label(name: str, index: tuple) -> str:
    return name if index == () else f"{name}[{','.join(str(i) for i in index)}]"


def _leaves(problem: _Problem, point: dict, labelled: bool = True) -> tuple[dict, list]:
    values, flat = {}, []
    for name in problem.names:
        shape = problem.shapes[name]
        if shape == ():
            leaf = Value(float(point[name]), name if labelled else "")
            values[name] = leaf
            flat.append(leaf)
            continue
        np = _numpy()
        array = np.empty(shape, dtype=object)
        for index in np.ndindex(*shape):
            leaf = Value(float(point[name][index]), _label(name, index) if labelled else "")
            array[index] = leaf
            flat.append(leaf)
        values[name] = array
    return values, flat


def _root(problem: _Problem, out: Any) -> Any:
    """f's output as a Value, or None for a number (f does not depend on its inputs)."""
    if isinstance(out, Value):
        return out
    if type(out).__module__ == "numpy" and getattr(out, "shape", None) == ():
        out = out.item() if hasattr(out, "item") else out
        if isinstance(out, Value):
            return out
    if isinstance(out, numbers.Real) and not isinstance(out, bool):
        return None
    shape = getattr(out, "shape", None)
    what = f"an array of shape {shape}" if shape is not None else type(out).__name__
    raise TypeError(f"{problem.title} must return a scalar Value, got {what}"
                    + ("; sum it, e.g. with .sum()" if shape else ""))


def _forbidden_regions(op: Any) -> tuple:
    """Per input, the open intervals beyond the row's domain edges (where the op fails)."""
    cached = _FORBIDDEN.get(op)
    if cached is not None:
        return cached
    try:
        domain = op.input_domain()
    except Exception:  # noqa: BLE001 - a user's row without a usable domain has no edges
        domain = None
    if not domain or len(domain) != op.arity or not all(domain):
        _FORBIDDEN[op] = result = ((),) * op.arity
        return result
    typical = [[lo + (hi - lo) * t for lo, hi in intervals for t in (0.37, 0.5)]
               for intervals in domain]
    regions = []
    for k, intervals in enumerate(domain):
        pieces = sorted(intervals)
        holes = [(-math.inf, pieces[0][0], [pieces[0][0] - d for d in EDGE_PROBES])]
        for (_, a), (b, _) in zip(pieces, pieces[1:], strict=False):
            holes.append((a, b, [a + (b - a) * t for t in (0.25, 0.5, 0.75)]))
        holes.append((pieces[-1][1], math.inf, [pieces[-1][1] + d for d in EDGE_PROBES]))
        regions.append(tuple((lo, hi) for lo, hi, probes in holes
                             if any(_fails(op, k, u, typical) for u in probes)))
    _FORBIDDEN[op] = result = tuple(regions)
    return result


_FORBIDDEN: dict = {}


def _fails(op: Any, k: int, u: float, typical: list) -> bool:
    others = [typical[j] if j != k else [u] for j in range(op.arity)]
    combos = [[]]
    for choices in others:
        combos = [c + [v] for c in combos for v in choices]
    for args in combos:
        try:
            out = op.forward(*args)
        except Exception:  # noqa: BLE001 - any failure of the forward marks the edge
            return True
        if not isinstance(out, (int, float)) or not math.isfinite(out):
            return True
    return False


def _beyond_an_edge(order: list) -> str | None:
    for node in order:
        op = node.op_record
        if op is None:
            continue
        regions = _forbidden_regions(op)
        for k, parent in enumerate(node.parents):
            u = parent.data
            if any(lo < u < hi for lo, hi in regions[k]):
                return f"{op.name} input beyond its domain edge"
    return None


def _graph_at(problem: _Problem, point: dict) -> _Graph:
    values, flat = _leaves(problem, point)
    try:
        out = problem.build(values)
    except (ArithmeticError, DomainError) as err:
        raise _Skip(f"f is undefined ({type(err).__name__})") from None
    root = _root(problem, out)
    grads: dict[str, Any] = {}
    if root is None or root.op_record is None:
        order = [] if root is None else [root]
        found = {root: 1.0} if root is not None else {}
    else:
        from autograd.graph import topological_order

        order = topological_order(root)
        edge = _beyond_an_edge(order)
        if edge:
            raise _Skip(edge)
        try:
            _, found = propagate(root, 1.0, order=order)
        except (ArithmeticError, DomainError) as err:
            raise _Skip(f"the gradient is undefined ({type(err).__name__})") from None
    for name in problem.names:
        if problem.shapes[name] == ():
            g = float(found.get(values[name], 0.0))
            if not math.isfinite(g):
                raise _Skip("the gradient is not finite")
        else:
            np = _numpy()
            g = np.array([float(found.get(leaf, 0.0)) for leaf in values[name].flat],
                         dtype=float).reshape(problem.shapes[name])
            if not np.all(np.isfinite(g)):
                raise _Skip("the gradient is not finite")
        grads[name] = g
    return _Graph(point, root, values, flat, order, grads)


def _claim_point(problem: _Problem, point: dict) -> dict:
    """A fresh copy of the point for a claim (a claim that writes into its arrays is harmless)."""
    return {n: (x.copy() if problem.shapes[n] != () else x) for n, x in point.items()}


def _claimed(problem: _Problem, name: str, graph: _Graph) -> tuple[Any, str | None]:
    """The claim's value at the graph's point, and why it is undefined there (or None)."""
    claim = problem.claims[name]
    shape = problem.shapes[name]
    try:
        if problem.matrix:
            np = _numpy()
            with np.errstate(all="ignore"):
                raw = claim.call(_claim_point(problem, graph.point))
        else:
            raw = claim.call(graph.point)
    except (ArithmeticError, DomainError) as err:
        return _nan_like(shape), f"{type(err).__name__}: {err}"
    except Exception as err:  # noqa: BLE001 - a crashing claim is reported by name
        hint = _transposed_hint(problem, name, graph)
        raise ValueError(f"the claim for {name!r} ({claim.shown}) raised "
                         f"{type(err).__name__}: {err}{hint}") from err
    value = _as_claimed(problem, name, raw, graph)
    finite = math.isfinite(value) if shape == () else bool(_numpy().all(_numpy().isfinite(value)))
    return value, None if finite else "it is not finite here"


def _nan_like(shape: tuple) -> Any:
    return math.nan if shape == () else _numpy().full(shape, math.nan)


def _as_claimed(problem: _Problem, name: str, raw: Any, graph: _Graph) -> Any:
    shape = problem.shapes[name]
    got = getattr(raw, "shape", None)
    if shape == ():
        if isinstance(raw, numbers.Real) and not isinstance(raw, bool):
            return float(raw)
        if got == () and getattr(raw, "dtype", None) is not None and raw.dtype.kind in "iuf":
            return float(raw)
        what = f"an array of shape {got}" if got is not None else type(raw).__name__
        raise ValueError(f"the claim for {name!r} returned {what}, but {name} is a scalar "
                         "(shape ()): it must return a number")
    np = _numpy()
    if isinstance(raw, (bool, str, bytes)) or raw is None:
        raise ValueError(f"the claim for {name!r} returned {type(raw).__name__}, but {name} "
                         f"has shape {shape}: it must return an array of that shape")
    try:
        value = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"the claim for {name!r} returned {type(raw).__name__}, not an "
                         f"array of numbers of shape {shape}") from None
    if value.shape != shape:
        hint = (f" (the transpose of {name}'s shape: a missing or extra .T?)"
                if value.shape == shape[::-1] else _transposed_hint(problem, name, graph))
        raise ValueError(f"the claim for {name!r} returned shape {value.shape}, but {name} "
                         f"has shape {shape}{hint}")
    return value


def _wrong(problem: _Problem, claimed: Any, actual: Any) -> list[tuple]:
    """The indices where claimed and actual differ beyond atol + rtol * |actual|."""
    atol, rtol = problem.atol, problem.rtol
    if not hasattr(actual, "shape"):
        return [] if close(claimed, actual, atol, rtol) else [()]
    np = _numpy()
    bad = ~(np.abs(claimed - actual) <= atol + rtol * np.abs(actual))
    return [tuple(int(i) for i in index) for index in zip(*np.nonzero(bad), strict=True)]


def _element(value: Any, index: tuple) -> float:
    return float(value if index == () else value[index])


def _flatten(problem: _Problem, point: dict) -> list[float]:
    flat: list[float] = []
    for name in problem.names:
        x = point[name]
        flat.extend([float(x)] if problem.shapes[name] == () else [float(v) for v in x.flat])
    return flat


def _unflatten(problem: _Problem, flat: list[float]) -> dict:
    point = {}
    for name in problem.names:
        shape, start = problem.shapes[name], problem.offsets[name]
        if shape == ():
            point[name] = flat[start]
        else:
            size = math.prod(shape)
            point[name] = _numpy().array(flat[start:start + size], dtype=float).reshape(shape)
    return point


def _value_at(problem: _Problem, flat: list[float]) -> float:
    """f at a flat list of floats, without recording a graph (for one-sided differences)."""
    values, _ = _leaves(problem, _unflatten(problem, flat), labelled=False)
    try:
        with no_grad():
            out = problem.build(values)
    except (ArithmeticError, DomainError) as err:
        raise DomainError(str(err)) from err
    return float(out.data if isinstance(out, Value) else out)


def _excused_by_kinks(problem: _Problem, graph: _Graph, name: str, claimed: Any,
                      wrong: list[tuple], undefined: str | None) -> bool:
    """True if every wrong entry sits at a kink and matches a one-sided derivative there.

    Raises _Skip where the claim is undefined at a kink or several kinks meet.
    """
    if graph.root is None:
        return False
    if not any(_near_its_kink(n, NEAR_KINK_PREFILTER) for n in graph.order):
        return False
    flat_point = _flatten(problem, graph.point)
    for index in wrong:
        leaf = graph.leaf(name, index)
        i = problem.offsets[name] + (_ravel(problem.shapes[name], index))
        kinks = [replace(k, sensitivity=(0.0,) * i + k.sensitivity + (0.0,) * (
            problem.size - i - 1)) for k in kinks_in(graph.root, [leaf])]
        near = [k for k in kinks if k.near(i, KINK_MARGIN * max(1.0, abs(flat_point[i])))]
        if not near:
            return False
        if undefined is not None or not math.isfinite(_element(claimed, index)):
            raise _Skip("the claim is undefined at a kink")
        try:
            verdict = judge_near_kinks(
                _element(claimed, index), lambda p: _value_at(problem, p), problem.title,
                flat_point, i, near, problem.atol, problem.rtol, f"d f / d {leaf.label}",
                kinks)
        except NumericallyUnreliable:
            raise _Skip("several kinks meet") from None
        if not verdict.ok:
            return False
    return True


def _near_its_kink(node: Any, margin: float) -> bool:
    """True if node's op has a kink within margin * max(1, |inputs|) of its inputs."""
    op = node.op_record
    if op is None or op.kink_distance is None:
        return False
    inputs = [p.data for p in node.parents]
    return kink_distance(op, inputs) <= margin * max(1.0, *(abs(x) for x in inputs))


def _ravel(shape: tuple, index: tuple) -> int:
    flat = 0
    for size, i in zip(shape, index, strict=True):
        flat = flat * size + i
    return flat


def _judge(problem: _Problem, point: dict) -> bool:
    """Check every claim at point; True if a kink excused a difference. Raises _Failure."""
    graph = _graph_at(problem, point)
    excused = False
    for name in problem.claims:
        claimed, undefined = _claimed(problem, name, graph)
        wrong = _wrong(problem, claimed, graph.grads[name])
        if not wrong:
            continue
        if _excused_by_kinks(problem, graph, name, claimed, wrong, undefined):
            excused = True
            continue
        raise _Failure(name, point, claimed, undefined)
    return excused


def _search(problem: _Problem, examples: int, seed: int, tally: _Tally) -> _Failure | None:
    from hypothesis import HealthCheck, Phase, Verbosity, assume, given, settings
    from hypothesis import seed as seeded
    from hypothesis.errors import Unsatisfiable

    @seeded(seed)
    @settings(max_examples=examples, database=None, deadline=None, derandomize=False,
              print_blob=False, report_multiple_bugs=False, verbosity=Verbosity.quiet,
              phases=(Phase.explicit, Phase.generate, Phase.shrink),
              suppress_health_check=list(HealthCheck))
    @given(_points(problem))
    def claims_hold(point: dict) -> None:
        try:
            excused = _judge(problem, point)
        except _Skip as skip:
            tally.skipped[str(skip)] += 1
            excused = None
        assume(excused is not None)
        tally.points += 1
        tally.at_kinks += excused

    try:
        claims_hold()
    except _Failure as failure:
        return failure
    except Unsatisfiable:
        reasons = "; ".join(f"{reason} ({count}x)" for reason, count
                            in tally.skipped.most_common(3))
        raise ValueError(f"check_derivation: no drawn point of {problem.title} could be "
                         f"checked ({reasons}); choose a domain where f is defined") from None
    return None


def _points(problem: _Problem) -> Any:
    from hypothesis import strategies as st

    parts = {}
    for name in problem.names:
        lo, hi = problem.domain[name]
        floats = st.floats(lo, hi, allow_nan=False, allow_infinity=False,
                           allow_subnormal=False)
        shape = problem.shapes[name]
        if shape == ():
            parts[name] = floats
        else:
            size = math.prod(shape)
            parts[name] = st.tuples(*[floats] * size).map(  # a tuple shrinks faster than a list
                lambda xs, shape=shape: _numpy().array(xs, dtype=float).reshape(shape))
    return st.fixed_dictionaries(parts)


def _random_point(problem: _Problem, rng: random.Random, near: dict | None = None) -> dict:
    point = {}
    for name in problem.names:
        lo, hi = problem.domain[name]
        shape = problem.shapes[name]
        count = math.prod(shape)
        if near is None:
            xs = [rng.uniform(lo, hi) for _ in range(count)]
        else:
            centre = near[name]
            centre = [float(centre)] if shape == () else [float(v) for v in centre.flat]
            width = 0.1 * (hi - lo)
            xs = [min(hi, max(lo, c + rng.uniform(-width, width))) for c in centre]
        point[name] = xs[0] if shape == () else _numpy().array(xs, dtype=float).reshape(shape)
    return point


def _confirmation_graphs(problem: _Problem, rng: random.Random, near: dict | None = None,
                         wanted: int = CONFIRMATION_POINTS) -> list[_Graph]:
    """Graphs at points drawn uniformly from the domain (or around `near`), away from kinks."""
    graphs = []
    for _ in range(CONFIRMATION_DRAWS):
        if len(graphs) >= wanted:
            break
        try:
            graph = _graph_at(problem, _random_point(problem, rng, near))
        except _Skip:
            continue
        if any(_near_its_kink(n, KINK_MARGIN) for n in graph.order):
            continue
        graphs.append(graph)
    return graphs


# --- the counterexample and its diagnosis --------------------------------------------------


@dataclass
class _Sample:
    graph: _Graph
    claimed: Any
    actual: Any
    wrong: list[tuple]


def _mismatch(problem: _Problem, failure: _Failure, confirmations: list[_Graph],
              seed: int) -> DerivationMismatch:
    name = failure.input
    graph = _graph_at(problem, failure.point)
    actual = graph.grads[name]
    claimed = failure.claimed
    samples = [_Sample(graph, claimed, actual, _wrong(problem, claimed, actual) or [()])]
    neighbours = _confirmation_graphs(problem, random.Random(seed + 1), failure.point,
                                      NEIGHBOUR_POINTS)
    for other in confirmations + neighbours:
        value, undefined = _claimed(problem, name, other)
        if undefined is None:
            samples.append(_Sample(other, value, other.grads[name],
                                   _wrong(problem, value, other.grads[name])))
    diagnosis = (f"the claim is undefined here ({failure.undefined})" if failure.undefined
                 else _diagnose(problem, name, samples))
    return DerivationMismatch(name, failure.point, claimed, actual, diagnosis,
                              function=problem.title, claim=problem.claims[name].shown,
                              root=graph.root)


def _diagnose(problem: _Problem, name: str, samples: list[_Sample]) -> str | None:
    wrong = [s for s in samples if s.wrong]
    for diagnosis in (_zero_or_factor, _transposed, _transposed_input, _misplaced_transpose,
                      _stray_sum, _other_input, _wrong_local_derivative, _missing_paths):
        found = diagnosis(problem, name, wrong)
        if found:
            if len(wrong) < len(samples):  # a slip in one region only (a branch, a sign)
                found = found.replace(
                    "at every point tried",
                    f"wherever it is wrong (it holds at {len(samples) - len(wrong)} of the "
                    f"{len(samples)} points tried)")
            return found
    return None


def _tolerance(problem: _Problem) -> tuple[float, float]:
    return max(problem.atol, 1e-9), max(problem.rtol, 1e-6)


def _same(problem: _Problem, a: Any, b: Any) -> bool:
    """a and b equal within the diagnosis tolerance (numbers or arrays of one shape)."""
    atol, rtol = _tolerance(problem)
    if hasattr(a, "shape") or hasattr(b, "shape"):
        np = _numpy()
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        return a.shape == b.shape and bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))
    return close(a, b, atol, rtol)


def _pairs(sample: _Sample) -> list[tuple[float, float]]:
    if not hasattr(sample.actual, "shape"):
        return [(sample.claimed, sample.actual)]
    return list(zip(sample.claimed.flat, sample.actual.flat, strict=True))


def _zero_or_factor(problem: _Problem, name: str, wrong: list[_Sample]) -> str | None:
    if len(wrong) < 2:
        return None
    atol, rtol = _tolerance(problem)
    pairs = [(float(c), float(a)) for s in wrong for c, a in _pairs(s)]
    if all(abs(c) <= atol for c, _ in pairs):
        return "the claim is 0 at every point tried where it is wrong"
    scale = max(abs(a) for _, a in pairs)
    nonzero = [(c, a) for c, a in pairs if abs(a) > 1e-9 * scale + atol]
    if len(nonzero) < 2:
        return None
    c0, a0 = max(nonzero, key=lambda p: abs(p[1]))
    k = c0 / a0
    if abs(k - 1.0) <= rtol or not all(abs(c - k * a) <= atol + rtol * abs(k * a)
                                       for c, a in pairs):
        return None
    return _factor_text(problem, k)


def _factor_text(problem: _Problem, k: float) -> str:
    if abs(k + 1.0) <= 1e-6:
        return "sign flipped: claimed = -actual at every point tried"
    size = abs(k)
    fraction = Fraction(size).limit_denominator(100)
    if abs(float(fraction) - size) <= 1e-6 * size:
        p, q = fraction.numerator, fraction.denominator
        factor = str(p) if q == 1 else (f"1/{q}" if p == 1 else f"{p}/{q}")
        times = (f"{p} * actual" if q == 1 else f"actual / {q}" if p == 1
                 else f"{p}/{q} * actual")
        n = p if q == 1 else (q if p == 1 else None)
    else:
        factor = times = f"{size:.6g}"
        times += " * actual"
        n = None
    sign = "-" if k < 0 else ""
    head = "sign flipped and off" if k < 0 else "off"
    text = f"{head} by a factor of {factor}: claimed = {sign}{times} at every point tried"
    if n is not None and n >= 3:
        axes = [(other, axis) for other in problem.names
                for axis, length in enumerate(problem.shapes[other]) if length == n]
        if axes:
            other, axis = axes[0]
            what = "a 1/N is missing" if q == 1 else "there is an extra 1/N"
            text += f" ({n} is the length of axis {axis} of {other}: {what}, as in a mean?)"
    return text


def _transposed(problem: _Problem, name: str, wrong: list[_Sample]) -> str | None:
    shape = problem.shapes[name]
    if len(shape) != 2 or shape[0] != shape[1] or len(wrong) < 2:
        return None
    if all(_same(problem, s.claimed.T, s.actual) for s in wrong):
        return (f"transposed: the claim's transpose equals d f / d {name} at every point "
                "tried (its two indices are swapped)")
    return None


def _with_transposed(problem: _Problem, name: str, other: str, graph: _Graph) -> Any:
    """The claim for name evaluated with input `other` transposed, or None if it fails."""
    point = _claim_point(problem, graph.point)
    point[other] = point[other].T.copy()
    np = _numpy()
    try:
        with np.errstate(all="ignore"):
            value = np.asarray(problem.claims[name].call(point), dtype=float)
    except Exception:  # noqa: BLE001 - the substitution is a guess; failing means no
        return None
    return value if value.shape == problem.shapes[name] else None


def _transposed_input(problem: _Problem, name: str, wrong: list[_Sample]) -> str | None:
    if len(wrong) < 2 or not problem.matrix:
        return None
    for other in problem.names:
        if len(problem.shapes[other]) != 2:
            continue
        values = [_with_transposed(problem, name, other, s.graph) for s in wrong]
        if all(v is not None and _same(problem, v, s.actual)
               for v, s in zip(values, wrong, strict=True)):
            return (f"{other} transposed inside the claim: with {other}.T in place of {other} "
                    f"it matches at every point tried (a missing or extra .T on {other})")
    return None


def _misplaced_transpose(problem: _Problem, name: str, wrong: list[_Sample]) -> str | None:
    """W @ v where W.T @ v is meant (or the reverse), v unknown: claimed = W (W.T)^-1 actual."""
    if len(wrong) < 2 or not problem.matrix or not problem.shapes[name]:
        return None
    np = _numpy()
    for other in problem.names:
        shape = problem.shapes[other]
        if len(shape) != 2 or shape[0] != shape[1] or problem.shapes[name][0] != shape[0]:
            continue
        for meant, used in ((".T", ""), ("", ".T")):
            tested = 0
            for s in wrong:
                M = s.graph.point[other]
                if np.linalg.cond(M) > 1e4:
                    continue  # too close to singular to tell
                A, B = (M.T, M) if meant else (M, M.T)
                if not _same(problem, s.claimed, B @ np.linalg.solve(A, s.actual)):
                    break
                tested += 1
            else:
                if tested >= 2:
                    return (f"{other}{used} where {other}{meant} is meant: the claim is "
                            f"{other}{used} @ v where the derivative is {other}{meant} @ v, at "
                            f"every point tried (a missing or extra .T on {other})")
    return None


def _transposed_hint(problem: _Problem, name: str, graph: _Graph) -> str:
    if not problem.matrix:
        return ""
    for other in problem.names:
        if len(problem.shapes[other]) == 2:
            value = _with_transposed(problem, name, other, graph)
            if value is not None and _same(problem, value, graph.grads[name]):
                return (f" (with {other}.T in place of {other} the claim runs and matches: "
                        f"a missing or extra .T on {other}?)")
    return ""


def _stray_sum(problem: _Problem, name: str, wrong: list[_Sample]) -> str | None:
    shape = problem.shapes[name]
    if not shape or len(wrong) < 2:
        return None
    np = _numpy()
    letters = INDEX_LETTERS[:len(shape)]
    free = ", ".join(letters)
    for reduce, word in ((np.sum, "sum"), (np.mean, "mean")):
        for axis in [*range(len(shape)), None] if len(shape) > 1 else [None]:
            if not all(_same(problem, s.claimed, np.broadcast_to(
                    reduce(s.actual, axis=axis, keepdims=True), shape)) for s in wrong):
                continue
            over = " and ".join(letters if axis is None else letters[axis])
            if axis is None:
                alike = "every entry of the claim is the same"
            elif len(shape) == 2:
                alike = f"every {('row', 'column')[axis]} of the claim is the same"
            else:
                alike = f"the claim is the same all along axis {axis}"
            return (f"a stray {word} over {over}: {alike}, the {word} of the actual gradient "
                    f"over {over} (claimed[{free}] = {word} over {over} of actual[{free}]); "
                    f"{over} {'is' if ' ' not in over else 'are'} free in d f / d {name}"
                    f"[{free}] and must not be summed")
    return None


def _other_input(problem: _Problem, name: str, wrong: list[_Sample]) -> str | None:
    if len(wrong) < 2:
        return None
    for other in problem.names:
        if other != name and problem.shapes[other] == problem.shapes[name] and all(
                _same(problem, s.claimed, s.graph.grads[other]) for s in wrong):
            return (f"this is the derivative with respect to {other}, not {name}, at every "
                    "point tried")
    return None


# --- a wrong local derivative: the chain rule with some edges' local derivatives replaced ------


def _wrong_local_derivative(problem: _Problem, name: str, wrong: list[_Sample]) -> str | None:
    """The claim is the chain rule with one kind of step taken wrongly at every point tried:
    an activation's derivative at its output (sigma'(y_hat) for y_hat (1 - y_hat)), its rule
    in out applied to its input, or W where W.T is meant going back through W @ v."""
    if len(wrong) < 2 or wrong[0].graph.root is None:
        return None
    for text, kind, target in _local_slips(problem, wrong[0].graph):
        for s in wrong:
            swapped = _swapped_gradient(problem, name, s.graph, _swap(kind, target, s.graph))
            if swapped is None or not _same(problem, s.claimed, swapped):
                break
        else:
            return text
    return None


OUT = re.compile(r"\bout\b")  # the op table's formulas name a node's output out
X = re.compile(r"\bx\b")  # and its input x


def _local_slips(problem: _Problem, graph: _Graph) -> list[tuple[str, str, Any]]:
    """(diagnosis, kind, target) for each kind of wrong step that f's graph allows."""
    slips: list[tuple[str, str, Any]] = []
    unary: dict[str, Any] = {}
    for node in graph.order:
        if node.op_record is not None and len(node.parents) == 1:
            unary.setdefault(node.op_record.name, node.op_record)
    for op, row in unary.items():  # the node's input is u here: x may be one of f's inputs
        formula = X.sub("u", row.formulas[0]) if isinstance(row.formulas, tuple) else ""
        needs = f"{op}'(u) = {formula}" if formula else f"{op}'(u)"
        slips.append((f"{op}' taken at the node's output: the claim uses {op}'(out) = "
                      f"{op}'({op}(u)) where the chain rule needs {needs} at each {op} node (u "
                      "its input, out its output), at every point tried", "at output", op))
        if OUT.search(formula):
            slips.append((f"{op}'s derivative {formula} applied to the node's input: the claim "
                          f"uses {OUT.sub('u', formula)} where the chain rule needs {formula} at "
                          f"each {op} node (u its input, out = {op}(u)), at every point tried",
                          "out is input", op))
    square = [n for n in problem.names
              if len(problem.shapes[n]) == 2 and problem.shapes[n][0] == problem.shapes[n][1]]
    for group in [[n] for n in square] + ([square] if len(square) > 1 else []):
        M = group[0]
        meant = _and([f"{n}.T" for n in group])
        slips.append((f"{_and(group)} where {meant} {'is' if len(group) == 1 else 'are'} meant: "
                      f"going back from {M} @ v to v the claim multiplies by {M} instead of "
                      f"{M}.T ({M}[j,i] in place of {M}[i,j]), at every point tried (a missing "
                      f"or extra .T on {_and(group)})", "transposed", group))
    return slips


def _swap(kind: str, target: Any, graph: _Graph) -> Callable[[Any, int, Any], Any]:
    """swap(node, k, local): the local derivative d node / d parent k that the slip uses."""
    if kind == "transposed":  # in a product M[i,j] * v, d/dv is taken as M[j,i]
        entry = {}
        for name in target:
            for index, leaf in _numpy().ndenumerate(graph.leaves[name]):
                entry[leaf] = float(graph.point[name][index[::-1]])

        def swap(node: Any, k: int, local: Any) -> Any:
            other = node.parents[1 - k] if len(node.parents) == 2 else None
            return entry.get(other, local) if node.op_record.name == "mul" else local

        return swap

    def swap(node: Any, k: int, local: Any) -> Any:
        row = node.op_record
        if row.name != target:
            return local
        if kind == "at output":  # f'(out) where f'(x) is meant
            return row.rule(node.data, row.forward(node.data))[0]
        x = node.parents[0].data  # the rule's out replaced by the input
        return row.rule(x, x)[0]

    return swap


def _swapped_gradient(problem: _Problem, name: str, graph: _Graph, swap: Callable) -> Any:
    """d f / d name by the chain rule with swap(node, k, local) as each edge's local derivative.

    A counterfactual for the diagnosis only: backprop's loop, which never runs a wrong rule,
    written out with the swap. None where a swapped rule is undefined.
    """
    totals: dict = {graph.root: 1.0}
    try:
        for node in reversed(graph.order):
            op, upstream = node.op_record, totals.get(node)
            if op is None or upstream is None:
                continue
            parents = node.parents
            rule = op.rule(*(p.data for p in parents), node.data)
            for k, parent in enumerate(parents):
                totals[parent] = totals.get(parent, 0.0) + upstream * swap(node, k, rule[k])
    except (ArithmeticError, DomainError, ValueError):
        return None
    leaves = graph.leaves[name]
    if problem.shapes[name] == ():
        return float(totals.get(leaves, 0.0))
    np = _numpy()
    return np.array([float(totals.get(leaf, 0.0)) for leaf in leaves.flat]).reshape(leaves.shape)


# --- missing paths ---------------------------------------------------------------------------


def _structure(order: list) -> tuple:
    position = {node: k for k, node in enumerate(order)}
    return tuple((node.op_record.symbol if node.op_record is not None else "",
                  tuple(position[p] for p in node.parents)) for node in order)


def _missing_paths(problem: _Problem, name: str, wrong: list[_Sample]) -> str | None:
    first = wrong[0]
    if first.graph.root is None:
        return f"f does not depend on {name}: its derivative is 0"
    for index in first.wrong[:4]:
        samples = [s for s in wrong if index in s.wrong]
        found = _paths_for(problem, name, index, samples)
        if found:
            return found if index == () else f"{_label(name, index)}: {found}"
    return None


def _paths_for(problem: _Problem, name: str, index: tuple, samples: list[_Sample]) -> str | None:
    base = samples[0].graph
    leaf = base.leaf(name, index)
    try:
        paths = gradient_paths(base.root, leaf, DIAGNOSIS_MAX_PATHS)
    except TooManyPathsError:
        return None
    leaf_name = _label(name, index)
    if not paths:
        return f"f does not depend on {leaf_name}: its derivative is 0"
    if len(paths) < 2:
        return None
    structure = _structure(base.order)
    evidence = []
    for s in samples:
        if s is samples[0]:
            evidence.append((_element(s.claimed, index), [p.product for p in paths]))
        elif _structure(s.graph.order) == structure:
            products = [p.product for p in gradient_paths(s.graph.root, s.graph.leaf(name, index),
                                                          DIAGNOSIS_MAX_PATHS)]
            evidence.append((_element(s.claimed, index), products))
    if len(evidence) < 2:
        return None
    atol, rtol = _tolerance(problem)
    names = node_names(base.order)
    position = {node: k for k, node in enumerate(base.order)}
    through: dict[int, set] = {}
    for i, path in enumerate(paths):
        for node in path.nodes[1:-1]:
            through.setdefault(position[node], set()).add(i)
    by_set: dict[frozenset, list[int]] = {}
    for where, members in sorted(through.items()):
        if len(members) < len(paths):
            by_set.setdefault(frozenset(members), []).append(where)
    everything = frozenset(range(len(paths)))
    sets = sorted(by_set, key=lambda s: (len(s), sorted(s)))
    candidates: list[tuple[str, frozenset, frozenset | None]] = []
    candidates += [("missing", s, None) for s in sets]
    candidates += [("missing", frozenset({i}), None) for i in range(len(paths))]
    candidates += [("missing", everything - s, s) for s in sets]
    candidates += [("flipped", s, None) for s in sets]
    candidates += [("flipped", frozenset({i}), None) for i in range(len(paths))]
    if len(sets) <= 40:
        candidates += [("missing", a | b, None) for k, a in enumerate(sets) for b in sets[k + 1:]
                       if not a & b and a | b != everything]
    candidates += [("twice", s, None) for s in sets]
    candidates += [("twice", frozenset({i}), None) for i in range(len(paths))]
    tried = set()
    for kind, missing, kept in candidates:
        if (kind, missing) in tried or not missing or missing == everything:
            continue
        tried.add((kind, missing))
        weight = {"missing": 0.0, "twice": 2.0, "flipped": -1.0}[kind]
        if all(abs(c - _weighted(products, missing, weight)) <= atol + rtol * math.fsum(
                abs(p) for p in products) for c, products in evidence):
            described = _describe(missing, paths, by_set, base.order, names)
            count = f"({len(missing)} of {len(paths)} paths from the root down to {leaf_name})"
            if kind == "twice":
                return f"counts {described} twice {count}"
            if kind == "flipped":
                return f"the sign of {described} is flipped {count}"
            if kept is not None:
                return (f"has only {_describe(kept, paths, by_set, base.order, names)}; "
                        f"missing {described} {count}")
            return f"missing {described} {count}"
    return None


def _weighted(products: list[float], chosen: frozenset, weight: float) -> float:
    return math.fsum(p * (weight if i in chosen else 1.0) for i, p in enumerate(products))


def _describe(chosen: frozenset, paths: list, by_set: dict, order: list, names: dict) -> str:
    """The paths in chosen, as the nodes they pass through (a few routes spelled out)."""

    def word(where: int) -> str:
        node = order[where]
        return f"node {node.label!r}" if node.label else names[node]

    def best(spots: list[int]) -> int:
        return max(spots, key=lambda w: (bool(order[w].label), w))

    if chosen in by_set:
        count = len(chosen)
        node = word(best(by_set[chosen]))
        return f"the path through {node}" if count == 1 else f"the {count} paths through {node}"
    remaining = set(chosen)
    parts = []
    while remaining:
        inside = [s for s in by_set if s <= remaining]
        if not inside:
            break
        largest = max(inside, key=lambda s: (len(s), -min(s)))
        parts.append(word(best(by_set[largest])))
        remaining -= largest
    routes = [_route(paths, i, names) for i in sorted(remaining)]
    text = []
    if parts:
        text.append(f"the paths through {_and(parts)}")
    if routes:
        text.append(_and(routes))
    return " and ".join(text)


def _route(paths: list, i: int, names: dict) -> str:
    path = paths[i]
    route = " -> ".join(names[n] for n in path.nodes)
    twins = [q for q in paths if len(q.nodes) == len(path.nodes)
             and all(a is b for a, b in zip(q.nodes, path.nodes, strict=True))]
    if len(twins) < 2:
        return f"the path {route}"
    for k in range(len(path.inputs)):
        node, child = path.nodes[k], path.nodes[k + 1]
        times = sum(p is child for p in node.parents)
        if times > 1:
            entries = "twice" if times == 2 else f"{times} times"
            return (f"one of the {len(twins)} paths {route} ({names[child]} enters "
                    f"{names[node]} {entries})")
    return f"one of the {len(twins)} paths {route}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --- the message -----------------------------------------------------------------------------


def _shown(value: Any, indent: int) -> str:
    if hasattr(value, "shape"):
        np = _numpy()
        shown = np.asarray(value, dtype=float) + 0.0  # + 0.0 prints -0.0 as 0.0
        text = np.array2string(shown, separator=", ", precision=8, max_line_width=100 - indent)
        return text.replace("\n", "\n" + " " * indent)
    return repr(value + 0.0) if isinstance(value, float) else repr(value)


def _mismatch_message(err: DerivationMismatch) -> str:
    pad = 15
    point = err.point or {}
    lines = [f"the claimed derivative of {err.function} with respect to {err.input} is wrong"]
    if err.claim:
        lines.append(f"  {'claim:':<{pad - 2}}{err.claim}")
    if any(hasattr(x, "shape") for x in point.values()):  # one input per line, in order
        at = [f"{n} = {_shown(x, pad + len(n) + 3)}" for n, x in point.items()]
    else:
        at = [", ".join(f"{n} = {_shown(x, 0)}" for n, x in point.items())]
    lines.append(f"  {'at:':<{pad - 2}}" + ("\n" + " " * pad).join(at))
    lines.append(f"  {'claimed:':<{pad - 2}}{_shown(err.claimed, pad)}")
    lines.append(f"  {'actual:':<{pad - 2}}{_shown(err.actual, pad)} (backprop)")
    if hasattr(err.actual, "shape"):
        np = _numpy()
        claimed, actual = np.asarray(err.claimed, dtype=float), np.asarray(err.actual)
        bad = ~np.isclose(claimed, actual, rtol=1e-6, atol=1e-7)
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            lines.append(f"  {'first wrong:':<{pad - 2}}{_label(err.input, index)}: claimed "
                         f"{float(claimed[index])!r}, actual {float(actual[index])!r}")
    lines.append(f"  {'diagnosis:':<{pad - 2}}"
                 + (err.diagnosis or "none of the known slips fits (sign, constant factor, "
                                     "missing path, transpose, stray sum)"))
    return "\n".join(lines)


__all__ = ["DerivationMismatch", "DerivationReport", "check_derivation"]
