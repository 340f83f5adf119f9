"""Kinks in a graph: which nodes sit near a kink of their op, and judging a derivative there.

An op row with `kink_distance` says how far its inputs are from a point where it is not
differentiable (relu at 0, abs at 0, maximum at a tie, clip at its edges), and its `kink`
text says which derivative the engine takes there. Finite differences that straddle a kink
estimate nothing useful; there the checkers accept the analytic derivative when it matches
the derivative from one side, from the other, or their average (the usual conventions),
and say so in the report, quoting the row.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from autograd.graph import topological_order
from autograd.ops import Op
from autograd.testing.errors import NumericallyUnreliable
from autograd.testing.numerical import (
    ONE_SIDED_POINTS,
    Estimate,
    RealFunction,
    one_sided,
    stencil_radius,
)
from autograd.testing.report import Row, close

KINK_ROUNDING = 1e-9
"""Relative distance within which a node counts as at its kink whatever the method: rounding
differences between the real and the complex-step evaluation can land it on either side."""
KINK_REACH = 4.0
"""Safety factor on how far a step moves a node's inputs (first-order estimate)."""


@dataclass(frozen=True)
class Kink:
    """A node whose op has a kink: its inputs, its distance from the kink, and per leaf how
    fast its inputs move (sum over inputs of |d input / d leaf|, at least 1 where they
    depend on the leaf at all, 0 where they do not)."""

    op: Op
    label: str
    inputs: tuple[float, ...]
    distance: float
    sensitivity: tuple[float, ...]

    def near(self, leaf: int, radius: float) -> bool:
        """True if moving input `leaf` by up to radius may bring this node to its kink
        (never if the node does not move with that input)."""
        if self.sensitivity[leaf] == 0.0:
            return False
        reach = KINK_REACH * radius * self.sensitivity[leaf]
        return not self.distance > reach + self._rounding()  # nan counts as near

    @property
    def at_kink(self) -> bool:
        """True if the node is at its kink up to rounding."""
        return not self.distance > self._rounding()

    def _rounding(self) -> float:
        return KINK_ROUNDING * max(1.0, *(abs(u) for u in self.inputs))

    def describe(self) -> str:
        """`relu (node 'h') of 1e-09`, naming the op, the node's label and its inputs."""
        node = f" (node {self.label!r})" if self.label else ""
        shown = ", ".join(f"{u:.6g}" for u in self.inputs)
        inputs = shown if len(self.inputs) == 1 else f"({shown})"
        return f"{self.op.symbol}{node} of {inputs}"

    def convention(self) -> str:
        """The row's text on the derivative it takes at the kink."""
        return self.op.kink or "the row does not say which derivative it takes there"


def kink_distance(op: Op, inputs: Sequence[float]) -> float:
    """How far inputs are from op's kink, by its row (0.0 where that is undefined)."""
    try:
        return float(op.kink_distance(*inputs))
    except (ArithmeticError, ValueError):
        return 0.0  # the distance itself is undefined: as close as it gets


def kinks_of_op(op: Op, point: Sequence[float]) -> list[Kink]:
    """The op itself applied to point, as a one-node graph (each input moves its own input)."""
    if op.kink_distance is None:
        return []
    return [Kink(op, "", tuple(point), kink_distance(op, point), (1.0,) * len(point))]


def kinks_in(root: object, leaves: Sequence[object]) -> list[Kink]:
    """Every node of root's graph whose op has a kink, with per-leaf sensitivities.

    The sensitivities come from forward tangents pushed through the recorded graph with the
    nodes' own local derivatives (one pass per leaf), so nothing is rebuilt.
    """
    if not hasattr(root, "parents"):
        return []
    order = topological_order(root)
    kinked = [node for node in order if node.op_record is not None
              and node.op_record.kink_distance is not None]
    if not kinked:
        return []
    tangents_per_leaf = [_tangents(order, leaf) for leaf in leaves]
    result = []
    for node in kinked:
        op = node.op_record
        inputs = tuple(p.data for p in node.parents)
        sensitivity = tuple(_rate(node.parents, tangents) for tangents in tangents_per_leaf)
        result.append(Kink(op, node.label, inputs, kink_distance(op, inputs), sensitivity))
    return result


def _rate(parents: tuple, tangents: dict) -> float:
    """How fast the parents move with the leaf: 0 if they do not depend on it at all.

    At a stationary point (u * u at u = 0) the first-order rate is 0 while the node still
    moves at second order, so a rate below 1 is not trusted.
    """
    if not any(p in tangents for p in parents):
        return 0.0
    return max(1.0, sum(abs(tangents.get(p, 0.0)) for p in parents))


def _tangents(order: list, leaf: object) -> dict:
    """d node / d leaf for every node, by forward mode over the recorded graph."""
    tangents = {leaf: 1.0}
    for node in order:
        if node.op_record is None:
            continue
        parents = node.parents
        if not any(p in tangents for p in parents):
            continue
        try:
            local = node.local_grads
            total = sum(d * tangents.get(p, 0.0) for d, p in zip(local, parents, strict=True))
        except (ArithmeticError, ValueError):
            total = math.inf
        tangents[node] = total if math.isfinite(total) else math.inf
    return tangents


@dataclass(frozen=True)
class KinkVerdict:
    """The analytic derivative judged against one-sided differences near a kink."""

    ok: bool
    estimate: Estimate
    text: str


def judge_near_kinks(
    analytic: float,
    g: RealFunction,
    name: str,
    point: Sequence[float],
    i: int,
    kinks: Sequence[Kink],
    atol: float,
    rtol: float,
    what: str,
    others: Sequence[Kink] = (),
) -> KinkVerdict:
    """Accept analytic if it matches the one-sided derivative below, above, or their average.

    g, name, point and i are as for the numerical differences (the derivative is d g /
    d input i); kinks are the nodes near their kink, others the graph's other kinked nodes;
    `what` names the derivative in the text. Raises NumericallyUnreliable if g is undefined
    on both sides, or if nothing matches where several kinks lie within the differences.
    """
    sides = {}
    failures = []
    for side, word in ((-1, "left"), (1, "right")):
        try:
            sides[word] = one_sided(g, name, point, i, side)
        except NumericallyUnreliable as err:
            failures.append(err)
    if not sides:
        raise failures[0]
    candidates = [(f"the {word}-hand derivative", e) for word, e in sides.items()]
    if len(sides) == 2:
        left, right = sides["left"], sides["right"]
        average = Estimate((left.value + right.value) / 2.0, left.step,
                           (left.error + right.error) / 2.0)
        candidates.append(("the average of the two", average))
    where = "; ".join(f"{k.describe()} is {'at' if k.at_kink else 'near'} its kink: "
                      f"{k.convention()}" for k in kinks) or "no kink is declared here"
    for label, e in candidates:
        if abs(analytic - e.value) <= atol + rtol * abs(e.value) + e.error:
            return KinkVerdict(True, e, f"{what}: {where}; analytic {analytic:.6g} "
                                              f"matches {label} ({e.value:.6g})")
    closest = min(candidates, key=lambda c: abs(analytic - c[1].value))[1]
    listed = ", ".join(f"{label} {e.value:.6g}" for label, e in candidates)
    everywhere = list(kinks) + [k for k in others if all(k is not m for m in kinks)]
    crowded = [k for k in everywhere if k.near(i, ONE_SIDED_POINTS * closest.step * 2.0)]
    if len(crowded) > 1:
        # relu(x) - relu(-x) is x, yet the conventions at 0 give it slope 0: where several
        # kinks meet, their conventions compose into values no difference reproduces.
        raise NumericallyUnreliable(
            f"numerically unreliable here: {what}: {len(crowded)} kinks meet at this point "
            f"({'; '.join(k.describe() for k in crowded)}); their conventions compose, so "
            f"one-sided differences cannot judge analytic {analytic:.6g} ({listed})"
        )
    return KinkVerdict(False, closest, f"{what}: {where}; analytic {analytic:.6g} matches "
                                       f"none of the one-sided differences there ({listed})")


Attempt = Estimate | NumericallyUnreliable
"""A numerical estimate, or the reason differences could not give one."""


def attempt(estimate: Callable[[], Estimate]) -> Attempt:
    """estimate(), or the NumericallyUnreliable it raised (judged later, beside the kinks)."""
    try:
        return estimate()
    except NumericallyUnreliable as err:
        return err


def near(kinks: Sequence[Kink], i: int, method: str, x: float) -> list[Kink]:
    """The kinked nodes that differences of input i (= x) by method may reach."""
    radius = stencil_radius(method, x)
    return [k for k in kinks if k.near(i, radius)]


class Judged(NamedTuple):
    """One compared derivative: its row, the estimate it used, a problem and a note."""

    row: Row
    estimate: Estimate
    problem: str | None
    note: str | None
    one_sided: bool = False


def judge(
    analytic: float,
    estimate: Attempt,
    kinks: Sequence[Kink],
    method: str,
    differentiated: tuple[RealFunction, str, Sequence[float], int],
    name: str,
    value: str,
    atol: float,
    rtol: float,
) -> Judged:
    """Compare one analytic derivative with its numerical estimate, minding kinks.

    differentiated is (g, its name, point, i): the derivative is d g / d input i at point;
    kinks are the graph's kinked nodes and method the one that made the estimate (how far
    it looked decides which kinks are near). Where a node is at its kink, or near one and
    the estimate is unreliable or disagrees, one-sided differences of g decide instead
    (judge_near_kinks). An unreliable estimate with no kink near raises its
    NumericallyUnreliable.
    """
    g, label, point, i = differentiated
    kinks_near = near(kinks, i, method, point[i])
    agrees = isinstance(estimate, Estimate) and close(analytic, estimate.value, atol, rtol)
    # At a kink the estimate means nothing even when it agrees: the complex step takes the
    # branch of the complex forward, which may share the rule's convention at the kink.
    if kinks_near and (not agrees or any(k.at_kink for k in kinks_near)):
        verdict = judge_near_kinks(analytic, g, label, point, i, kinks_near, atol, rtol, name,
                                   kinks)
        row = Row(name, value, analytic, verdict.estimate.value, verdict.ok)
        if verdict.ok:
            return Judged(row, verdict.estimate, None, verdict.text, True)
        return Judged(row, verdict.estimate, verdict.text, None, True)
    if isinstance(estimate, NumericallyUnreliable):
        raise estimate
    return Judged(Row(name, value, analytic, estimate.value, agrees), estimate, None, None)
