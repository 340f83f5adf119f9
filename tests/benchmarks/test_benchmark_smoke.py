"""The benchmark's workload and measurements, tiny and in-process, for this engine only.

No timings are asserted here: speed is measured by `python3 benchmarks/run.py`.
"""

import gc
import json
import math

import pytest

from autograd import Value, topological_order
from benchmarks import floor
from benchmarks.engines import ENGINES
from benchmarks.report import (
    agreement,
    evaluate_targets,
    format_graph,
    format_memory,
    format_targets,
    summarize_graph,
    summarize_steps,
)
from benchmarks.worker import main, measure_graph, measure_memory, measure_speed
from benchmarks.workloads import deep_chain
from benchmarks.workloads.random_graph import ADD, MUL, build, make_program

OURS = ENGINES["gradledger"]
FLOOR = ENGINES["floor"]


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


@pytest.mark.parametrize("unary", ["tanh", "relu"])
def test_floor_probe_builds_the_same_values_and_gradients(unary):
    program = make_program(seed=7, nodes=800)
    nodes = build(program, floor.FloorNode, unary)
    values, grads = reference_values_and_grads(program, unary)
    order = floor.order(nodes[-1])
    floor.propagate(order)
    assert len(order) == program.node_count
    assert [n.data for n in nodes] == pytest.approx(values, rel=1e-12, abs=1e-12)
    assert [n.grad for n in nodes] == pytest.approx(grads, rel=1e-9, abs=1e-12)


def test_floor_order_puts_every_node_once_after_its_parents_and_the_root_last():
    nodes = build(make_program(seed=1, nodes=500), floor.FloorNode, "tanh")
    order = floor.order(nodes[-1])
    position = {id(node): i for i, node in enumerate(order)}
    assert len(position) == len(order) == 500 and order[-1] is nodes[-1]
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]


def test_floor_wraps_numbers_on_either_side_as_leaves_like_a_value():
    x = floor.FloorNode(0.5)
    y = (2 * x + 1) * x + x * 3.0 + (0.25 + x).relu()
    y.backward()
    assert y.data == pytest.approx((2 * 0.5 + 1) * 0.5 + 1.5 + 0.75)
    assert x.grad == pytest.approx(4 * 0.5 + 1 + 3.0 + 1.0)
    v = Value(0.5)
    w = (2 * v + 1) * v + v * 3.0 + (0.25 + v).relu()
    assert FLOOR.count_nodes(y) == OURS.count_nodes(w)


@pytest.mark.parametrize("engine", [OURS, FLOOR], ids=["gradledger", "floor"])
@pytest.mark.parametrize("gc_on", [True, False])
def test_graph_measurement_times_each_phase_of_both_builds(engine, gc_on):
    program = make_program(seed=0, nodes=1_000)
    result = measure_graph(engine, "random", program, 0, gc_on)
    _, grads = reference_values_and_grads(program, "tanh")
    assert result["nodes"] == 1_000 and result["gc"] is gc_on
    assert result["leaf_grad"] == pytest.approx(grads[0], rel=1e-9)
    for when in ("first", "warm"):
        assert {"build_seconds", "backward_seconds", "order_seconds"} <= set(result[when])
    assert ("propagate_seconds" in result["first"]) == (engine is FLOOR)
    assert gc.isenabled()


def test_graph_measurement_of_the_chain_checks_its_gradient():
    result = measure_graph(OURS, "chain", None, 300, True)
    assert result["nodes"] == 1 + 4 * 300
    assert result["leaf_grad"] == pytest.approx(1.0001**300, rel=1e-12)
    assert deep_chain.gradient_error_of(result) < 1e-12


def test_speed_check_reports_the_same_sums_as_hand_written_reverse_mode():
    program = make_program(seed=0, nodes=1_000)
    _, grads = reference_values_and_grads(program, "relu")
    for engine in (OURS, FLOOR):
        result = measure_speed(engine, program, unary="relu")
        assert result["leaf_grad_sum"] == pytest.approx(math.fsum(grads[: len(program.leaves)]))


@pytest.mark.parametrize("engine", [OURS, FLOOR], ids=["gradledger", "floor"])
def test_memory_measurement_finds_nothing_for_the_cycle_collector(engine):
    result = measure_memory(engine, make_program(seed=0, nodes=3_000))
    assert result["nodes"] == 3_000
    assert result["gc_found_after_drop"] == 0
    assert 0 < result["bytes_per_node"] <= result["peak_bytes_per_node"]
    graph_bytes = result["bytes_per_node"] * result["nodes"]
    assert result["bytes_left_after_drop"] < 0.05 * graph_bytes
    assert gc.isenabled()


def test_worker_command_prints_one_json_result(capsys):
    main(["--engine", "floor", "--measure", "check", "--nodes", "300", "--seed", "4"])
    result = json.loads(capsys.readouterr().out)
    program = make_program(seed=4, nodes=300)
    values, _ = reference_values_and_grads(program, "relu")
    assert result["unary"] == "relu"
    assert result["nodes"] == 300
    assert result["root_data"] == pytest.approx(values[-1], rel=1e-12)
    main(["--engine", "gradledger", "--measure", "graph", "--workload", "chain", "--depth",
          "50", "--gc", "off"])
    result = json.loads(capsys.readouterr().out)
    assert result["gc"] is False and result["depth"] == 50 and result["nodes"] == 201


def _graph_run(engine, nodes, build_s, backward_s, order_s=None, warm_build_s=None):
    phases = {"build_seconds": build_s, "backward_seconds": backward_s}
    if order_s is not None:
        phases["order_seconds"] = order_s
    warm = dict(phases, build_seconds=warm_build_s or build_s)
    return {"engine": engine, "unary": "tanh", "nodes": nodes, "first": phases, "warm": warm}


def _graph_rows(gc_on=True):
    """gradledger 0.1 s build + 0.1 s backward, micrograd 0.5 + 1.5, floor 0.08 + 0.05."""
    return summarize_graph({
        ("gradledger", gc_on): [_graph_run("gradledger", 100_000, b, 0.1, 0.04, 0.09)
                                for b in (0.3, 0.1, 0.1)],
        ("micrograd", gc_on): [_graph_run("micrograd", 100_000, 0.5, 1.5)],
        ("floor", gc_on): [_graph_run("floor", 100_000, 0.08, 0.05, 0.03)],
    })


def test_graph_summary_takes_medians_and_the_table_prints_every_row_and_ratio():
    rows = {**_graph_rows(True), **_graph_rows(False)}
    ours = rows[("gradledger", True)]
    assert ours["first"]["build_seconds"] == 0.1 and ours["warm"]["build_seconds"] == 0.09
    assert ours["first"]["propagate_seconds"] is None
    table = format_graph(rows, "header")
    lines = table.splitlines()
    for engine in ("gradledger", "micrograd", "floor"):
        for setting in ("on", "off"):
            assert sum(1 for line in lines if line.split()[:2] == [engine, setting]) == 1
    ours_line = next(line for line in lines if line.startswith("gradledger  on"))
    # build 1,000 ns/node; 5.00x micrograd's build, 10.00x its build + backward, 1.25x floor
    assert ours_line.split()[3] == "1,000" and ours_line.split()[5] == "400"
    assert "5.00" in ours_line and "10.00" in ours_line and "1.25" in ours_line


def _step_rows():
    def run(engine, step_s, build_s=None, backward_s=None, nodes=None, points=100):
        phases = {} if build_s is None else {"build_seconds": build_s,
                                             "backward_seconds": backward_s}
        return {"engine": engine, "steps": 3, "losses": [1.0, 0.5], "first_step_seconds": 1.0,
                "median_step_seconds": step_s, "phases": phases, "nodes": nodes,
                "points": points}

    samples = {}
    for gc_on in (True, False):
        samples[("gradledger", gc_on, 100)] = [run("gradledger", 0.05, 0.03, 0.02, 1000)]
        samples[("micrograd", gc_on, 100)] = [run("micrograd", 1.0, 0.6, 0.4, 1000)]
        samples[("floor", gc_on, 100)] = [run("floor", 0.04, 0.024, 0.016, 1000)]
        for points, replay_s, torch_s in ((100, 0.0004, 0.001), (10_000, 0.02, 0.01)):
            samples[("gradledger-replay", gc_on, points)] = [run("gradledger-replay", replay_s)]
            samples[("torch-batched", gc_on, points)] = [run("torch-batched", torch_s)]
        samples[("gradledger-replay-torch", gc_on, 100)] = [
            run("gradledger-replay-torch", 0.0003)]
    return summarize_steps(samples)


def test_targets_give_each_figure_and_verdict():
    graphs = {"random": {**_graph_rows(True), **_graph_rows(False)}}
    steps = _step_rows()
    memory = {"gradledger": {"bytes_per_node": 120.0, "peak_bytes_per_node": 130.0,
                             "bytes_left_after_drop": 0, "gc_found_after_drop": 0}}
    targets = {t["target"]: t for t in evaluate_targets(graphs, steps, steps, memory)}
    wide = targets["GC on: wide graph, build + backward >= 10x micrograd"]
    assert wide["figure"] == pytest.approx(10.0) and wide["met"] is True
    demo = targets["GC on: demo training step >= 12x micrograd"]
    assert demo["figure"] == pytest.approx(20.0) and demo["met"] is True
    first = targets["GC on: random graph, first build >= 3.5x micrograd"]
    assert first["figure"] == pytest.approx(5.0) and first["met"] is True
    build = targets["GC on: build within 1.25x floor, random graph (first)"]
    assert build["figure"] == pytest.approx(1.25) and build["met"] is True
    backward = targets["GC on: backward within 1.5x floor, random graph"]
    assert backward["figure"] == pytest.approx(2.0) and backward["met"] is False
    small = targets["GC on: batched replay, 100 points <= 0.5x torch batched time"]
    assert small["figure"] == pytest.approx(0.4) and small["met"] is True
    large = targets["GC off: batched replay, 10,000 points <= 1x torch batched time"]
    assert large["figure"] == pytest.approx(2.0) and large["met"] is False
    assert targets["GC on: backward within 1.5x floor, deep chain"]["met"] is None
    assert targets["memory <= 128 bytes per node (random graph)"]["met"] is True
    assert targets["graphs freed without the cycle collector"]["met"] is True
    table = format_targets(list(targets.values()))
    for name, t in targets.items():
        line = next(line for line in table.splitlines() if name in line)
        assert line.endswith("not measured" if t["met"] is None
                             else (" MET" if t["met"] else "NOT MET"))
    assert "2.00x  NOT MET" in table and "120.0 B" in table
    # the floor's own speed-up beside each micrograd target: 2.0 s / (0.08 + 0.05) s
    assert "10.00x (floor 15.38x)  MET" in table
    assert "0.40x (backend torch 0.30x)  MET" in table


def test_memory_table_prints_every_engine():
    memory = {name: {"bytes_per_node": b, "peak_bytes_per_node": b + 1.0,
                     "bytes_left_after_drop": left, "gc_found_after_drop": found}
              for name, b, left, found in (("gradledger", 120.5, 10, 0),
                                           ("micrograd", 780.0, 15_000_000, 133_637))}
    table = format_memory(memory, 20_000, 0.0)
    assert "gradledger       120.5" in table and "133,637" in table and "15,000,000" in table


def test_agreement_is_the_largest_relative_difference():
    checks = {
        "a": {"root_data": 2.0, "leaf_grad_sum": 1.0, "leaf_grad_abs_sum": 4.0},
        "b": {"root_data": 2.0, "leaf_grad_sum": 1.5, "leaf_grad_abs_sum": 4.0},
    }
    assert agreement(checks) == pytest.approx(1 / 3)
    assert agreement({"a": checks["a"]}) is None


def test_graph_table_says_why_an_engine_has_no_row():
    table = format_graph(_graph_rows(True), "header",
                         {("torch", True): "failed: exit code -11: "})
    assert "torch       on  failed: exit code -11" in table


def test_clock_choice_is_checked_and_switches_the_clock():
    from benchmarks import clock

    with pytest.raises(ValueError, match="unknown clock 'sundial'"):
        clock.use("sundial")
    try:
        clock.use("wall")
        assert clock.now is clock.CLOCKS["wall"]
    finally:
        clock.use("cpu")
    assert clock.now is clock.CLOCKS["cpu"]
