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
from benchmarks.report import evaluate_targets, format_batched, format_chain, summarize_steps
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


@pytest.mark.parametrize("engine", ["gradledger", "floor", "gradledger-replay",
                                    "gradledger-replay-scalar"])
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
                 "--points", "10", "--seed", "1337", "--gc", "off"])
    step = json.loads(capsys.readouterr().out)
    assert step["steps"] == 2 and len(step["losses"]) == 2 and step["gc"] is False
    problem = moons_step.make_problem(points=10, seed=1337)
    assert step["losses"][0] == pytest.approx(hand_loss(problem, problem.flat_parameters()),
                                              rel=1e-12)
    worker_main(["--engine", "gradledger", "--measure", "chain", "--depth", "1500",
                 "--default-recursion-limit"])
    chain = json.loads(capsys.readouterr().out)
    assert chain["ok"] and chain["depth"] == 1500 and chain["recursion_limit"] < 1500


def test_dynamic_steppers_time_their_phases_and_count_their_graph(problem):
    ours = moons_step.make_stepper("gradledger", problem)
    bare = moons_step.make_stepper("floor", problem)
    for stepper in (ours, bare):
        stepper.step(0)
    assert set(ours.phases) == {"build_seconds", "backward_seconds"}
    assert set(bare.phases) == {"build_seconds", "order_seconds", "propagate_seconds",
                                "backward_seconds"}
    # 20 points x (2*16 + 16*16 + 16 weights: a product and a sum each, plus ...): the same
    # graph in both engines, so the same count.
    assert ours.nodes == bare.nodes > 20 * 2 * (2 * 16 + 16 * 16 + 16)
    assert set(ours.time_order()) == {"order_seconds"} and bare.time_order() == {}


def test_a_replay_option_the_checkout_lacks_is_named(monkeypatch):
    assert moons_step.replay_unavailable("gradledger-replay") is None
    monkeypatch.setitem(moons_step.REPLAY_OPTIONS, "gradledger-replay-torch",
                        {"no_such_option": 1})
    reason = moons_step.replay_unavailable("gradledger-replay-torch")
    assert reason == ("not available in this checkout (batch_value_and_grad takes no "
                      "no_such_option=1)")
    with pytest.raises(ValueError, match="gradledger-replay-torch: not available"):
        moons_step.make_stepper("gradledger-replay-torch", moons_step.make_problem(points=4))


def _step_run(engine, seconds, losses, points):
    return {"engine": engine, "steps": len(losses), "losses": losses, "first_step_seconds": 1.0,
            "median_step_seconds": seconds, "phases": {}, "nodes": None, "points": points}


def test_batched_table_prints_every_engine_size_and_setting():
    samples = {}
    for gc_on in (True, False):
        samples[("gradledger", gc_on, 100)] = [_step_run("gradledger", 0.1, [1.0, 0.5], 100)]
        for points in (100, 1_000):
            samples[("gradledger-replay", gc_on, points)] = [
                _step_run("gradledger-replay", 0.004, [1.0, 0.5 + 1e-13], points)]
            samples[("torch-batched", gc_on, points)] = [
                _step_run("torch-batched", 0.001, [1.0, 0.5], points)]
    rows = summarize_steps(samples)
    table = format_batched(rows, (100, 1_000), ["gradledger", "gradledger-replay",
                                                "gradledger-replay-torch", "torch-batched"],
                           "header", {"gradledger-replay-torch": "not available here"})
    lines = table.splitlines()
    for engine in ("gradledger", "gradledger-replay", "torch-batched"):
        for setting in ("on", "off"):
            assert sum(1 for line in lines if line.split()[:2] == [engine, setting]) == 1
    replay = next(line.split() for line in lines if line.split()[:2] == ["gradledger-replay",
                                                                         "on"])
    assert replay[2:] == ["4.000", "4.00", "4.000", "4.00"]
    ours = next(line.split() for line in lines if line.split()[:2] == ["gradledger", "on"])
    assert ours[2:] == ["100.000", "100.00", "not", "run", "-"]
    assert "gradledger-replay-torch     not available here" in table
    assert "relative 2.0e-13" in table


def test_chain_table_names_what_stopped_each_engine():
    results = {
        "ours": {"depth": 4_000, "deepest": {"depth": 4_000, "seconds": 0.04},
                 "stopped_by": "cap of 4,000 reached"},
        "theirs": {"depth": 0, "deepest": None, "stopped_by": "RecursionError at 1,000"},
    }
    table = format_chain(results, "header")
    assert "4,000" in table and "10.00" in table and "RecursionError at 1,000" in table


def test_the_runner_prints_every_table_row_and_target(tmp_path, capsys):
    out = tmp_path / "bench.json"
    run.main(["--python", sys.executable, "--engines", "gradledger", "floor",
              "gradledger-replay", "gradledger-replay-scalar",
              "--repeats", "1", "--nodes", "300", "--depth", "100", "--moons-repeats", "1",
              "--steps", "2", "--fast-steps", "2", "--sizes", "100", "30", "--chain-cap",
              "1500", "--out", str(out)])
    printed = capsys.readouterr().out
    record = json.loads(out.read_text())
    for header in ("Deep chain:", "Wide random graph, 300 nodes", "Memory, random graph",
                   "Micrograd demo training step", "The demo step batched: 100, 30 points",
                   "Deepest chain that backpropagates", "Targets (issue 14)"):
        assert header in printed
    lines = printed.splitlines()
    for name, count in (("gradledger", 2 + 2 + 2 + 2), ("floor", 2 + 2 + 2 + 2),
                        ("gradledger-replay", 2 + 2), ("gradledger-replay-scalar", 2 + 2)):
        # chain, random graph, demo step, batched: a row each with the collector on and off
        assert sum(1 for line in lines if line.split()[:2] in ([name, "on"], [name, "off"])
                   ) == count, name
    for name in ("gradledger", "floor"):  # memory rows, and the depth search's for ours
        per_node = record["memory"]["memory"][name]["bytes_per_node"]
        assert any(line.split()[:2] == [name, f"{per_node:.1f}"] for line in lines)
    assert any(line.split()[:2] == ["gradledger", "1,500"] for line in lines)
    targets = record["targets"]
    assert len(targets) == len(evaluate_targets({}, {}, {}, {}))
    for t in targets:
        assert any(t["target"] in line for line in lines)
    assert record["chain"]["rows"]["gradledger gc on"]["nodes"] == 401
    steps = record["steps"]["samples"]
    assert steps["gradledger gc on 100 points"][0]["losses"] == pytest.approx(
        steps["gradledger-replay gc on 100 points"][0]["losses"], rel=1e-12)
    assert math.isfinite(steps["gradledger-replay gc off 30 points"][0]["median_step_seconds"])
