"""Trace once, replay many times: a recorded graph as flat arrays of ops and parent indices.

Replay is only valid while the graph's structure does not depend on the data (no Python
`if` on `.data`); `trace(f, check=True)` re-traces every call and raises
TraceMismatchError when the structure changes.

Batched replay lowers the tape first (autograd.lowering): each layer's dot products become
one matrix product and add chains one sum, so a 2-16-16-1 MLP's ~1,000-entry tape replays
in 3 matrix products and a few array operations each way (autograd.lowered_replay), on
numpy or, with backend="torch", on torch tensors (autograd.torch_replay). Unlowered
replay (lower=False, and whatever the lowered replay hands back) keeps every node's values
for the whole batch as one row of a 2-D array and runs all entries of the same op at the
same depth as one array operation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd.arithmetic import is_real_number
from autograd.backprop import chain_rule
from autograd.errors import DomainError, domain_error_for
from autograd.grad_mode import enable_grad
from autograd.graph import topological_order
from autograd.lowered_replay import Batch, Fallback, NumpyArrays, Run, even_slice
from autograd.lowering import lower as lower_tape
from autograd.ops import Op, evaluate_arrays
from autograd.ops.op import forward_by_policy
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
    _batch_plan: Any = field(default=None, compare=False, repr=False)
    _scalar_steps: Any = field(default=None, compare=False, repr=False)
    _counts: dict = field(default_factory=dict, compare=False, repr=False)
    _lowered_plans: dict = field(default_factory=dict, compare=False, repr=False)
    _not_floats: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def record(cls, f: Callable[..., Any], *args: Any) -> Tape:
        """Run f once on fresh leaves made from args and record the graph it builds."""
        leaves = [Value(arg, f"x{i}") for i, arg in enumerate(args)]
        with enable_grad():  # a trace records even inside no_grad()
            out = f(*leaves)
        if not isinstance(out, Value):
            raise TypeError(f"a traced function must return a Value, got {type(out).__name__}")
        return cls.of(out, leaves)

    @classmethod
    def of(cls, output: Value, inputs: Sequence[Value]) -> Tape:
        """Record a graph already built: `inputs` are leaves of it; other leaves are constants."""
        if not isinstance(output, Value):
            raise TypeError(f"Tape.of needs a Value as output, got {type(output).__name__}")
        input_ids = set()
        for k, leaf in enumerate(inputs):
            if not isinstance(leaf, Value) or leaf._record is not None:
                what = (f"{leaf!r} (a {leaf.op} result)" if isinstance(leaf, Value)
                        else type(leaf).__name__)
                raise ValueError(f"input {k} of a tape must be a leaf Value, got {what}")
            if id(leaf) in input_ids:
                raise ValueError(f"input {k} of a tape is given twice: {leaf!r}")
            input_ids.add(id(leaf))
        order = topological_order(output)
        position = {id(node): i for i, node in enumerate(order)}
        return cls(
            ops=tuple(node._record for node in order),
            parents=tuple(tuple(position[id(p)] for p in node.parents) for node in order),
            labels=tuple(node.label for node in order),
            input_positions=tuple(position.get(id(leaf)) for leaf in inputs),
            constants=tuple(
                (i, node.data)
                for i, node in enumerate(order)
                if node._record is None and id(node) not in input_ids
            ),
        )

    def __len__(self) -> int:
        return len(self.ops)

    @property
    def structure(self) -> tuple:
        """Everything replay depends on: ops, wiring, inputs and constant values."""
        kinds = tuple(
            None if op is None else (op.name, id(op.row or op), op.bound) for op in self.ops
        )
        constants = tuple((i, value.hex()) for i, value in self.constants)  # nan equals nan
        return kinds, self.parents, self.input_positions, constants

    def _check_input_count(self, args: Sequence[Any]) -> None:
        if len(args) != len(self.input_positions):
            raise TypeError(
                f"the tape takes {len(self.input_positions)} input(s), got {len(args)}"
            )

    def _scalar_inputs(self, args: Sequence[Any]) -> list[float]:
        """The inputs as floats, refusing what tracing refuses (str, bytes, bool, None, ...)."""
        self._check_input_count(args)
        floats = []
        for k, arg in enumerate(args):
            if not is_real_number(arg):
                raise TypeError(
                    f"replay input {k} must be a real number, got {type(arg).__name__} {arg!r}"
                )
            floats.append(float(arg))
        return floats

    def _batch_input(self, np: Any, k: int, arg: Any) -> Any:
        """One batched input as a float array, refusing text, bools and objects by position."""
        if isinstance(arg, (str, bytes)) or arg is None or isinstance(arg, bool):
            raise TypeError(f"batched input {k} must be numbers or an array of numbers, "
                            f"got {type(arg).__name__} {arg!r}")
        array = np.asarray(arg)
        if array.dtype.kind not in "fiu":
            raise TypeError(f"batched input {k} must hold real numbers, got an array of "
                            f"dtype {array.dtype}")
        return array.astype(np.float64, copy=False)

    def _start(self, args: Sequence[float]) -> list:
        values = [0.0] * len(self.ops)
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

    def _steps(self) -> tuple:
        steps = self._scalar_steps
        if steps is None:  # (position, forward, rule, first parent, second parent or -1)
            steps = tuple(
                (i, op.forward, op.rule, parents[0], parents[1] if len(parents) == 2 else -1)
                for i, (op, parents) in enumerate(zip(self.ops, self.parents, strict=True))
                if op is not None
            )
            object.__setattr__(self, "_scalar_steps", steps)
        return steps

    def forward(self, *args: float) -> list[float]:
        """Every node's value for new inputs (plain floats, no Value objects)."""
        values = self._start(self._scalar_inputs(args))
        ops = self.ops
        i = 0
        try:
            for i, forward, _, a, b in self._steps():
                try:
                    out = forward(values[a]) if b < 0 else forward(values[a], values[b])
                except (ArithmeticError, ValueError):
                    out = None
                if out is None or not -math.inf < out < math.inf:  # the numeric policy decides
                    inputs = (values[a],) if b < 0 else (values[a], values[b])
                    out = forward_by_policy(ops[i], *inputs)
                values[i] = out
        except (ArithmeticError, ValueError) as err:
            raise self._error(i, err, [values[j] for j in self.parents[i]]) from None
        return values

    def value_and_grad(self, *args: float) -> tuple[float, tuple[float, ...]]:
        """Output value and its gradient with respect to every input, by replay."""
        values = self.forward(*args)
        grads = [0.0] * len(values)
        grads[-1] = 1.0
        for i, _, rule, a, b in reversed(self._steps()):
            try:
                _, _, to_a, to_b = chain_rule(
                    rule, values[a], None if b < 0 else values[b], values[i], grads[i]
                )
            except (ArithmeticError, ValueError) as err:
                raise self._error(i, err, [values[j] for j in self.parents[i]]) from None
            grads[a] += to_a
            if b >= 0:
                grads[b] += to_b
        return values[-1], tuple(
            0.0 if i is None else grads[i] for i in self.input_positions
        )

    def batch_value_and_grad(
        self, *args: Any, reduce: str | None = None, lower: bool = True,
        backend: str = "numpy", device: Any = None,
    ) -> tuple[Any, tuple[Any, ...]]:
        """Replay on arrays (or scalars): the whole batch at once.

        Inputs broadcast against each other; the result and every gradient have the
        broadcast shape. With reduce="sum" or "mean" they are summed or averaged over the
        batch instead: (float, tuple of floats), as value_and_grad returns for one point.
        The tape is lowered first (each layer's dot products one matrix product, add chains
        one sum); lower=False replays it entry by entry in groups of equal ops instead.
        backend="numpy" needs numpy (the `fast` extra); backend="torch" replays on float64
        torch tensors on `device` (the `torch` extra) and returns tensors.
        """
        if reduce not in (None, "sum", "mean"):
            raise ValueError(f"reduce must be None, 'sum' or 'mean', got {reduce!r}")
        if backend == "torch":
            from autograd.torch_replay import torch_batch_value_and_grad

            return torch_batch_value_and_grad(self, args, reduce, lower, device)
        _check_numpy_backend(backend, device)
        import numpy as np

        if lower:
            batch = self._batch_args(np, args)
            if batch.size == 0:
                return self._empty_batch(np, batch.shape, reduce)
            results = self._replay_lowered(
                _numpy_arrays(), batch, reduce,
                lambda run, output: _lowered_results(np, run, output, batch.shape, reduce))
            if results is not None:
                return results
        return self._unlowered_value_and_grad(np, args, reduce)

    @property
    def replay_counts(self) -> dict[str, int]:
        """How many batched replays ran lowered, and how many fell back to unlowered replay."""
        return {"lowered": self._counts.get("lowered", 0),
                "fallback": self._counts.get("fallback", 0)}

    def lowered_plan(self, *args: Any, backend: str = "numpy", device: Any = None) -> Any:
        """The lowered plan batched replay would use for these inputs (None: not lowered)."""
        if backend == "torch":
            from autograd.torch_replay import torch_arrays

            arrays = torch_arrays(device)
        else:
            _check_numpy_backend(backend, device)
            arrays = _numpy_arrays()
        batch = self._batch_args(arrays.np, args)
        return self._plan_for(arrays, batch.arrays, True) if batch.size > 1 else None

    def _plan_for(self, arrays: Any, array_inputs: tuple[int, ...], fuse: bool) -> Any:
        key = (arrays.key, array_inputs, fuse)
        plans = self._lowered_plans
        if key not in plans:
            scalars = [True] * len(self.input_positions)
            for k in array_inputs:
                scalars[k] = False
            plans[key] = lower_tape(self, scalars, arrays, fuse=fuse)
        return plans[key]

    def _replay_lowered(self, arrays: Any, batch: Batch, reduce: str | None,
                        results: Callable[[Run, Any], Any], fuse: bool = True,
                        backward: bool = True) -> Any:
        """results(run, output) of a lowered replay of batch (backward too, unless told
        not), or None when it is not lowered (one point, an output the same for every
        point) or falls back (unlowered replay then answers); counts both in replay_counts."""
        run = self._lowered_run(arrays, batch, fuse)
        if run is None:
            return None
        try:
            output = run.forward()
            if backward:
                run.backward(reduced=reduce is not None)
        except Fallback:
            self._counts["fallback"] = self._counts.get("fallback", 0) + 1
            return None
        self._counts["lowered"] = self._counts.get("lowered", 0) + 1
        answer = results(run, output)
        run.release()
        return answer

    def _lowered_run(self, arrays: Any, batch: Batch, fuse: bool = True) -> Run | None:
        """A lowered replay ready to run, or None when the batch is one point for every input
        or the output does not vary over the batch (unlowered replay then does it)."""
        if batch.size < 2:
            return None
        plan = self._plan_for(arrays, batch.arrays, fuse)
        if plan is None:
            return None
        values = batch.values
        narrow = (values[plan.narrow_input_index] if type(plan.narrow_input_index) is slice
                  else [values[k] for k in plan.narrow_inputs])
        wide = [arrays.flat(values[k], batch.shape, batch.size) for k in plan.wide_inputs]
        return Run(plan, arrays, narrow, wide, batch.size)

    def _batch_args(self, np: Any, args: Sequence[Any]) -> Batch:
        """The inputs checked: a float for each one-number input, else a float64 array."""
        self._check_input_count(args)
        values = list(args)
        shapes = []
        arrays = []
        kinds = tuple(map(type, args))
        others = self._not_floats.get(kinds)  # the inputs that are not floats, as last time
        if others is None:
            others = [k for k, kind in enumerate(kinds) if kind is not float]
            if len(self._not_floats) < 64:
                self._not_floats[kinds] = others
        for k in others:
            arg = args[k]
            if type(arg) is int or isinstance(arg, float):
                values[k] = float(arg)
                continue
            array = self._batch_input(np, k, arg)
            shapes.append(array.shape)
            if array.size == 1:
                values[k] = float(array.reshape(-1)[0])
            else:
                values[k] = array
                arrays.append(k)
        shape = np.broadcast_shapes(*shapes) if shapes else ()
        return Batch(values, shape, math.prod(shape), tuple(arrays))

    def _unlowered_value_and_grad(self, np: Any, args: Sequence[Any],
                                  reduce: str | None) -> tuple[Any, tuple[Any, ...]]:
        """Batched replay entry by entry, in groups of one op at one depth."""
        plan = self._plan(np)
        shape, values = self._batch_values(np, plan, args)
        if values is None:
            return self._empty_batch(np, shape, reduce)
        saved = self._batch_forward(np, plan, values)
        size = values.shape[1]
        grads = np.zeros((len(self.ops), size))
        grads[plan.row_of[-1]] = 1.0
        # A group numpy flags (x / 0, 0 / 0, inf * 0, ...) is redone on floats, entry by
        # entry, so batched gradients raise or give nan exactly where scalar replay does.
        with np.errstate(divide="raise", over="ignore", invalid="raise"):
            for group, inputs in zip(reversed(plan.groups), reversed(saved), strict=True):
                if group.parents_to_update:
                    self._group_backward(np, group, inputs, values, grads)
        output = values[plan.row_of[-1]]
        if reduce is not None:
            scale = 1.0 / size if reduce == "mean" else 1.0
            totals = grads[plan.gradient_rows].sum(axis=1) * scale
            return float(output.sum() * scale), tuple(
                0.0 if row is None else float(totals[k])
                for k, row in enumerate(plan.input_rows)
            )
        return output.reshape(shape), tuple(
            np.zeros(shape) if row is None else grads[row].reshape(shape)
            for row in plan.input_rows
        )

    def batch_forward(self, *args: Any, lower: bool = True) -> Any:
        """The output for a whole batch (numpy arrays or numbers that broadcast), no gradient."""
        import numpy as np

        if lower:
            batch = self._batch_args(np, args)
            output = self._replay_lowered(
                _numpy_arrays(), batch, None,
                lambda run, output: output.reshape(batch.shape).copy(), backward=False)
            if output is not None:
                return output
        plan = self._plan(np)
        shape, values = self._batch_values(np, plan, args)
        if values is None:
            return np.zeros(shape)
        self._batch_forward(np, plan, values)
        return values[plan.row_of[-1]].reshape(shape)

    def _batch_values(self, np: Any, plan: _BatchPlan, args: Sequence[Any]) -> tuple:
        """(broadcast shape, rows x points array holding the inputs and constants), or
        (shape, None) for an empty batch."""
        self._check_input_count(args)
        plain, arrays = [], []
        for k, (row, arg) in enumerate(zip(plan.input_rows, args, strict=True)):
            if type(arg) is float or type(arg) is int:
                plain.append((row, arg))  # one assignment for all plain numbers below
            else:
                arrays.append((row, self._batch_input(np, k, arg)))
        shape = np.broadcast_shapes(*(a.shape for _, a in arrays)) if arrays else ()
        size = math.prod(shape)
        if size == 0:
            return shape, None
        values = np.empty((len(self.ops), size))
        values[plan.constant_rows] = plan.constant_values
        used = [(row, float(x)) for row, x in plain if row is not None]
        if used:
            values[[row for row, _ in used]] = [[x] for _, x in used]
        for row, array in arrays:
            if row is not None:
                values[row] = _numpy_arrays().flat(array, shape, size)
        return shape, values

    def _batch_forward(self, np: Any, plan: _BatchPlan, values: Any) -> list:
        """Fill every group's rows; return each group's inputs for the backward pass."""
        # Non-finite values can only come from non-finite inputs or constants (the numeric
        # policy makes finite inputs give finite results or raise): check entries one by one
        # only when there are some.
        leaf_count = plan.groups[0].start if plan.groups else len(values)
        edges = not np.isfinite(values[:leaf_count]).all()
        return [self._group_forward(np, group, values, edges) for group in plan.groups]

    def _empty_batch(self, np: Any, shape: tuple, reduce: str | None) -> tuple:
        """An empty batch: empty arrays, a zero sum, and no mean (it would divide by 0)."""
        if reduce == "mean":
            raise ValueError("reduce='mean' of an empty batch is undefined (no points)")
        if reduce == "sum":
            return 0.0, tuple(0.0 for _ in self.input_positions)
        return np.zeros(shape), tuple(np.zeros(shape) for _ in self.input_positions)

    def _plan(self, np: Any) -> _BatchPlan:
        plan = self._batch_plan
        if plan is None:
            plan = _BatchPlan.of(self, np)
            object.__setattr__(self, "_batch_plan", plan)
        return plan

    def _group_forward(self, np: Any, group: _Group, values: Any, edges: bool) -> list:
        inputs = [values[rows] for rows in group.parent_rows]
        try:
            with np.errstate(all="ignore"):
                out = evaluate_arrays(np, group.op, *inputs)
            finite = np.isfinite(out)
            if edges:
                for x in inputs:
                    finite &= np.isfinite(x)
            if not finite.all():
                out = self._by_policy(np, group, inputs, out, ~finite)
        except (ArithmeticError, ValueError):
            out = self._by_policy(np, group, inputs, None, None)
        values[group.start:group.stop] = out
        return inputs

    def _by_policy(self, np: Any, group: _Group, inputs: list, out: Any, where: Any) -> Any:
        """Entries of a group recomputed on floats by the numeric policy, exactly as scalar
        replay computes them: nan or inf where an input is, the scalar error otherwise."""
        if out is None:
            out = np.empty_like(inputs[0])
            where = np.ones(out.shape, dtype=bool)
        for k, j in zip(*np.nonzero(where), strict=True):
            scalars = [float(x[k, j]) for x in inputs]
            try:
                out[k, j] = forward_by_policy(group.op, *scalars)
            except (ArithmeticError, ValueError) as err:
                raise self._error(group.positions[k], err, scalars) from None
        return out

    def _group_backward(self, np: Any, group: _Group, inputs: list, values: Any,
                        grads: Any) -> None:
        upstream = grads[group.start:group.stop]
        out = values[group.start:group.stop]
        second = inputs[1] if len(inputs) == 2 else None
        try:
            _, _, to_first, to_second = chain_rule(group.op.rule, inputs[0], second, out, upstream)
        except (ArithmeticError, ValueError, TypeError):
            # numpy flagged something (or the rule only runs on floats): redo this group on
            # floats, entry by entry, so the result or error is the scalar replay's own
            to_first, to_second = self._scalar_chain_rule(np, group, inputs, out, upstream)
        # Summing gradients is quiet, as on floats: inf + -inf is nan, not an error.
        with np.errstate(invalid="ignore", over="ignore"):
            for slot in group.parents_to_update:
                contribution = to_first if slot == 0 else to_second
                rows = group.parent_rows[slot]
                merge = group.merges[slot]
                if merge is None:  # each parent row appears once in this group
                    grads[rows] += contribution
                else:
                    order, unique, starts = merge
                    grads[unique] += np.add.reduceat(contribution[order], starts, axis=0)

    def _scalar_chain_rule(self, np: Any, group: _Group, inputs: list, out: Any,
                           upstream: Any) -> tuple:
        """A group's contributions computed on floats, entry by entry (the slow path)."""
        to_first = np.empty_like(out)
        to_second = np.empty_like(out) if len(inputs) == 2 else None
        for k, j in np.ndindex(*out.shape):
            scalars = [float(x[k, j]) for x in inputs]
            second = scalars[1] if len(scalars) == 2 else None
            try:
                _, _, a, b = chain_rule(group.op.rule, scalars[0], second, float(out[k, j]),
                                        float(upstream[k, j]))
            except (ArithmeticError, ValueError) as err:
                raise self._error(group.positions[k], err, scalars) from None
            to_first[k, j] = a
            if to_second is not None:
                to_second[k, j] = b
        return to_first, to_second


@dataclass(frozen=True)
class _Group:
    """Tape entries of one op at one depth: replayed as one array operation."""

    op: Op
    positions: tuple[int, ...]
    start: int
    stop: int
    parent_rows: tuple[Any, ...]
    parents_to_update: tuple[int, ...]
    merges: tuple[Any, ...]


@dataclass(frozen=True)
class _BatchPlan:
    """The tape reordered for batched replay: rows of a 2-D array, groups of equal ops.

    Row order is leaves first, then group after group, so each group's outputs are one
    contiguous slice; a group only reads rows of earlier groups.
    """

    row_of: tuple[int, ...]
    input_rows: tuple[int | None, ...]
    gradient_rows: Any
    constant_rows: Any
    constant_values: Any
    groups: tuple[_Group, ...]

    @classmethod
    def of(cls, tape: Tape, np: Any) -> _BatchPlan:
        n = len(tape.ops)
        depth = [0] * n
        depends = [False] * n  # does the node depend on some input?
        for i in tape.input_positions:
            if i is not None:
                depends[i] = True
        buckets: dict[tuple[int, int], list[int]] = {}
        for i, op in enumerate(tape.ops):
            if op is None:
                continue
            parents = tape.parents[i]
            depth[i] = 1 + max(depth[j] for j in parents)
            depends[i] = any(depends[j] for j in parents)
            buckets.setdefault((depth[i], id(op)), []).append(i)
        leaves = [i for i, op in enumerate(tape.ops) if op is None]
        ordered = [positions for _, positions in sorted(buckets.items(), key=lambda kv: (
            kv[0][0], kv[1][0]))]
        row = [0] * n
        for r, i in enumerate(leaves + [i for positions in ordered for i in positions]):
            row[i] = r
        groups = []
        start = len(leaves)
        for positions in ordered:
            op = tape.ops[positions[0]]
            parent_rows, update, merges = [], [], []
            for slot in range(len(tape.parents[positions[0]])):
                rows = np.array([row[tape.parents[i][slot]] for i in positions], dtype=np.intp)
                if update_needed := any(depends[tape.parents[i][slot]] for i in positions):
                    update.append(slot)
                merges.append(_merge_plan(np, rows) if update_needed else None)
                parent_rows.append(_as_slice(rows))
            groups.append(_Group(op, tuple(positions), start, start + len(positions),
                                 tuple(parent_rows), tuple(update), tuple(merges)))
            start += len(positions)
        input_rows = tuple(None if i is None else row[i] for i in tape.input_positions)
        constant_rows = np.array([row[i] for i, _ in tape.constants], dtype=np.intp)
        constant_values = np.array([[v] for _, v in tape.constants]).reshape(-1, 1)
        gradient_rows = np.array([0 if r is None else r for r in input_rows], dtype=np.intp)
        return cls(tuple(row), input_rows, gradient_rows, constant_rows, constant_values,
                   tuple(groups))


def _as_slice(rows: Any) -> Any:
    """rows (an index array) as a slice when they step evenly upwards (reading it is a view,
    not a copy); one row stays an array."""
    even = even_slice(rows.tolist()) if len(rows) > 1 else None
    return rows if even is None else even


def _merge_plan(np: Any, rows: Any) -> Any:
    """None if rows has no repeats; else (order, unique rows, run starts) for reduceat."""
    order = np.argsort(rows, kind="stable")
    unique, starts = np.unique(rows[order], return_index=True)
    if len(unique) == len(rows):
        return None
    return order, unique, starts


_NUMPY_ARRAYS: list = []


def _numpy_arrays() -> NumpyArrays:
    if not _NUMPY_ARRAYS:
        _NUMPY_ARRAYS.append(NumpyArrays())
    return _NUMPY_ARRAYS[0]


def _check_numpy_backend(backend: str, device: Any) -> None:
    if backend != "numpy":
        raise ValueError(f"backend must be 'numpy' or 'torch', got {backend!r}")
    if device is not None:
        raise ValueError(f"device={device!r} needs backend='torch' (numpy runs on the CPU)")


def _lowered_results(np: Any, run: Run, output: Any, shape: tuple, reduce: str | None) -> tuple:
    """(output, gradient per input) of a lowered run, shaped as batch_value_and_grad says."""
    plan, size = run.plan, run.size
    first = len(plan.constant_values)  # the scalar inputs' rows follow the constants
    narrow_rows = slice(first, first + len(plan.narrow_inputs))
    if reduce is not None:
        scale = 1.0 / size if reduce == "mean" else 1.0
        totals = np.zeros(len(plan.input_rows))
        totals[plan.narrow_input_index] = run.grad_narrow[narrow_rows, 0]
        totals[plan.wide_input_index] = run.grad_wide[:len(plan.wide_inputs)].sum(axis=1)
        return float(output.sum() * scale), tuple((totals * scale).tolist())
    grads = [np.zeros(shape) for _ in plan.input_rows]  # each its own array, unused ones too
    for row, k in enumerate(plan.narrow_inputs, start=first):
        grads[k] = run.grad_narrow[row].reshape(shape).copy()
    for row, k in enumerate(plan.wide_inputs):
        grads[k] = run.grad_wide[row].reshape(shape).copy()
    return output.reshape(shape).copy(), tuple(grads)


class TracedFunction:
    """A function traced on its first call and replayed afterwards; see `trace`."""

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

    def batch_value_and_grad(
        self, *args: Any, reduce: str | None = None, lower: bool = True,
        backend: str = "numpy", device: Any = None,
    ) -> tuple[Any, tuple[Any, ...]]:
        """Vectorised replay over arrays (see Tape.batch_value_and_grad).

        The tape is traced on the first point; check mode re-traces every point.
        """
        import numpy as np

        if self.check:
            arrays = np.broadcast_arrays(*[np.asarray(_on_cpu(a), dtype=np.float64)
                                           for a in args])
            for k in range(arrays[0].size if arrays else 1):
                self._tape_for(tuple(float(a.flat[k]) for a in arrays))
        elif self.tape is None:  # any one point traces the structure; take the first
            self._tape_for(tuple(
                a if isinstance(a, (float, int)) else float(np.ravel(_on_cpu(a))[0])
                for a in args
            ))
        return self.tape.batch_value_and_grad(*args, reduce=reduce, lower=lower,
                                              backend=backend, device=device)


def _on_cpu(a: Any) -> Any:
    """A torch tensor as a numpy array (from any device); anything else as it is."""
    if type(a).__module__.startswith("torch"):
        return a.detach().cpu().numpy()
    return a


def trace(f: Callable[..., Any], check: bool = False) -> TracedFunction:
    """Trace f on its first call; replay the tape (no Value objects) on later calls."""
    return TracedFunction(f, check=check)
