"""Batched replay on torch (backend="torch"): the same lowered tape on float64 tensors gives
the numpy replay's values and gradients to 1e-12, op by op, on MLPs and on random programs."""

import math
import subprocess
import sys

import numpy as np
import pytest
import torch
from hypothesis import example, given, settings
from test_tape_lowering import (
    _moons_like,
    assert_close,
    assert_same_results,
    mlp_cases,
    mlp_point,
    programs_on_batches,
)

from autograd import Tape
from autograd.ops import TABLE, evaluate_arrays
from autograd.testing.op_calls import call_op
from autograd.torch_replay import NoTorchForm, TorchNamespace

CPU = torch.device("cpu")


def as_numpy(result):
    value, grads = result
    if isinstance(value, float):
        return value, grads
    return value.numpy(), tuple(g.numpy() for g in grads)


def _op_points(op):
    (lo, hi), *_ = op.input_domain()[0]
    ylo, yhi = op.input_domain()[1][-1] if op.arity == 2 else (1.0, 2.0)
    xs = np.array([lo + (hi - lo) * k / 6 for k in range(1, 6)])
    ys = np.array([ylo + (yhi - ylo) * k / 6 for k in range(1, 6)])
    return xs, ys


@pytest.mark.parametrize("op", TABLE, ids=lambda op: op.symbol)
def test_every_op_replays_on_torch_as_on_numpy(op):
    xs, ys = _op_points(op)
    tape = Tape.record(lambda x, y: call_op(op, *(x, y)[: op.arity]), xs[0], ys[0])
    on_torch = tape.batch_value_and_grad(xs, ys, backend="torch")
    assert isinstance(on_torch[0], torch.Tensor) and on_torch[0].dtype == torch.float64
    assert_same_results(as_numpy(on_torch), tape.batch_value_and_grad(xs, ys))
    assert tape.replay_counts == {"lowered": 2, "fallback": 0}


@pytest.mark.parametrize("op", TABLE, ids=lambda op: op.symbol)
def test_the_namespace_runs_every_forward_on_tensors_or_says_it_cannot(op):
    xs, ys = _op_points(op)
    inputs = (xs, ys)[: op.arity]
    namespace = TorchNamespace(torch, CPU)
    try:
        out = evaluate_arrays(namespace, op, *[torch.from_numpy(x) for x in inputs])
    except NoTorchForm as err:
        assert op.name == "cbrt", err  # torch has no cube root; it runs through numpy
        assert "numpy.cbrt has no torch form" in str(err)
        return
    assert out.dtype == torch.float64
    with np.errstate(all="ignore"):
        assert_close(out.numpy(), evaluate_arrays(np, op, *inputs))


@settings(max_examples=15, deadline=None)
@given(mlp_cases())
@example(_moons_like(2, [2, 16, 16, 1], 6))
def test_mlps_replay_on_torch_as_on_numpy(case):
    sizes, activation, parameters, xs, size = case
    tape = Tape.record(mlp_point(sizes, activation), *[0.5] * (len(parameters) + len(xs)))
    args = [*parameters, *xs]
    per_point = tape.batch_value_and_grad(*args)
    assert_same_results(as_numpy(tape.batch_value_and_grad(*args, backend="torch")),
                        per_point)
    assert_same_results(
        tape.batch_value_and_grad(*args, reduce="mean", backend="torch"),
        tape.batch_value_and_grad(*args, reduce="mean"),
        (per_point[0] / size, tuple(g / size for g in per_point[1])))
    assert_same_results(
        as_numpy(tape.batch_value_and_grad(*args, backend="torch", lower=False)), per_point)
    assert tape.replay_counts == {"lowered": 5, "fallback": 0}


@settings(max_examples=40, deadline=None)
@given(programs_on_batches())
def test_random_programs_replay_on_torch_as_on_numpy(case):
    program, args = case
    tape = Tape.record(program, *[a if isinstance(a, float) else float(a[0]) for a in args])
    assert_same_results(as_numpy(tape.batch_value_and_grad(*args, backend="torch")),
                        tape.batch_value_and_grad(*args))


def test_tensors_are_inputs_too_and_results_stay_on_the_device():
    tape = Tape.record(lambda w, x: (w * x + 1.0).tanh(), 0.5, 0.5)
    x = torch.linspace(-1.0, 1.0, 5, dtype=torch.float32)
    values, (gw, gx) = tape.batch_value_and_grad(torch.tensor(0.5), x, backend="torch")
    x64 = x.double()
    assert torch.allclose(values, torch.tanh(0.5 * x64 + 1.0), rtol=1e-15, atol=0)
    slope = 1.0 - torch.tanh(0.5 * x64 + 1.0) ** 2
    assert torch.allclose(gw, slope * x64, rtol=1e-14, atol=1e-16)
    assert torch.allclose(gx, slope * 0.5, rtol=1e-14, atol=1e-16)
    assert values.device == gw.device == CPU
    with pytest.raises(TypeError, match="batched input 1 must hold real numbers"):
        tape.batch_value_and_grad(0.5, torch.tensor([True, False]), backend="torch")


def test_a_non_finite_point_on_torch_gives_the_numeric_policys_answers():
    tape = Tape.record(lambda w, x: (w * x + x + 1.0).tanh() * x, 0.5, 0.5)
    x = np.array([1.0, math.nan, -math.inf, 2.0])
    on_torch = tape.batch_value_and_grad(0.5, x, backend="torch")
    unlowered = tape.batch_value_and_grad(0.5, x, lower=False)
    for got, want in zip([on_torch[0], *on_torch[1]], [unlowered[0], *unlowered[1]],
                         strict=True):
        assert isinstance(got, torch.Tensor)
        assert np.array_equal(got.numpy(), want, equal_nan=True)


def test_cuda_is_used_when_present_and_refused_clearly_when_not():
    tape = Tape.record(lambda w, x: w * x + x, 0.5, 0.5)
    x = np.array([1.0, 2.0, 3.0])
    if torch.cuda.is_available():
        values, _ = tape.batch_value_and_grad(2.0, x, backend="torch", device="cuda")
        assert values.device.type == "cuda" and values.cpu().tolist() == [3.0, 6.0, 9.0]
    else:
        with pytest.raises(RuntimeError, match="torch sees no CUDA device"):
            tape.batch_value_and_grad(2.0, x, backend="torch", device="cuda")


def test_without_torch_the_error_names_the_extra(monkeypatch):
    tape = Tape.record(lambda x: x * x, 1.0)
    monkeypatch.setitem(sys.modules, "torch", None)  # as if torch were not installed
    with pytest.raises(ImportError, match=r"pip install 'gradledger\[torch\]'"):
        tape.batch_value_and_grad(np.ones(3), backend="torch")


def test_numpy_replay_never_imports_torch():
    code = ("import sys, numpy as np; from autograd import Tape; "
            "t = Tape.record(lambda w, x: (w * x + x + 1.0).relu(), 0.5, 0.5); "
            "t.batch_value_and_grad(0.5, np.ones(4)); t.batch_value_and_grad(0.5, np.ones(4), "
            "lower=False); print('torch' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True)
    assert shown.stdout.strip() == "False"
