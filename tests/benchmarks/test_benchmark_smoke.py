"""The benchmark's workload and measurements, tiny and in-process, for this engine only.

No timings are asserted here: speed is measured by `python3 benchmarks/run.py`.
"""

import gc
import json
import math

import pytest

from autograd import Value, topological_order
from benchmarks.engines import ENGINES
from benchmarks.report import agreement, format_report, summarize_speed
from benchmarks.worker import main, measure_memory, measure_speed
from benchmarks.workloads.random_graph import ADD, MUL, build, make_program

OURS = ENGINES["gradledger"]


def reference_values_and_grads(program, unary):
    """Forward values and d root / d node by hand-written reverse mode over the program."""
    squash = math.tanh if unary == "tanh" else (lambda x: x if x > 0 else 0.0)
    values = list(program.leaves)
    for code, a, b in program.steps:
        if code == ADD:
            values.append(values[a] + values[b])
        elif code == MUL:
            values.append(values[a] * values[b])
        else:
            values.append(squash(values[a]))
    grads = [0.0] * len(values)
    grads[-1] = 1.0
    first = len(program.leaves)
    for i in range(len(program.steps) - 1, -1, -1):
        code, a, b = program.steps[i]
        g = grads[first + i]
        if code == ADD:
            grads[a] += g
            grads[b] += g
        elif code == MUL:
            grads[a] += g * values[b]
            grads[b] += g * values[a]
        elif unary == "tanh":
            grads[a] += g * (1.0 - values[first + i] ** 2)
        else:
            grads[a] += g * (1.0 if values[a] > 0 else 0.0)
    return values, grads


@pytest.mark.parametrize("nodes", [2, 3, 50, 777, 2_000])
def test_program_has_exactly_the_requested_nodes_and_every_node_feeds_the_root(nodes):
    program = make_program(seed=3, nodes=nodes)
    assert program.node_count == nodes
    used = {parent for _, a, b in program.steps for parent in (a, b)}
    assert used == set(range(nodes - 1))  # every node but the root is some step's input
    for position, (_, a, b) in enumerate(program.steps, start=len(program.leaves)):
        assert a < position and b < position


def test_program_is_the_same_for_a_seed_and_differs_between_seeds():
    assert make_program(seed=5, nodes=500) == make_program(seed=5, nodes=500)
    assert make_program(seed=5, nodes=500) != make_program(seed=6, nodes=500)


def test_program_mixes_all_three_operations():
    steps = make_program(seed=0, nodes=3_000).steps
    counts = [sum(1 for code, _, _ in steps if code == c) for c in range(3)]
    assert min(counts) > len(steps) / 6


@pytest.mark.parametrize("unary", ["tanh", "relu"])
def test_engine_gradients_match_hand_written_reverse_mode(unary):
    program = make_program(seed=11, nodes=600)
    nodes = build(program, Value, unary)
    root = nodes[-1]
    root.backward()
    values, grads = reference_values_and_grads(program, unary)
    assert len(topological_order(root)) == program.node_count
    assert [n.data for n in nodes] == pytest.approx(values, rel=1e-12, abs=1e-12)
    assert [n.grad for n in nodes] == pytest.approx(grads, rel=1e-9, abs=1e-12)


def test_engine_gradient_of_a_leaf_matches_a_central_difference():
    program = make_program(seed=2, nodes=200)
    nodes = build(program, Value, "tanh")
    nodes[-1].backward()
    h = 1e-6
    for leaf in (0, 1, len(program.leaves) - 1):
        up = list(program.leaves)
        down = list(program.leaves)
        up[leaf] += h
        down[leaf] -= h
        plus = build(type(program)(tuple(up), program.steps), Value, "tanh")[-1].data
        minus = build(type(program)(tuple(down), program.steps), Value, "tanh")[-1].data
        assert nodes[leaf].grad == pytest.approx((plus - minus) / (2 * h), rel=1e-5, abs=1e-7)


def test_speed_measurement_counts_the_graph_and_keeps_the_collector_on():
    program = make_program(seed=0, nodes=1_000)
    result = measure_speed(OURS, program)
    _, grads = reference_values_and_grads(program, "tanh")
    assert result["nodes"] == 1_000
    assert result["unary"] == "tanh"
    assert result["gc_enabled"] is True
    assert result["leaf_grad_sum"] == pytest.approx(math.fsum(grads[: len(program.leaves)]))
    assert gc.isenabled()


def test_memory_measurement_finds_nothing_for_the_cycle_collector():
    result = measure_memory(OURS, make_program(seed=0, nodes=3_000))
    assert result["nodes"] == 3_000
    assert result["gc_found_after_drop"] == 0
    assert 0 < result["bytes_per_node"] <= result["peak_bytes_per_node"]
    graph_bytes = result["bytes_per_node"] * result["nodes"]
    assert result["bytes_left_after_drop"] < 0.05 * graph_bytes
    assert gc.isenabled()


def test_worker_command_prints_one_json_result(capsys):
    main(["--engine", "gradledger", "--measure", "check", "--nodes", "300", "--seed", "4"])
    result = json.loads(capsys.readouterr().out)
    program = make_program(seed=4, nodes=300)
    values, _ = reference_values_and_grads(program, "relu")
    assert result["unary"] == "relu"
    assert result["nodes"] == 300
    assert result["root_data"] == pytest.approx(values[-1], rel=1e-12)


def _run(engine, seconds, nodes=100, unary="tanh"):
    return {"engine": engine, "unary": unary, "nodes": nodes, "seconds": seconds,
            "build_seconds": seconds / 4, "backward_seconds": 3 * seconds / 4}


def test_summary_takes_medians_and_the_ratio_of_nodes_per_second():
    samples = {
        "gradledger": [_run("gradledger", s) for s in (0.5, 0.1, 0.2)],
        "micrograd": [_run("micrograd", s, unary="relu") for s in (1.0, 2.0, 4.0)],
    }
    summary = summarize_speed(samples, "gradledger", "micrograd")
    ours, theirs = summary["engines"]["gradledger"], summary["engines"]["micrograd"]
    assert ours["seconds"] == 0.2 and theirs["seconds"] == 2.0
    assert ours["nodes_per_second"] == 500.0 and theirs["nodes_per_second"] == 50.0
    assert summary["ratio"] == 10.0
    memory = {"gradledger": {"bytes_per_node": 251.0, "peak_bytes_per_node": 300.0,
                             "bytes_left_after_drop": 0, "gc_found_after_drop": 0}}
    table = format_report(summary, memory, 0.0, "header")
    assert "10.00x  MET" in table
    assert "251.0  NOT MET" in table


def test_agreement_is_the_largest_relative_difference():
    checks = {
        "a": {"root_data": 2.0, "leaf_grad_sum": 1.0, "leaf_grad_abs_sum": 4.0},
        "b": {"root_data": 2.0, "leaf_grad_sum": 1.5, "leaf_grad_abs_sum": 4.0},
    }
    assert agreement(checks) == pytest.approx(1 / 3)
    assert agreement({"a": checks["a"]}) is None
