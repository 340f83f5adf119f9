"""One measurement of one engine, run in a fresh process: `python -m benchmarks.worker ...`.

Measures: graph (build and backward of the deep chain or the random graph, first build and
warm, GC on or off, in phases); speed, memory and check on the random graph; step (the moons
training step, GC on or off); chain (one depth of the deep-chain search).

Prints a single JSON object on stdout. run.py starts one worker per measurement so that no
run inherits another's heap, caches or garbage-collector state.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import statistics
import sys
import tracemalloc
from collections.abc import Callable
from typing import Any

from benchmarks import clock, floor
from benchmarks.engines import ENGINES, Engine
from benchmarks.workloads import deep_chain, moons_step
from benchmarks.workloads.random_graph import Program, build, make_program


def _graph_builder(workload: str, program: Program | None, depth: int,
                   unary: str) -> Callable[[Any], tuple[Any, Any]]:
    """make_leaf -> (the node whose gradient is checked, the root) for a graph workload."""
    if workload == "chain":
        return lambda make_leaf: deep_chain.build_chain(make_leaf, depth)

    def random_graph(make_leaf: Any) -> tuple[Any, Any]:
        nodes = build(program, make_leaf, unary)
        return nodes[0], nodes[-1]

    return random_graph


def _timed_phases(engine: Engine, make_leaf: Any, builder: Callable) -> tuple[dict, Any, Any]:
    """Build, then backward, each timed; the engine's order timed on its own where it has one.

    The floor probe's backward is its two phases in turn (order, then propagate). Any other
    engine is timed by its whole backward(); one with a public topological order has that
    order timed on its own afterwards (its backward may order the graph differently inside,
    so the order is not subtracted from it).
    """
    order = engine.order()
    start = clock.now()
    leaf, root = builder(make_leaf)
    built = clock.now()
    phases = {"build_seconds": built - start}
    if engine.kind == "floor":
        nodes = order(root)
        ordered = clock.now()
        floor.propagate(nodes)
        done = clock.now()
        del nodes
        phases.update(order_seconds=ordered - built, propagate_seconds=done - ordered,
                      backward_seconds=done - built)
        return phases, leaf, root
    root.backward()
    phases["backward_seconds"] = clock.now() - built
    if order is not None:
        start = clock.now()
        nodes = order(root)
        phases["order_seconds"] = clock.now() - start
        del nodes
    return phases, leaf, root


def measure_graph(engine: Engine, workload: str, program: Program | None, depth: int,
                  gc_on: bool = True) -> dict[str, Any]:
    """Time build and backward of a graph workload twice in this process: the first build
    (a fresh interpreter) and, after dropping that graph, a warm one.

    With gc_on False the cycle collector is off for both (and collects only between them,
    so that a graph with cycles is gone before the warm build).
    """
    make_leaf = engine.leaf_maker()
    builder = _graph_builder(workload, program, depth, engine.unary)
    gc.collect()
    if not gc_on:
        gc.disable()
    try:
        first, leaf, root = _timed_phases(engine, make_leaf, builder)
        nodes = engine.count_nodes(root)
        checked = float(root.data), float(leaf.grad)
        del leaf, root
        gc.collect()
        warm, leaf, root = _timed_phases(engine, make_leaf, builder)
        del leaf, root
    finally:
        gc.enable()
    result = {"engine": engine.name, "workload": workload, "unary": engine.unary,
              "nodes": nodes, "gc": gc_on, "first": first, "warm": warm,
              "root_data": checked[0], "leaf_grad": checked[1]}
    if workload == "chain":
        result["depth"] = depth
    return result


def measure_speed(engine: Engine, program: Program, unary: str | None = None) -> dict[str, Any]:
    """Build and backprop the random graph once (default GC on); root value and leaf-gradient
    sums, to check that the engines compute the same thing."""
    value = engine.leaf_maker()
    unary = unary or engine.unary
    gc.collect()
    start = clock.now()
    nodes = build(program, value, unary)
    built = clock.now()
    nodes[-1].backward()
    done = clock.now()
    root = nodes[-1]
    leaf_grads = [float(node.grad) for node in nodes[: len(program.leaves)]]
    return {
        "engine": engine.name,
        "unary": unary,
        "nodes": engine.count_nodes(root),
        "build_seconds": built - start,
        "backward_seconds": done - built,
        "seconds": done - start,
        "root_data": float(root.data),
        "leaf_grad_sum": math.fsum(leaf_grads),
        "leaf_grad_abs_sum": math.fsum(abs(g) for g in leaf_grads),
        "gc_enabled": gc.isenabled(),
    }


def _fill_tuple_free_lists() -> None:
    """Create and drop a few thousand 1- and 2-tuples.

    CPython keeps up to 2000 freed tuples of each small size for reuse (gc.collect() empties
    those lists). Filling them before the baseline keeps them out of the leftover count.
    """
    spare = [(i,) for i in range(3000)] + [(i, i) for i in range(3000)]
    del spare


def measure_memory(engine: Engine, program: Program) -> dict[str, Any]:
    """Bytes per node of a live graph (tracemalloc), and whether dropping it frees it.

    The cycle collector is off while measuring: whatever is still allocated after the root
    is dropped was not freed by reference counting, and gc.collect() then reports how many
    unreachable objects it had to find.
    """
    value = engine.value_type()
    was_tracing = tracemalloc.is_tracing()
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        _fill_tuple_free_lists()
        baseline = tracemalloc.get_traced_memory()[0]
        nodes = build(program, value, engine.unary)
        root = nodes[-1]
        del nodes
        root.backward()
        alive, peak = tracemalloc.get_traced_memory()
        count = engine.count_nodes(root)
        del root
        after_drop = tracemalloc.get_traced_memory()[0]
        found = gc.collect()
    finally:
        if not was_tracing:
            tracemalloc.stop()
        gc.enable()
    return {
        "engine": engine.name,
        "nodes": count,
        "bytes_per_node": (alive - baseline) / count,
        "peak_bytes_per_node": (peak - baseline) / count,
        "bytes_left_after_drop": after_drop - baseline,
        "gc_found_after_drop": found,
    }


def measure_step(engine: str, steps: int, points: int, seed: int,
                 gc_on: bool = True) -> dict[str, Any]:
    """Time `steps` training steps of the moons demo; every step's loss, for comparison.

    Dynamic steppers also report each step's phases (build, backward; order and propagate
    for the floor probe) and their graph's node count.
    """
    problem = moons_step.make_problem(points=points, seed=seed)
    stepper = moons_step.make_stepper(engine, problem)
    gc.collect()
    if not gc_on:
        gc.disable()
    losses, seconds, phases = [], [], []
    try:
        for k in range(steps):
            start = clock.now()
            losses.append(stepper.step(k))
            seconds.append(clock.now() - start)
            phases.append(dict(getattr(stepper, "phases", {})))
        # An order timed on its own (its graph built untimed, after the last timed step).
        order = stepper.time_order() if hasattr(stepper, "time_order") else {}
    finally:
        gc.enable()
    steady = seconds[1:] or seconds
    steady_phases = phases[1:] or phases
    medians = {name: statistics.median(p[name] for p in steady_phases)
               for name in steady_phases[0]}
    medians.update(order)
    return {
        "engine": engine,
        "steps": steps,
        "points": points,
        "gc": gc_on,
        "losses": losses,
        "step_seconds": seconds,
        "first_step_seconds": seconds[0],
        "median_step_seconds": statistics.median(steady),
        "phases": medians,
        "nodes": getattr(stepper, "nodes", None),
        "parameter_sum": math.fsum(stepper.parameters()),
    }


def measure_chain(engine: Engine, depth: int, raise_recursion_limit: bool) -> dict[str, Any]:
    """One attempt at a chain of `depth` steps: its times, or the error that stopped it."""
    make_leaf = engine.leaf_maker(raise_recursion_limit)
    result: dict[str, Any] = {"engine": engine.name, "depth": depth,
                              "recursion_limit": sys.getrecursionlimit()}
    try:
        result.update(deep_chain.run_chain(make_leaf, depth), ok=True)
    except (RecursionError, MemoryError, RuntimeError) as err:
        message = str(err).splitlines()[0] if str(err) else ""
        result.update(ok=False, error=f"{type(err).__name__}: {message}"[:200])
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=sorted({*ENGINES, *moons_step.STEPPERS}),
                        required=True)
    parser.add_argument("--measure",
                        choices=("graph", "speed", "memory", "check", "step", "chain"),
                        required=True)
    parser.add_argument("--workload", choices=("chain", "random"), default="random",
                        help="graph: the deep chain (--depth) or the random graph (--nodes)")
    parser.add_argument("--clock", choices=sorted(clock.CLOCKS), default="cpu",
                        help="time on this process's CPU clock (default) or wall time")
    parser.add_argument("--gc", choices=("on", "off"), default="on",
                        help="graph, step: the cycle collector while timing")
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=3, help="moons steps to time")
    parser.add_argument("--points", type=int, default=100, help="moons points")
    parser.add_argument("--depth", type=int, default=1000, help="chain steps")
    parser.add_argument("--default-recursion-limit", action="store_true",
                        help="chain: keep Python's recursion limit (do not raise micrograd's)")
    args = parser.parse_args(argv)
    clock.use(args.clock)
    if args.measure == "step":
        result = measure_step(args.engine, args.steps, args.points, args.seed, args.gc == "on")
    else:
        if args.engine not in ENGINES:
            parser.error(f"--measure {args.measure} takes an engine of {sorted(ENGINES)}")
        engine = ENGINES[args.engine]
        if args.measure == "chain":
            result = measure_chain(engine, args.depth, not args.default_recursion_limit)
        elif args.measure == "graph" and args.workload == "chain":
            result = measure_graph(engine, "chain", None, args.depth, args.gc == "on")
        else:
            program = make_program(seed=args.seed, nodes=args.nodes)
            if args.measure == "graph":
                result = measure_graph(engine, "random", program, 0, args.gc == "on")
            elif args.measure == "speed":
                result = measure_speed(engine, program)
            elif args.measure == "check":
                result = measure_speed(engine, program, unary="relu")
            else:
                result = measure_memory(engine, program)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
