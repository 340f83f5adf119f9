"""Batched replay on torch: the lowered plan run on float64 tensors, on the CPU or on a CUDA
device, for networks checked here that outgrow one machine's numpy.

torch is imported only when backend="torch" is asked for. The op table's array forwards are
written against numpy's names (`"tanh"`, or `lambda np, x: np.maximum(x, 0.0)`); here they
run on `TorchNamespace`, which maps those names to torch functions. An op whose forward or
rule has no torch form (cbrt: torch has none; rules that branch on numpy arrays, such as
relu's step) runs that step through numpy on the CPU, without a copy for CPU tensors.
Anything the lowered replay hands back (a non-finite value, an error) is replayed by numpy's
unlowered replay, so values and errors are the numeric policy's own.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from typing import Any

from autograd.backprop import chain_rule
from autograd.lowered_replay import Batch, Run, even_slice
from autograd.ops import evaluate_arrays

TORCH_MISSING = (
    "backend='torch' needs PyTorch, which is not installed: pip install 'gradledger[torch]'"
)

NUMPY_TO_TORCH = {
    "absolute": "abs",
    "power": "pow",
    "mod": "remainder",  # numpy's mod takes the sign of the divisor, as torch's remainder
    "clip": "clamp",
    "arctan2": "atan2",
}
"""numpy names the op table uses whose torch function has another name."""

NO_TORCH_FORM = frozenset({"cbrt", "frompyfunc", "asarray", "dtype", "float64"})
"""numpy names with no torch function of the same meaning."""


class NoTorchForm(TypeError):
    """An op's array forward uses a numpy function that has no torch counterpart here."""


def import_torch() -> Any:
    """The torch module, or ImportError naming the extra to install."""
    try:
        import torch
    except ImportError:
        raise ImportError(TORCH_MISSING) from None
    return torch


class TorchNamespace:
    """numpy's names, as the op table's array forwards use them, mapped to torch functions.

    Python numbers passed to a function become float64 tensors on the device first (torch's
    maximum, where and friends want tensors, and a float32 default must never creep in).
    """

    inf = math.inf
    nan = math.nan
    pi = math.pi
    e = math.e

    def __init__(self, torch: Any, device: Any):
        self._torch = torch
        self._device = device

    def errstate(self, **_: Any) -> contextlib.AbstractContextManager:
        return contextlib.nullcontext()

    def __getattr__(self, name: str) -> Any:
        torch_name = NUMPY_TO_TORCH.get(name, name)
        function = None if name in NO_TORCH_FORM else getattr(self._torch, torch_name, None)
        if not callable(function):
            raise NoTorchForm(
                f"numpy.{name} has no torch form in autograd.torch_replay's namespace; an "
                f"op whose array forward uses it runs through numpy in a torch replay"
            )
        torch, device = self._torch, self._device

        def on_tensors(*args: Any) -> Any:
            return function(*[
                torch.tensor(float(a), dtype=torch.float64, device=device)
                if isinstance(a, (int, float)) and not isinstance(a, bool) else a
                for a in args
            ])

        on_tensors.__name__ = name
        setattr(self, name, on_tensors)  # found directly next time
        return on_tensors


class TorchArrays:
    """The torch array backend: rows x points float64 tensors on one device."""

    def __init__(self, torch: Any, device: Any):
        import numpy

        self.torch = torch
        self.np = numpy
        self.device = device
        self.key = ("torch", str(device))
        self.xp = TorchNamespace(torch, device)
        self._rules_through_numpy: set = set()

    def index(self, rows: Sequence[int], as_slice: bool = True) -> Any:
        """rows as a slice when they step evenly upwards, else a tensor of indices."""
        rows = list(rows)
        even = even_slice(rows) if as_slice or not rows else None
        if even is not None:
            return even
        return self.torch.tensor(rows, dtype=self.torch.long, device=self.device)

    def scatter_plan(self, rows: Sequence[int]) -> Any:
        """None if rows has no repeats, else True: index_add_ sums repeats itself."""
        return None if len(set(rows)) == len(rows) else True

    def scatter_add(self, target: Any, index: Any, plan: Any, contribution: Any) -> None:
        if plan is None:
            target[index] += contribution
        else:
            count = index.shape[0]
            target.index_add_(0, index, contribution.expand(count, target.shape[1]))

    def empty(self, rows: int, columns: int) -> Any:
        return self.torch.empty((rows, columns), dtype=self.torch.float64, device=self.device)

    def zeros(self, rows: int, columns: int) -> Any:
        return self.torch.zeros((rows, columns), dtype=self.torch.float64, device=self.device)

    def fill_zero(self, a: Any) -> None:
        a.zero_()

    def column(self, values: Sequence[float]) -> Any:
        return self.torch.tensor([float(v) for v in values], dtype=self.torch.float64,
                                 device=self.device).reshape(-1, 1)

    def flat(self, array: Any, shape: tuple, size: int) -> Any:
        """A batched input as one row of `size` points."""
        return array.broadcast_to(shape).reshape(size)

    def chain_sums(self, terms: Any, count: int) -> Any:
        return terms.reshape(count, -1, terms.shape[1]).sum(dim=1)

    def repeat_rows(self, a: Any, times: int) -> Any:
        return a.repeat_interleave(times, dim=0)

    def add_by_owner(self, target: Any, owner: Any, terms: Any) -> None:
        target.index_add_(0, owner, terms.expand(owner.shape[0], target.shape[1]))

    def sum_columns(self, a: Any) -> Any:
        return a.sum(dim=1, keepdim=True)

    def magnitude(self, a: Any) -> float:
        """The largest absolute entry (nan if there is a nan), 0.0 for no entries."""
        if a.numel() == 0:
            return 0.0
        low, high = self.torch.aminmax(a)  # one pass, no temporary
        return float(self.torch.maximum(high, -low))

    def matmul(self, a: Any, b: Any, out: Any) -> None:
        if b.shape[1] == out.shape[1]:
            self.torch.matmul(a, b, out=out)
        else:
            out[...] = a @ b

    def quiet(self) -> contextlib.AbstractContextManager:
        return contextlib.nullcontext()

    def evaluate(self, op: Any, *inputs: Any) -> Any:
        try:
            return evaluate_arrays(self.xp, op, *inputs)
        except NoTorchForm:
            np = self.np
            with np.errstate(all="ignore"):
                out = evaluate_arrays(np, op, *[self._to_numpy(x) for x in inputs])
            return self._from_numpy(out)

    def rule(self, op: Any, a: Any, b: Any, out: Any, upstream: Any) -> tuple:
        """upstream times the local derivatives: the row's rule on tensors when it runs on
        them, else (from then on, for this op) on numpy views of them."""
        through_numpy = op in self._rules_through_numpy
        try:
            _, _, to_a, to_b = chain_rule(self._on_numpy(op) if through_numpy else op.rule,
                                          a, b, out, upstream)
        except (TypeError, RuntimeError):  # a rule that branches on numpy arrays, say
            if through_numpy:
                raise
            self._rules_through_numpy.add(op)
            _, _, to_a, to_b = chain_rule(self._on_numpy(op), a, b, out, upstream)
        return to_a, to_b

    def _on_numpy(self, op: Any) -> Any:
        """op's rule run on numpy views of the tensors, its derivatives handed back as
        tensors."""
        np = self.np

        def rule(*tensors: Any) -> tuple:
            with np.errstate(all="ignore"):
                local = op.rule(*[self._to_numpy(t) for t in tensors])
            return tuple(self._from_numpy(d) for d in local)

        return rule

    def _to_numpy(self, x: Any) -> Any:
        return x.detach().cpu().numpy()

    def _from_numpy(self, x: Any) -> Any:
        if isinstance(x, (int, float)):
            return float(x)
        return self.torch.as_tensor(self.np.asarray(x, dtype=self.np.float64),
                                    device=self.device)


_BACKENDS: dict[str, TorchArrays] = {}


def torch_arrays(device: Any = None) -> TorchArrays:
    """The torch backend for a device (None: the CPU); a clear error if torch is missing or
    the device is not there."""
    torch = import_torch()
    device = torch.device("cpu" if device is None else device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"device={str(device)!r} was asked for, but torch sees no CUDA "
                           "device here (torch.cuda.is_available() is False)")
    key = str(device)
    if key not in _BACKENDS:
        _BACKENDS[key] = TorchArrays(torch, device)
    return _BACKENDS[key]


def torch_batch_value_and_grad(tape: Any, args: Sequence[Any], reduce: str | None,
                               lower: bool, device: Any) -> tuple[Any, tuple[Any, ...]]:
    """Tape.batch_value_and_grad(..., backend="torch"): tensors on the device, or floats
    with reduce."""
    arrays = torch_arrays(device)
    batch = _torch_batch(tape, arrays, args)
    if batch.size > 0:
        results = tape._replay_lowered(
            arrays, batch, reduce,
            lambda run, output: _results(arrays, run, output, batch.shape, reduce), fuse=lower)
        if results is not None:
            return results
    # one point, an output the same for every point, or a value only the exact path handles
    numpy_args = [a.detach().cpu().numpy() if isinstance(a, arrays.torch.Tensor) else a
                  for a in args]
    value, grads = tape._unlowered_value_and_grad(arrays.np, numpy_args, reduce)
    if reduce is not None:
        return value, grads
    as_tensor = arrays._from_numpy
    return as_tensor(value), tuple(as_tensor(g) for g in grads)


def _torch_batch(tape: Any, arrays: TorchArrays, args: Sequence[Any]) -> Any:
    """The inputs checked and put on the device: floats, or float64 tensors."""
    torch = arrays.torch
    tape._check_input_count(args)
    values = list(args)
    shapes, array_inputs = [], []
    for k, arg in enumerate(args):
        if type(arg) is int or isinstance(arg, float):
            values[k] = float(arg)
            continue
        if isinstance(arg, torch.Tensor):
            if arg.dtype == torch.bool or arg.is_complex():
                raise TypeError(f"batched input {k} must hold real numbers, got a tensor of "
                                f"dtype {arg.dtype}")
            tensor = arg.detach().to(dtype=torch.float64, device=arrays.device)
        else:
            tensor = torch.from_numpy(tape._batch_input(arrays.np, k, arg)).to(arrays.device)
        shapes.append(tuple(tensor.shape))
        if tensor.numel() == 1:
            values[k] = float(tensor.reshape(-1)[0])
        else:
            values[k] = tensor
            array_inputs.append(k)
    shape = tuple(torch.broadcast_shapes(*shapes)) if shapes else ()
    return Batch(values, shape, math.prod(shape), tuple(array_inputs))


def _results(arrays: TorchArrays, run: Run, output: Any, shape: tuple,
             reduce: str | None) -> tuple:
    """(output, gradient per input) of a lowered torch run."""
    torch, plan, size = arrays.torch, run.plan, run.size
    first = len(plan.constant_values)
    narrow_rows = slice(first, first + len(plan.narrow_inputs))
    if reduce is not None:
        scale = 1.0 / size if reduce == "mean" else 1.0
        totals = arrays.zeros(len(plan.input_rows), 1)[:, 0]
        totals[plan.narrow_input_index] = run.grad_narrow[narrow_rows, 0]
        totals[plan.wide_input_index] = (
            run.grad_wide[:len(plan.wide_inputs)].sum(dim=1))
        return float(output.sum() * scale), tuple((totals * scale).tolist())
    grads = [torch.zeros(shape, dtype=torch.float64, device=arrays.device)
             for _ in plan.input_rows]  # each its own tensor, unused ones too
    for row, k in enumerate(plan.narrow_inputs, start=first):
        grads[k] = run.grad_narrow[row].reshape(shape).clone()
    for row, k in enumerate(plan.wide_inputs):
        grads[k] = run.grad_wide[row].reshape(shape).clone()
    return output.reshape(shape).clone(), tuple(grads)
