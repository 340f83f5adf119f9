"""check_op: property-test one op of the table (or one made by define_op) over its domain.

At points drawn by hypothesis from the row's domain, and at the row's kinks:

- the rule against numerical differentiation of the forward function (the complex step
  where the row has a complex forward, else Richardson; one-sided at a kink),
- each formula text, evaluated by the expression language, against the rule,
- the rule run on Values against the rule on floats, and its own derivative (what
  create_graph differentiates) against differences of the rule,
- forward mode (jvp on dual numbers) against the rule.

hypothesis is imported when check_op runs, so `autograd.testing` itself needs only the
standard library.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from autograd.backprop import gradients
from autograd.errors import DomainError
from autograd.forward import jvp
from autograd.ops import Op, apply, evaluate, primal
from autograd.testing.errors import GradientMismatch, NumericallyUnreliable
from autograd.testing.kinks import (
    Judged,
    Kink,
    attempt,
    judge,
    judge_near_kinks,
    kinks_of_op,
    near,
)
from autograd.testing.numerical import Estimate, complex_step, richardson
from autograd.testing.report import Row, close
from autograd.value import Value

INPUTS = ("x", "y")
ANALYTIC_ATOL = 1e-12
ANALYTIC_RTOL = 1e-9
"""Tolerance between two analytic values (formula and rule, Values and floats, jvp)."""
MAX_KINK_POINTS = 8

RULE = "rule vs numerical differentiation of the forward"
FORMULA = "formula text vs rule"
ON_VALUES = "rule on Values vs rule on floats"
SECOND = "derivative of the rule on Values (create_graph) vs differences of the rule"
FORWARD_MODE = "forward mode (jvp) vs rule"
CHECKS = (RULE, FORMULA, ON_VALUES, SECOND, FORWARD_MODE)


@dataclass(frozen=True)
class OpMismatch:
    """Where check_op failed: the op, the check, the point, the input and both numbers."""

    op: str
    check: str
    point: str
    derivative: str = ""
    expected: float = math.nan
    actual: float = math.nan
    expected_by: str = ""
    actual_by: str = ""
    detail: str = ""

    def __str__(self) -> str:
        lines = [f"check_op FAILED for {self.op} at {self.point}: {self.check}"]
        if self.derivative:
            lines.append(f"{self.derivative}: {self.actual_by} gives {self.actual!r}, "
                         f"{self.expected_by} {self.expected!r} "
                         f"(abs error {abs(self.expected - self.actual):.3g})")
        if self.detail:
            lines.append(self.detail)
        return "\n".join(lines)


@dataclass(frozen=True)
class OpCheckReport:
    """What check_op proved: which concrete ops, how many drawn points each (and how many
    of those one-sided differences judged, a kink or a non-smooth point being within reach
    of the differences), and one note per kink point of the row, quoting its convention."""

    op: str
    checked: tuple[str, ...]
    examples: tuple[int, ...]
    one_sided: tuple[int, ...]
    methods: tuple[str, ...]
    notes: tuple[str, ...]
    checks: tuple[str, ...] = CHECKS

    @property
    def passed(self) -> bool:
        """Always True: check_op raises instead of returning a failed report."""
        return True

    def __str__(self) -> str:
        lines = [f"check_op passed for {self.op}"]
        for symbol, count, one_sided, method in zip(
                self.checked, self.examples, self.one_sided, self.methods, strict=True):
            judged = f" ({one_sided} judged by one-sided differences)" if one_sided else ""
            lines.append(f"{symbol}: {count} points from its domain{judged}; "
                         f"numerical method: {method}")
        lines.append("checks: " + "; ".join(self.checks))
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def op_of(fn: Any) -> Op:
    """The row behind an op function (define_op's, autograd.ops.sin) or an Op itself."""
    op = fn if isinstance(fn, Op) else getattr(fn, "op", None)
    if not isinstance(op, Op):
        raise TypeError(
            "check_op takes an op function (from define_op or autograd.ops) or an Op, "
            f"got {type(fn).__name__} {fn!r}"
        )
    return op


def concrete_ops(op: Op) -> list[Op]:
    """The op itself, or for a row with parameters, the row bound to each of its samples."""
    if not op.is_row:
        return [op]
    if op.samples:
        return [op.bind(*sample) for sample in op.samples]
    if len(op.defaults) == len(op.parameters):
        return [op.bind()]
    raise ValueError(f"{op.name} takes parameters ({', '.join(op.parameters)}) and has no "
                     f"samples to check; pass a bound op, e.g. the row's .bind(...)")


def check_op(
    fn: Any,
    *,
    examples: int = 200,
    seed: int = 0,
    atol: float = 1e-9,
    rtol: float = 1e-7,
) -> OpCheckReport:
    """Property-test an op's derivative rule and formula text over its domain.

    fn: a function from define_op, a module-level op function (`autograd.ops.sin`) or an
    Op; a row with parameters is checked bound to each of its samples. For `examples`
    points per concrete op, drawn by hypothesis (deterministically, from `seed`), and at
    the row's kinks, checks: the rule against numerical differentiation of the forward
    (atol + rtol * |numeric|), the formula text against the rule, the rule on Values and
    its create_graph derivative, and forward mode. Raises GradientMismatch naming the op,
    the (shrunk) point, the check, and the expected and actual numbers; `.report` holds an
    OpMismatch. Returns an OpCheckReport.

    >>> from autograd import define_op
    >>> cube = define_op("cube", lambda x: x**3, lambda x: 3 * x**2, "3 * x**2")
    >>> check_op(cube, examples=20).checked
    ('cube',)
    """
    __tracebackhide__ = True  # pytest shows the caller, not this frame
    row = op_of(fn)
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 1:
        raise ValueError(f"check_op: examples must be a positive int, got {examples!r}")
    ops, counts, one_sided, methods, notes = concrete_ops(row), [], [], [], []
    for op in ops:
        checker = _Checker(op, atol, rtol)
        count, judged_one_sided = checker.run_property(examples, seed)
        counts.append(count)
        one_sided.append(judged_one_sided)
        for point in kink_points(op):
            notes += checker.check(point, at_kink=True)
        methods.append(checker.method_name)
    return OpCheckReport(row.name, tuple(op.symbol for op in ops), tuple(counts),
                         tuple(one_sided), tuple(methods), tuple(dict.fromkeys(notes)))


def kink_points(op: Op) -> list[tuple[float, ...]]:
    """Points exactly at op's kinks, found among simple candidates: 0, +-1, the bound
    parameters, the ends of the domain's intervals and the middles of the gaps between
    them (and their pairs, for a binary op); only where the forward and the rule are
    defined (arctan2 at the origin is not)."""
    if op.kink_distance is None:
        return []
    per_input = []
    for intervals in op.input_domain():
        ordered = sorted(intervals)
        candidates = {0.0, 1.0, -1.0, *(op.bound or ())}
        candidates.update(end for interval in ordered for end in interval)
        candidates.update((b + c) / 2.0 for (_, b), (c, _) in itertools.pairwise(ordered))
        per_input.append(sorted(candidates))
    found = []
    for point in itertools.product(*per_input):
        try:
            if op.kink_distance(*point) != 0.0:
                continue
            out = evaluate(op, *point)
            if not all(math.isfinite(primal(d)) for d in op.rule(*point, out)):
                continue
        except (ArithmeticError, ValueError):
            continue
        found.append(point)
        if len(found) == MAX_KINK_POINTS:
            break
    return found


def _format_point(point: Sequence[float]) -> str:
    return "(" + ", ".join(f"{n}={x!r}" for n, x in zip(INPUTS, point, strict=False)) + ")"


class _Checker:
    """The checks of one concrete op at one point; raises GradientMismatch on failure."""

    def __init__(self, op: Op, atol: float, rtol: float):
        self.op, self.atol, self.rtol = op, atol, rtol
        self.names = INPUTS[: op.arity]
        self.method = "complex_step" if op.complex_forward is not None else "richardson"
        self.method_name = "complex step" if self.method == "complex_step" else "Richardson"
        self.formulas = self._parse_formulas()
        self.parameters = dict(zip(op.parameters, op.bound or (), strict=False))

    def fail(self, check: str, point: Sequence[float], derivative: str = "",
             actual: float = math.nan, actual_by: str = "", expected: float = math.nan,
             expected_by: str = "", *, detail: str = "",
             cause: BaseException | None = None) -> None:
        """Raise GradientMismatch naming the op, the check, the point and both numbers."""
        __tracebackhide__ = True
        mismatch = OpMismatch(self.op.symbol, check, _format_point(point), derivative,
                              expected, actual, expected_by, actual_by, detail)
        raise GradientMismatch(str(mismatch), mismatch) from cause

    def _parse_formulas(self) -> list[Any]:
        from autograd.expr import ExpressionError, parse  # expr builds on the whole engine

        parsed = []
        for k, text in enumerate(self.op.formula_texts()):
            try:
                parsed.append(parse(text))
            except ExpressionError as err:
                mismatch = OpMismatch(self.op.symbol, FORMULA, "any point",
                                      detail=f"formula {k} {text!r} does not parse: {err}")
                raise GradientMismatch(str(mismatch), mismatch) from None
        return parsed

    def run_property(self, examples: int, seed: int) -> tuple[int, int]:
        """Check at `examples` points drawn from the domain; return how many ran, and at
        how many of them one-sided differences judged the rule."""
        from hypothesis import HealthCheck, given, settings
        from hypothesis import seed as seeded

        from autograd.testing.strategies import arguments_for

        count = one_sided = 0

        @seeded(seed)
        @settings(max_examples=examples, database=None, deadline=None, derandomize=False,
                  print_blob=False, report_multiple_bugs=False,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.nested_given])
        @given(arguments_for(self.op))
        def rule_and_formula_hold(point: tuple[float, ...]) -> None:
            nonlocal count, one_sided
            count += 1
            one_sided += bool(self.check(point))

        rule_and_formula_hold()
        return count, one_sided

    def check(self, point: Sequence[float], at_kink: bool = False) -> list[str]:
        """Every check at point; returns notes on kinks met there. At a kink the rule is
        judged by one-sided differences only (whatever branch the complex forward takes)."""
        __tracebackhide__ = True
        point = [float(x) for x in point]
        out = self._forward(point)
        rule = self._rule(point, out)
        kinks = kinks_of_op(self.op, point)
        notes = self._against_numerical(point, rule, kinks, at_kink)
        notes += self._formulas_agree(point, out, rule,
                                      at_kink or any(k.at_kink for k in kinks))
        self._on_values(point, rule, kinks)
        self._forward_mode(point, out, rule)
        return notes

    def _forward(self, point: list[float]) -> float:
        try:
            return evaluate(self.op, *point)
        except (ArithmeticError, ValueError) as err:
            self.fail("the forward function at a point of the domain", point,
                      detail=f"it raised {type(err).__name__}: {err}; the domain must "
                             "leave out points where the op is undefined", cause=err)

    def _rule(self, point: list[float], out: float) -> list[float]:
        try:
            rule = self.op.rule(*point, out)
            values = [float(primal(d)) for d in rule]
        except Exception as err:  # any failure of a user's rule is reported
            self.fail("the rule on floats", point,
                      detail=f"it raised {type(err).__name__}: {err}", cause=err)
        if len(values) != self.op.arity:
            self.fail("the rule on floats", point,
                      detail=f"it returned {len(values)} derivative(s) for {self.op.arity} "
                             "input(s)")
        return values

    def _against_numerical(self, point: list[float], rule: list[float], kinks: list[Kink],
                           at_kink: bool) -> list[str]:
        op = self.op

        def forward(p: list[float]) -> float:
            return evaluate(op, *p)

        notes = []
        for i, name in enumerate(self.names):
            if at_kink:
                estimate = NumericallyUnreliable(f"{op.symbol} is at its kink")
            elif self.method == "complex_step":
                estimate = attempt(partial(complex_step, partial(apply, op), point, i))
            else:
                estimate = attempt(partial(richardson, forward, op.symbol, point, i))
            if isinstance(estimate, NumericallyUnreliable) and not near(
                    kinks, i, self.method, point[i]):
                # Richardson assumes a smooth forward: softsign is only once differentiable at
                # 0. Differences from either side still see the derivative.
                judged = self._one_sided(point, i, rule[i], forward, estimate)
            else:
                judged = judge(rule[i], estimate, kinks, self.method,
                               (forward, op.symbol, point, i), name, repr(point[i]),
                               self.atol, self.rtol)
            if not judged.row.ok:
                self.fail(f"{RULE} ({self.method_name})", point, f"d out / d{name}", rule[i],
                          "the rule", judged.row.numeric,
                          "one-sided differences" if judged.one_sided else self.method_name,
                          detail=judged.problem or "allowed error atol + rtol * |numeric| = "
                          f"{self.atol + self.rtol * abs(judged.row.numeric):.3g}")
            if judged.note:
                notes.append(judged.note)
        return notes

    def _one_sided(self, point: list[float], i: int, analytic: float,
                   forward: Callable[[list[float]], float],
                   unreliable: NumericallyUnreliable) -> Judged:
        name = self.names[i]
        try:
            verdict = judge_near_kinks(analytic, forward, self.op.symbol, point, i, [],
                                       self.atol, self.rtol, name)
        except NumericallyUnreliable as err:
            self.fail(f"{RULE} ({self.method_name})", point, detail=(
                f"{unreliable}; {err}; the domain should keep clear of kinks and edges, "
                "or the row should give kink_distance"), cause=err)
        text = f"{verdict.text} (Richardson was unreliable here: {unreliable})"
        row = Row(name, repr(point[i]), analytic, verdict.estimate.value, verdict.ok)
        return Judged(row, verdict.estimate, None if verdict.ok else text,
                      text if verdict.ok else None, True)

    def _formulas_agree(self, point: list[float], out: float, rule: list[float],
                        at_kink: bool) -> list[str]:
        """Each formula text at point against the rule. At a kink a formula may be undefined
        (the row's kink text gives the convention there), never a different number."""
        inputs = {name: Value(x, name) for name, x in zip(self.names, point, strict=True)}
        inputs["out"] = Value(out, "out")
        inputs.update({name: Value(v, name) for name, v in self.parameters.items()})
        notes = []
        for i, (name, formula) in enumerate(zip(self.names, self.formulas, strict=True)):
            try:
                value = primal(formula.evaluate(dict(inputs)))
            except (ArithmeticError, ValueError) as err:
                if not at_kink:
                    self.fail(FORMULA, point, detail=f"formula {formula.text!r} for d out / "
                              f"d{name} raised {type(err).__name__}: {err}", cause=err)
                notes.append(f"{name}: the formula text {formula.text!r} is undefined at "
                             f"{_format_point(point)}, a kink of {self.op.symbol} ({err}); the "
                             f"rule takes {rule[i]!r}: {self.op.kink or 'no kink text'}")
                continue
            except Exception as err:  # a formula that cannot run is a failure
                self.fail(FORMULA, point, detail=f"formula {formula.text!r} for d out / d{name} "
                          f"raised {type(err).__name__}: {err}", cause=err)
            if not close(value, rule[i], ANALYTIC_ATOL, ANALYTIC_RTOL):
                self.fail(FORMULA, point, f"d out / d{name}", value,
                          f"the formula text {formula.text!r}", rule[i], "the rule")
        return notes

    def _on_values(self, point: list[float], rule: list[float], kinks: list[Kink]) -> None:
        leaves = [Value(x, name) for x, name in zip(point, self.names, strict=True)]
        try:
            out = apply(self.op, *leaves)
            local = self.op.rule(*leaves, out)
            values = [float(primal(d)) for d in local]
        except Exception as err:  # a rule that fails on Values is a failure
            self.fail(ON_VALUES, point, detail=f"the rule on Values raised "
                      f"{type(err).__name__}: {err}", cause=err)
        for i, name in enumerate(self.names):
            if not close(values[i], rule[i], ANALYTIC_ATOL, ANALYTIC_RTOL):
                self.fail(ON_VALUES, point, f"d out / d{name}", values[i], "the rule on Values",
                          rule[i], "on floats")
        for i, d in enumerate(local):
            self._second_derivative(point, i, d, leaves, kinks)

    def _second_derivative(self, point: list[float], i: int, local: Any, leaves: list[Value],
                           kinks: list[Kink]) -> None:
        """d/d input_j of the rule's i-th derivative: create_graph's against differences."""
        analytic = gradients(local, leaves) if isinstance(local, Value) else [0.0] * len(leaves)

        def rule_i(p: list[float]) -> float:
            return float(primal(self.op.rule(*p, evaluate(self.op, *p))[i]))

        for j, name in enumerate(self.names):
            if near(kinks, j, "richardson", point[j]):
                continue  # the rule itself jumps there
            try:
                estimate = richardson(rule_i, f"d out / d{self.names[i]}", point, j)
            except (NumericallyUnreliable, DomainError):
                continue  # the rule has a kink or edge of its own here; nothing to compare
            if not _within(analytic[j], estimate, self.atol * 10, self.rtol * 10):
                self.fail(SECOND, point, f"d2 out / d{self.names[i]} d{name}", analytic[j],
                          "create_graph", estimate.value, "differences of the rule",
                          detail="differentiating the rule on Values disagrees with "
                          "differences of the rule on floats: does the rule use float(), "
                          ".data or math functions?")

    def _forward_mode(self, point: list[float], out: float, rule: list[float]) -> None:
        function: Callable[..., Any] = partial(apply, self.op)
        for i, name in enumerate(self.names):
            tangents = [1.0 if k == i else 0.0 for k in range(len(point))]
            try:
                primal_out, tangent = jvp(function, point, tangents)
            except Exception as err:  # forward mode failing is a failure
                self.fail(FORWARD_MODE, point, detail=f"jvp raised {type(err).__name__}: {err}",
                          cause=err)
            if primal_out != out or not close(tangent, rule[i], ANALYTIC_ATOL, ANALYTIC_RTOL):
                self.fail(FORWARD_MODE, point, f"d out / d{name}", tangent, "jvp", rule[i],
                          "the rule", detail=f"jvp's value {primal_out!r}, the forward's {out!r}")


def _within(analytic: float, estimate: Estimate, atol: float, rtol: float) -> bool:
    return abs(analytic - estimate.value) <= atol + rtol * abs(estimate.value) + estimate.error


__all__ = ["CHECKS", "OpCheckReport", "OpMismatch", "check_op", "concrete_ops", "kink_points",
           "op_of"]
