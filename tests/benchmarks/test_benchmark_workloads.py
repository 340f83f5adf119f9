"""The moons-step and deep-chain workloads and the whole runner, small and quick.

Only engines the test environment has run here (this engine, dynamic and batched replay);
micrograd and torch live in benchmarks/.venv. Nothing here looks at a clock's value.
"""

import json
import math
import sys

import pytest

from autograd import Value
from benchmarks import run
from benchmarks.report import (
    format_chain,
    format_report,
    format_steps,
    loss_agreement,
    summarize_steps,
)
from benchmarks.worker import main as worker_main
from benchmarks.workloads import deep_chain, moons_step


def hand_loss(problem, flat):
    """The demo's loss on plain floats, written out independently of the workload module."""
    layers, k = [], 0
    for nin, nout in ((2, 16), (16, 16), (16, 1)):
        layer = []
        for _ in range(nout):
            layer.append((flat[k:k + nin], flat[k + nin]))
            k += nin + 1
        layers.append(layer)
    total = 0.0
    for (x0, x1), label in zip(problem.X, problem.y, strict=True):
        h = [x0, x1]
        for depth, layer in enumerate(layers):
            h = [b + sum(wi * hi for wi, hi in zip(w, h, strict=True)) for w, b in layer]
            if depth < 2:
                h = [max(v, 0.0) for v in h]
        total += max(1.0 - label * h[0], 0.0)
    return total / len(problem.X) + 1e-4 * sum(p * p for p in flat)


@pytest.fixture(scope="module")
def problem():
    return moons_step.make_problem(points=20, seed=1337)


def test_problem_is_the_demo_shape_and_reproducible(problem):
    assert len(problem.X) == 20 and sorted(set(problem.y)) == [-1, 1]
    assert [len(layer) for layer in problem.layers] == [16, 16, 1]
    assert len(problem.flat_parameters()) == 16 * 3 + 16 * 17 + 17
    assert moons_step.make_problem(points=20, seed=1337) == problem
    assert moons_step.make_problem(points=20, seed=1) != problem
    assert all(-1.0 <= w <= 1.0 for w in problem.flat_parameters())


@pytest.mark.parametrize("engine", ["gradledger", "gradledger-replay", "gradledger-replay-scalar"])
def test_each_step_reports_the_demo_loss_and_moves_downhill_by_sgd(problem, engine):
    stepper = moons_step.make_stepper(engine, problem)
    before = problem.flat_parameters()
    loss = stepper.step(0)
    assert loss == pytest.approx(hand_loss(problem, before), rel=1e-12)
    after = stepper.parameters()
    h = 1e-6
    for i in (0, 40, len(before) - 1):  # SGD with lr 1.0: p_new = p - dL/dp
        up, down = list(before), list(before)
        up[i] += h
        down[i] -= h
        slope = (hand_loss(problem, up) - hand_loss(problem, down)) / (2 * h)
        assert before[i] - after[i] == pytest.approx(slope, rel=1e-4, abs=1e-8)


def test_dynamic_and_replay_agree_on_losses_and_weights_over_steps(problem):
    dynamic = moons_step.make_stepper("gradledger", problem)
    replays = [moons_step.make_stepper(name, problem)
               for name in ("gradledger-replay", "gradledger-replay-scalar")]
    for k in range(4):
        loss = dynamic.step(k)
        assert [replay.step(k) for replay in replays] == pytest.approx([loss, loss], rel=1e-12)
    for replay in replays:
        assert replay.parameters() == pytest.approx(dynamic.parameters(), rel=1e-12, abs=1e-12)


def test_unknown_stepper_is_named():
    with pytest.raises(ValueError, match="unknown engine 'jax'"):
        moons_step.make_stepper("jax", moons_step.make_problem(points=4))


def test_chain_gradient_is_exact_and_deep_enough():
    result = deep_chain.run_chain(Value, 3_000)
    assert result["gradient"] == pytest.approx(1.0001**3_000, rel=1e-12)
    assert result["gradient_relative_error"] < 1e-12


def test_chain_search_doubles_to_the_cap_then_bisects_after_a_failure():
    tried, ok, failed = [], 0, None
    while (depth := deep_chain.next_depth(ok, failed, 10_000, 1_000)) is not None:
        tried.append(depth)
        ok = depth
    assert tried == [1_000, 2_000, 4_000, 8_000, 10_000]
    ok, failed, limit = 0, None, 3_333  # pretend everything deeper than 3,333 fails
    while (depth := deep_chain.next_depth(ok, failed, 100_000, 1_000)) is not None:
        if depth <= limit:
            ok = depth
        else:
            failed = depth
    assert ok <= limit < failed and failed - ok <= failed // 20


def test_worker_step_and_chain_print_json(capsys):
    worker_main(["--engine", "gradledger-replay", "--measure", "step", "--steps", "2",
                 "--points", "10", "--seed", "1337"])
    step = json.loads(capsys.readouterr().out)
    assert step["steps"] == 2 and len(step["losses"]) == 2 and step["gc_enabled"]
    problem = moons_step.make_problem(points=10, seed=1337)
    assert step["losses"][0] == pytest.approx(hand_loss(problem, problem.flat_parameters()),
                                              rel=1e-12)
    worker_main(["--engine", "gradledger", "--measure", "chain", "--depth", "1500",
                 "--default-recursion-limit"])
    chain = json.loads(capsys.readouterr().out)
    assert chain["ok"] and chain["depth"] == 1500 and chain["recursion_limit"] < 1500


def _step_run(engine, seconds, losses):
    return {"engine": engine, "steps": len(losses), "losses": losses, "first_step_seconds": 1.0,
            "median_step_seconds": seconds}


def test_step_summary_targets_and_loss_agreement():
    samples = {
        "gradledger": [_step_run("gradledger", s, [1.0, 0.5]) for s in (0.2, 0.1, 0.3)],
        "gradledger-replay": [_step_run("gradledger-replay", 0.004, [1.0, 0.5 + 1e-13])],
        "micrograd": [_step_run("micrograd", 1.0, [1.0, 0.5])],
        "torch-batched": [_step_run("torch-batched", 0.001, [1.0, 0.5])],
    }
    engines = summarize_steps(samples)
    assert engines["gradledger"]["step_seconds"] == 0.2
    differences = loss_agreement(engines)
    assert differences["gradledger-replay"] == pytest.approx(2e-13)
    table = format_steps(engines, differences, "header")
    assert "dynamic mode >= 10x micrograd's step: 5.00x  NOT MET" in table
    assert "batched replay >= 200x micrograd's step: 250.00x  MET" in table
    assert "within 5x of torch batched 2-D tensors' step: 4.00x as long  MET" in table


def test_chain_table_names_what_stopped_each_engine():
    results = {
        "ours": {"depth": 4_000, "deepest": {"depth": 4_000, "seconds": 0.04},
                 "stopped_by": "cap of 4,000 reached"},
        "theirs": {"depth": 0, "deepest": None, "stopped_by": "RecursionError at 1,000"},
    }
    table = format_chain(results, "header")
    assert "4,000" in table and "10.00" in table and "RecursionError at 1,000" in table


def test_the_runner_runs_and_our_two_modes_agree(tmp_path, capsys):
    out = tmp_path / "bench.json"
    run.main(["--python", sys.executable, "--workloads", "moons", "chain", "--engines",
              "gradledger", "gradledger-replay", "gradledger-replay-scalar", "micrograd",
              "--moons-repeats", "1",
              "--steps", "2", "--fast-steps", "2", "--points", "10", "--chain-cap", "1500",
              "--out", str(out)])
    printed = capsys.readouterr().out
    record = json.loads(out.read_text())
    engines = record["moons"]["engines"]
    if "micrograd" not in engines:
        assert "skipping micrograd: not installed" in printed
    assert engines["gradledger"]["losses"] == pytest.approx(
        engines["gradledger-replay"]["losses"], rel=1e-12)
    assert max(record["moons"]["loss_relative_difference"].values()) < 1e-12
    assert record["chain"]["engines"]["gradledger"]["depth"] == 1500
    assert "Micrograd demo training step" in printed and "Deepest chain" in printed
    assert math.isfinite(engines["gradledger-replay"]["step_seconds"])


def test_random_graph_targets_include_the_torch_ratio():
    from benchmarks.report import summarize_speed, targets

    def graph_run(engine, seconds):
        return {"engine": engine, "unary": "tanh", "nodes": 100, "seconds": seconds,
                "build_seconds": seconds / 2, "backward_seconds": seconds / 2}

    samples = {"gradledger": [graph_run("gradledger", 0.1)], "torch": [graph_run("torch", 0.4)]}
    summary = summarize_speed(samples, "gradledger", "micrograd")
    verdict = targets(summary, {})
    assert verdict["speedup_over_torch"] == 4.0 and verdict["speedup_over_torch_met"] is False
    assert "4.00x  NOT MET" in format_report(summary, {}, None, "header")
