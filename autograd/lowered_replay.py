"""Running a lowered plan (autograd.lowering) on an array backend: numpy here, torch in
autograd.torch_replay; both give the backend the same few operations.

The lowered replay is the fast path. Whenever it meets something that only the unlowered
replay handles exactly (a non-finite value anywhere, an op or rule that raises on arrays),
it raises Fallback and the caller replays unlowered, which gives the numeric policy's own
values and errors.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from autograd.backprop import chain_rule
from autograd.lowering import Dense, Generic, LoweredPlan, Rows, Sum
from autograd.ops import evaluate_arrays

EVALUATION_ERRORS = (ArithmeticError, ValueError, TypeError)
REORDERING_LIMIT = 2.0 ** 1000


@dataclass(frozen=True)
class Batch:
    """Batched inputs checked: values[k] is one number for all points, or an array (the
    inputs listed in `arrays`)."""

    values: list
    shape: tuple
    size: int
    arrays: tuple[int, ...]


class Fallback(Exception):
    """The lowered replay met a value or an op that only the unlowered replay handles."""



def even_slice(rows: Sequence[int]) -> slice | None:
    """rows as a slice when they step evenly upwards (slice(0, 0) for none), else None."""
    if not rows:
        return slice(0, 0)
    step = rows[1] - rows[0] if len(rows) > 1 else 1
    if step >= 1 and all(b - a == step for a, b in zip(rows, rows[1:], strict=False)):
        return slice(rows[0], rows[-1] + 1, step)
    return None


class NumpyArrays:
    """The numpy array backend: rows x points float64 arrays."""

    key = "numpy"

    def __init__(self) -> None:
        import numpy

        self.np = numpy

    def flat(self, array: Any, shape: tuple, size: int) -> Any:
        """A batched input as one row of `size` points."""
        if array.shape == shape:
            return array.reshape(size)
        return self.np.broadcast_to(array, shape).reshape(size)

    def index(self, rows: Sequence[int], as_slice: bool = True) -> Any:
        """rows as a slice when they step evenly upwards (reading it is a view), else an array."""
        even = even_slice(rows) if as_slice or not rows else None
        return even if even is not None else self.np.array(rows, dtype=self.np.intp)

    def scatter_plan(self, rows: Sequence[int]) -> Any:
        """None if rows has no repeats; else (unique rows, 0/1 matrix summing each one's
        contributions), or True for long lists (np.add.at then sums the repeats)."""
        unique = sorted(set(rows))
        if len(unique) == len(rows):
            return None
        if len(rows) > 256:
            return True
        np = self.np
        merge = np.zeros((len(unique), len(rows)))
        where = {row: k for k, row in enumerate(unique)}
        for k, row in enumerate(rows):
            merge[where[row], k] = 1.0
        return np.array(unique, dtype=np.intp), merge

    def scatter_add(self, target: Any, index: Any, plan: Any, contribution: Any) -> None:
        if plan is None:
            target[index] += contribution
        elif plan is True:
            self.np.add.at(target, index, contribution)
        else:
            unique, merge = plan
            target[unique] += merge @ contribution

    def empty(self, rows: int, columns: int) -> Any:
        return self.np.empty((rows, columns))

    def zeros(self, rows: int, columns: int) -> Any:
        return self.np.zeros((rows, columns))

    def column(self, values: Sequence[float]) -> Any:
        return self.np.array(values, dtype=self.np.float64).reshape(-1, 1)

    def fill_zero(self, a: Any) -> None:
        a.fill(0.0)

    def chain_sums(self, terms: Any, count: int) -> Any:
        """terms holds `count` chains of equal length, one after the other: each one's sum,
        its terms added in order, as the chain adds them."""
        if terms.shape[1] == 1:  # numpy sums a contiguous run pairwise; cumsum goes in order
            return self.np.cumsum(terms.reshape(count, -1), axis=1)[:, -1:]
        return terms.reshape(count, -1, terms.shape[1]).sum(axis=1)

    def repeat_rows(self, a: Any, times: int) -> Any:
        return self.np.repeat(a, times, axis=0)

    def add_by_owner(self, target: Any, owner: Any, terms: Any) -> None:
        self.np.add.at(target, owner, terms)

    def sum_columns(self, a: Any) -> Any:
        return a.sum(axis=1, keepdims=True)

    def magnitude(self, a: Any) -> float:
        """The largest absolute entry (nan if there is a nan), 0.0 for no entries."""
        if a.size == 0:
            return 0.0
        return float(self.np.maximum(a.max(), -a.min()))

    def matmul(self, a: Any, b: Any, out: Any) -> None:
        if b.shape[1] == out.shape[1]:
            self.np.matmul(a, b, out=out)
        else:
            out[...] = a @ b

    def quiet(self) -> Any:
        return self.np.errstate(all="ignore")

    def evaluate(self, op: Any, *inputs: Any) -> Any:
        return evaluate_arrays(self.np, op, *inputs)

    def rule(self, op: Any, a: Any, b: Any, out: Any, upstream: Any) -> tuple:
        _, _, to_a, to_b = chain_rule(op.rule, a, b, out, upstream)
        return to_a, to_b


def read(backend: Any, rows: Rows, wide: Any, narrow: Any, size: int) -> Any:
    """The values of rows: k x points, or k x 1 when all of them are narrow."""
    if rows.narrow is None:
        return wide[rows.wide]
    if rows.wide is None:
        return narrow[rows.narrow]
    values = backend.empty(rows.count, size)
    values[rows.wide_slots] = wide[rows.wide]
    values[rows.narrow_slots] = narrow[rows.narrow]
    return values


def accumulate(backend: Any, rows: Rows, grad_wide: Any, grad_narrow: Any, contribution: Any,
               reduced: bool) -> None:
    """Add contribution (k x points) into the gradients of rows; with `reduced` the narrow
    rows hold the sum over the batch."""
    if rows.narrow is None:
        backend.scatter_add(grad_wide, rows.wide, rows.wide_scatter, contribution)
        return
    part = contribution
    if rows.wide is not None:
        backend.scatter_add(grad_wide, rows.wide, rows.wide_scatter,
                            contribution[rows.wide_slots])
        part = contribution[rows.narrow_slots]
    if reduced and part.shape[1] != 1:
        part = backend.sum_columns(part)
    backend.scatter_add(grad_narrow, rows.narrow, rows.narrow_scatter, part)


class Run:
    """One lowered replay: the two stores of values and, after backward, of gradients."""

    def __init__(self, plan: LoweredPlan, backend: Any, narrow_values: Sequence[float],
                 wide_arrays: Sequence[Any], size: int):
        self.plan = plan
        self.backend = backend
        self.size = size
        try:
            spare_size, *stores = plan.spare.pop()
        except IndexError:
            spare_size = None
        constants = len(plan.constant_values)
        if spare_size == size:  # the spare stores still hold the constants
            self.narrow, self.wide, self.grad_wide, self.grad_narrow = stores
        else:
            self.narrow = backend.empty(plan.narrow_count, 1)
            self.wide = backend.empty(plan.wide_count, size)
            self.grad_wide = self.grad_narrow = None
            if constants:
                self.narrow[:constants] = backend.column(plan.constant_values)
        if plan.narrow_inputs:
            self.narrow[constants:constants + len(plan.narrow_inputs)] = backend.column(
                narrow_values)
        for r, array in enumerate(wide_arrays):
            self.wide[r] = array
        self.saved: list = []
        self.reduced = False
        self.largest = math.inf

    def release(self) -> None:
        """Hand the stores to the plan's next run (copy out what is kept of them first)."""
        self.saved = []
        self.plan.spare[:] = [(self.size, self.narrow, self.wide, self.grad_wide,
                               self.grad_narrow)]

    def forward(self) -> Any:
        """Every step's values; raises Fallback if a value is not finite or too large."""
        backend = self.backend
        with backend.quiet():
            for step in self.plan.steps:
                if type(step) is Dense:
                    self.saved.append(self._dense_forward(step))
                elif type(step) is Sum:
                    self.saved.append(self._sum_forward(step))
                else:
                    self.saved.append(self._generic_forward(step))
            self.largest = max(backend.magnitude(self.wide), backend.magnitude(self.narrow))
        self._check_reordering(self.largest * self.largest, "values")
        return self.wide[self.plan.output_row]

    def backward(self, reduced: bool) -> None:
        """Every row's gradient of the output; raises Fallback if one is not finite or too
        large."""
        backend, plan = self.backend, self.plan
        self.reduced = reduced
        width = 1 if reduced else self.size
        if self.grad_wide is None:
            self.grad_wide = backend.zeros(plan.wide_count, self.size)
        else:
            backend.fill_zero(self.grad_wide)
        if self.grad_narrow is None or self.grad_narrow.shape[1] != width:
            self.grad_narrow = backend.zeros(plan.narrow_count, width)
        else:
            backend.fill_zero(self.grad_narrow)
        self.grad_wide[plan.output_row] = 1.0
        with backend.quiet():
            for step, saved in zip(reversed(plan.steps), reversed(self.saved), strict=True):
                if type(step) is Dense:
                    self._dense_backward(step, saved)
                elif type(step) is Sum:
                    self._sum_backward(step, saved)
                else:
                    self._generic_backward(step, saved)
            largest = max(backend.magnitude(self.grad_wide),
                          backend.magnitude(self.grad_narrow))
        self._check_reordering(largest * max(self.largest, 1.0), "gradients")

    def _check_reordering(self, largest_product: float, what: str) -> None:
        """Fallback unless every value is finite and no sum of products of them can come near
        overflow in any order: matrix products add in another order than the chains, so only
        then do they raise, or not, exactly where the chains do."""
        bound = self.plan.term_bound * max(largest_product, 1.0)
        if not bound < REORDERING_LIMIT:  # also when it is nan
            raise Fallback(f"{what} too large (or not finite) to reorder sums safely")

    def _read(self, rows: Rows) -> Any:
        if rows.narrow is None:  # the common case, spelled out: reading wide rows
            return self.wide[rows.wide]
        return read(self.backend, rows, self.wide, self.narrow, self.size)

    def _add(self, rows: Rows, contribution: Any) -> None:
        if rows.narrow is None and rows.wide_scatter is None:  # the common case again
            self.grad_wide[rows.wide] += contribution
            return
        accumulate(self.backend, rows, self.grad_wide, self.grad_narrow, contribution,
                   self.reduced)

    def _generic_forward(self, step: Generic) -> list:
        inputs = [self._read(rows) for rows in step.slots]
        try:
            out = self.backend.evaluate(step.op, *inputs)
        except EVALUATION_ERRORS as err:
            raise Fallback(str(err)) from None
        (self.wide if step.wide else self.narrow)[step.out] = out
        return inputs

    def _generic_backward(self, step: Generic, inputs: list) -> None:
        if not any(rows.needs_grad for rows in step.slots):
            return
        upstream = (self.grad_wide if step.wide else self.grad_narrow)[step.out]
        out = (self.wide if step.wide else self.narrow)[step.out]
        second = inputs[1] if len(inputs) == 2 else None
        try:
            contributions = self.backend.rule(step.op, inputs[0], second, out, upstream)
        except EVALUATION_ERRORS as err:
            raise Fallback(str(err)) from None
        for rows, contribution in zip(step.slots, contributions, strict=False):
            if rows.needs_grad:
                self._add(rows, contribution)

    def _sum_forward(self, step: Sum) -> tuple:
        left = right = products = None
        if step.left is not None:
            left, right = self._read(step.left), self._read(step.right)
            products = left * right
        count = len(step.positions)
        if step.plain_slots is None and step.product_slots is None:
            terms = products if step.plain is None else self._read(step.plain)
        else:
            terms = self.backend.empty(count * step.chain_length, self.size if step.wide else 1)
            if step.plain is not None:
                terms[step.plain_slots] = self._read(step.plain)
            if products is not None:
                terms[step.product_slots] = products
            if step.padding is not None:
                terms[step.padding] = -0.0
        out = self.backend.chain_sums(terms, count)
        (self.wide if step.wide else self.narrow)[step.out] = out
        return left, right

    def _sum_backward(self, step: Sum, saved: tuple) -> None:
        left, right = saved
        upstream = (self.grad_wide if step.wide else self.grad_narrow)[step.out]
        per_term = self.backend.repeat_rows(upstream, step.chain_length)
        if step.plain is not None and step.plain.needs_grad:
            self._add(step.plain,
                      per_term if step.plain_slots is None else per_term[step.plain_slots])
        if left is not None:
            g = per_term if step.product_slots is None else per_term[step.product_slots]
            if step.left.needs_grad:
                self._add(step.left, g * right)
            if step.right.needs_grad:
                self._add(step.right, g * left)

    def _dense_forward(self, step: Dense) -> tuple:
        x = self._read(step.x)
        w = self.narrow[step.weights.narrow].reshape(step.shape)
        target = self.wide[step.out]
        self.backend.matmul(w, x, target)
        if step.bias is not None:
            if step.bias_owner is None:
                target += self._read(step.bias)
            else:
                self.backend.add_by_owner(target, step.bias_owner, self._read(step.bias))
        return x, w

    def _dense_backward(self, step: Dense, saved: tuple) -> None:
        x, w = saved
        g = self.grad_wide[step.out]
        if step.x.needs_grad:
            if step.x_only_here:  # their gradient rows are still zero: write in place
                self.backend.matmul(w.T, g, self.grad_wide[step.x.wide])
            else:
                self._add(step.x, w.T @ g)
        if step.weights.needs_grad:
            rows, columns = step.shape
            if self.reduced:
                if x.shape[1] == 1:
                    dw = self.backend.sum_columns(g) @ x.T
                else:
                    dw = g @ x.T
                contribution = dw.reshape(rows * columns, 1)
            else:
                contribution = (g[:, None, :] * x[None, :, :]).reshape(rows * columns, self.size)
            self._add(step.weights, contribution)
        if step.bias is not None and step.bias.needs_grad:
            self._add(step.bias, g if step.bias_owner is None else g[step.bias_owner])
