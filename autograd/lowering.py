"""Lowering a tape for batched replay: each layer's dot products become one matrix product,
add chains one segmented sum, and what is the same for every point is kept one column wide.

A tape records `b + w_0*x_0 + w_1*x_1 + ...` as a chain of adds over products. Here every
maximal chain of adds whose inner nodes are used only by the chain becomes one *sum* with
its terms in the chain's order; a term that is a product used only by the sum is folded into
it. The sums of one depth whose products each pair a scalar leaf (a weight: a constant or an
input given as one number) with an x, and that share the same xs, form one *dense* step:
`W @ X + bias`, forward and backward. Other sums at one depth form one sum step (their
products computed elementwise, then one segmented sum); every other node replays in groups of
one op at one depth, as unlowered replay does.

The plan depends on which inputs are scalars, so it is built per pattern of scalar inputs:
scalar inputs, constants and every node computed only from them are *narrow* (one column,
shared by all points), the rest *wide* (one column per point). Index sets are made by the
array backend the plan is for (numpy or torch), so the same plan runs on either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from autograd.ops import BY_NAME, Op

ADD = BY_NAME["add"]
MUL = BY_NAME["mul"]


@dataclass(frozen=True)
class Rows:
    """Where the values of a list of tape positions live: wide rows, narrow rows or both.

    For a mixed list, `wide_slots` and `narrow_slots` say where each kind sits in the list.
    """

    count: int
    wide: Any
    narrow: Any
    wide_slots: Any
    narrow_slots: Any
    wide_scatter: Any
    narrow_scatter: Any
    needs_grad: bool


@dataclass(frozen=True)
class Generic:
    """Tape entries of one op at one depth, replayed as one array operation."""

    op: Op
    positions: tuple[int, ...]
    wide: bool
    out: Any
    slots: tuple[Rows, ...]


@dataclass(frozen=True)
class Sum:
    """Add chains of one depth: plain terms and folded products, then one sum.

    Chain k's terms take slots k * chain_length, k * chain_length + 1, ... in chain order;
    a shorter chain's spare slots (`padding`) hold -0.0, which adds nothing to any number.
    """

    positions: tuple[int, ...]
    wide: bool
    out: Any
    chain_length: int
    plain: Rows | None
    plain_slots: Any
    left: Rows | None
    right: Rows | None
    product_slots: Any
    padding: Any


@dataclass(frozen=True)
class Dense:
    """Sums sharing their xs, with scalar weights: `W @ X` plus the other terms (biases).

    x_only_here: the xs are wide rows in one range and used by nothing else, so backward
    writes their gradient `W.T @ G` straight into place.
    """

    positions: tuple[int, ...]
    out: Any
    x: Rows
    weights: Rows
    shape: tuple[int, int]
    bias: Rows | None
    bias_owner: Any
    x_only_here: bool = False


@dataclass(frozen=True)
class LoweredPlan:
    """Steps over two stores: `wide` (rows x points) and `narrow` (rows x 1).

    Narrow rows start with the constants, then the scalar inputs in input order; wide rows
    start with the array inputs in input order. `narrow_input_index` picks the scalar
    inputs out of all inputs (a slice when they are consecutive), `wide_input_index` the
    array inputs. No sum (of values or of gradients) has more than `term_bound` terms.
    `spare` keeps the stores of the last run for the next one (allocating
    megabytes afresh on every replay costs as much as the replay).
    """

    wide_count: int
    narrow_count: int
    constant_values: tuple[float, ...]
    narrow_inputs: tuple[int, ...]
    wide_inputs: tuple[int, ...]
    narrow_input_index: Any
    wide_input_index: Any
    input_rows: tuple[tuple[bool, int] | None, ...]
    output_row: int
    steps: tuple[Generic | Sum | Dense, ...]
    term_bound: int
    spare: list = field(default_factory=list, compare=False, repr=False)

    def summary(self) -> dict[str, int]:
        """How many steps of each kind: {'dense': 3, 'sum': 1, 'op': 4}."""
        counts = {"dense": 0, "sum": 0, "op": 0}
        for step in self.steps:
            kind = "dense" if isinstance(step, Dense) else "sum" if isinstance(step, Sum) else "op"
            counts[kind] += 1
        return counts


def lower(tape: Any, scalar_inputs: Sequence[bool], backend: Any,
          fuse: bool = True) -> LoweredPlan | None:
    """The lowered plan of a tape for this pattern of scalar inputs (fuse=False: no sums or
    dense steps, only groups), or None when the output is the same for every point."""
    ops, parents = tape.ops, tape.parents
    n = len(ops)
    narrow = [False] * n
    depends = [False] * n
    for i, _ in tape.constants:
        narrow[i] = True
    for k, i in enumerate(tape.input_positions):
        if i is not None:
            narrow[i] = bool(scalar_inputs[k])
            depends[i] = True
    consumers = [0] * n
    consumer = [-1] * n
    for i, op in enumerate(ops):
        if op is None:
            continue
        narrow[i] = all(narrow[p] for p in parents[i])
        depends[i] = any(depends[p] for p in parents[i])
        for p in parents[i]:
            consumers[p] += 1
            consumer[p] = i
    output = n - 1
    if narrow[output]:
        return None
    consumers[output] += 1
    sums = _sums(ops, parents, consumers, consumer, narrow) if fuse else {}
    absorbed = set()
    for terms in sums.values():
        for term in terms:
            if isinstance(term, tuple):
                absorbed.add(term[2])
    for root in sums:
        _mark_chain(root, ops, parents, consumers, consumer, absorbed)
    dense = _dense_roots(sums, ops, narrow)

    lowered_parents: dict[int, list[int]] = {}
    keys: dict[int, tuple] = {}
    for i, op in enumerate(ops):
        if op is None or i in absorbed:
            continue
        if i in dense:
            xs, weights, plain = dense[i]
            lowered_parents[i] = [*xs, *weights, *plain]
            keys[i] = ("dense", tuple(xs))
        elif i in sums:
            lowered_parents[i] = [p for term in sums[i] for p in (
                term[:2] if isinstance(term, tuple) else (term,))]
            keys[i] = ("sum", narrow[i])
        else:
            lowered_parents[i] = list(parents[i])
            keys[i] = ("op", id(op), narrow[i])
    depth = [0] * n
    buckets: dict[tuple, list[int]] = {}
    for i, lowered in lowered_parents.items():
        depth[i] = 1 + max(depth[p] for p in lowered)
        buckets.setdefault((depth[i], *keys[i]), []).append(i)
    ordered = sorted(buckets.values(), key=lambda positions: (depth[positions[0]], positions[0]))

    row = [-1] * n
    constants = [i for i, _ in tape.constants]
    narrow_inputs = [k for k, i in enumerate(tape.input_positions)
                     if i is not None and narrow[i]]
    wide_inputs = [k for k, i in enumerate(tape.input_positions)
                   if i is not None and not narrow[i]]
    narrow_count = 0
    for i in constants + [tape.input_positions[k] for k in narrow_inputs]:
        row[i], narrow_count = narrow_count, narrow_count + 1
    wide_count = 0
    for k in wide_inputs:
        row[tape.input_positions[k]], wide_count = wide_count, wide_count + 1
    uses = [0] * n
    for lowered in lowered_parents.values():
        for p in lowered:
            uses[p] += 1
    layout = _Layout(backend, narrow, depends, row)
    steps = []
    for positions in ordered:
        first = positions[0]
        is_wide = first in dense or not narrow[first]
        start = wide_count if is_wide else narrow_count
        for r, i in enumerate(positions, start=start):
            row[i] = r
        stop = start + len(positions)
        if is_wide:
            wide_count = stop
        else:
            narrow_count = stop
        out = slice(start, stop)
        if first in dense:
            step = layout.dense_step(positions, out, [dense[i] for i in positions])
            xs = dense[first][0]
            if (all(uses[p] == len(positions) and p != output for p in xs)
                    and step.x.narrow is None
                    and type(step.x.wide) is slice):
                step = replace(step, x_only_here=True)
            steps.append(step)
        elif first in sums:
            steps.append(layout.sum_step(positions, is_wide, out, [sums[i] for i in positions]))
        else:
            slots = tuple(layout.rows([parents[i][s] for i in positions])
                          for s in range(len(parents[first])))
            steps.append(Generic(ops[first], tuple(positions), is_wide, out, slots))
    input_rows = tuple(None if i is None else (narrow[i], row[i]) for i in tape.input_positions)
    return LoweredPlan(wide_count, narrow_count, tuple(v for _, v in tape.constants),
                       tuple(narrow_inputs), tuple(wide_inputs),
                       backend.index(narrow_inputs), backend.index(wide_inputs),
                       input_rows, row[output],
                       tuple(steps), max(n, 2))


def _sums(ops: tuple, parents: tuple, consumers: list, consumer: list,
          narrow: list) -> dict[int, list]:
    """Each add chain worth lowering: root -> terms in chain order; a folded product term is
    (left, right, its position). A product that is the same for every point stays a node."""
    inner = [_inner_add(i, ops, parents, consumers, consumer) for i in range(len(ops))]
    sums = {}
    for root, op in enumerate(ops):
        if op is not ADD or inner[root]:
            continue
        terms: list = []
        stack = [root]
        while stack:  # the chain's leaves, left to right
            node = stack.pop()
            if node == root or inner[node]:
                first, second = parents[node]
                stack.append(second)
                stack.append(first)
            elif ops[node] is MUL and consumers[node] == 1 and not narrow[node]:
                terms.append((*parents[node], node))
            else:
                terms.append(node)
        if len(terms) >= 3 or any(isinstance(t, tuple) for t in terms):
            sums[root] = terms
    return sums


def _inner_add(i: int, ops: tuple, parents: tuple, consumers: list, consumer: list) -> bool:
    """Is node i an add used only as the left operand of another add? Then the two are one
    left-to-right chain, summed in the same order (the output is used by the caller)."""
    return (ops[i] is ADD and consumers[i] == 1 and consumer[i] >= 0
            and ops[consumer[i]] is ADD and parents[consumer[i]][0] == i)


def _mark_chain(root: int, ops: tuple, parents: tuple, consumers: list, consumer: list,
                absorbed: set) -> None:
    """Add the inner adds of root's chain to `absorbed`."""
    stack = list(parents[root])
    while stack:
        node = stack.pop()
        if _inner_add(node, ops, parents, consumers, consumer):
            absorbed.add(node)
            stack.extend(parents[node])


def _dense_roots(sums: dict, ops: tuple, narrow: list) -> dict[int, tuple]:
    """Wide sums all of whose products pair a scalar leaf (the weight) with a distinct x:
    root -> (xs sorted, weights in the same order, other terms)."""
    uses: dict[int, int] = {}
    for terms in sums.values():
        for term in terms:
            if isinstance(term, tuple):
                for p in term[:2]:
                    uses[p] = uses.get(p, 0) + 1
    dense = {}
    for root, terms in sums.items():
        if narrow[root]:
            continue
        pairs, plain = {}, []
        for term in terms:
            if not isinstance(term, tuple):
                plain.append(term)
                continue
            a, b = term[:2]
            a_weight = ops[a] is None and narrow[a]
            b_weight = ops[b] is None and narrow[b]
            if a_weight and (not b_weight or uses[a] <= uses[b]):
                weight, x = a, b
            elif b_weight:
                weight, x = b, a
            else:
                break
            if x in pairs:
                break
            pairs[x] = weight
        else:
            if pairs:
                xs = sorted(pairs)
                dense[root] = (xs, [pairs[x] for x in xs], plain)
    return dense


class _Layout:
    """Turns lists of tape positions into Rows and steps, with the backend's index sets."""

    def __init__(self, backend: Any, narrow: list, depends: list, row: list):
        self.backend = backend
        self.narrow = narrow
        self.depends = depends
        self.row = row

    def rows(self, positions: Sequence[int]) -> Rows:
        backend, narrow, row = self.backend, self.narrow, self.row
        wide_slots = [s for s, p in enumerate(positions) if not narrow[p]]
        narrow_slots = [s for s, p in enumerate(positions) if narrow[p]]
        wide_rows = [row[positions[s]] for s in wide_slots]
        narrow_rows = [row[positions[s]] for s in narrow_slots]
        mixed = bool(wide_slots) and bool(narrow_slots)
        needs_grad = any(self.depends[p] for p in positions)
        return Rows(
            count=len(positions),
            wide=backend.index(wide_rows) if wide_rows else None,
            narrow=backend.index(narrow_rows) if narrow_rows else None,
            wide_slots=backend.index(wide_slots) if mixed else None,
            narrow_slots=backend.index(narrow_slots) if mixed else None,
            wide_scatter=backend.scatter_plan(wide_rows) if needs_grad and wide_rows else None,
            narrow_scatter=(backend.scatter_plan(narrow_rows) if needs_grad and narrow_rows
                            else None),
            needs_grad=needs_grad,
        )

    def sum_step(self, positions: list[int], wide: bool, out: slice, chains: list) -> Sum:
        plain, plain_slots, lefts, rights, product_slots, padding = [], [], [], [], [], []
        length = max(len(terms) for terms in chains)
        for k, terms in enumerate(chains):
            for t, term in enumerate(terms):
                if isinstance(term, tuple):
                    lefts.append(term[0])
                    rights.append(term[1])
                    product_slots.append(k * length + t)
                else:
                    plain.append(term)
                    plain_slots.append(k * length + t)
            padding.extend(range(k * length + len(terms), (k + 1) * length))
        index = self.backend.index
        only = not padding and not (plain and lefts)  # one kind of term fills every slot
        return Sum(
            positions=tuple(positions), wide=wide, out=out, chain_length=length,
            plain=self.rows(plain) if plain else None,
            plain_slots=None if only or not plain else index(plain_slots),
            left=self.rows(lefts) if lefts else None,
            right=self.rows(rights) if lefts else None,
            product_slots=None if only or not lefts else index(product_slots),
            padding=index(padding) if padding else None,
        )

    def dense_step(self, positions: list[int], out: slice, layers: list) -> Dense:
        xs = layers[0][0]
        weights = [w for _, ws, _ in layers for w in ws]
        bias = [p for _, _, plain in layers for p in plain]
        one_each = all(len(plain) == 1 for _, _, plain in layers)
        owner = [k for k, (_, _, plain) in enumerate(layers) for _ in plain]
        index = self.backend.index
        return Dense(
            positions=tuple(positions), out=out, x=self.rows(xs), weights=self.rows(weights),
            shape=(len(positions), len(xs)), bias=self.rows(bias) if bias else None,
            bias_owner=None if one_each or not bias else index(owner, as_slice=False),
        )
