"""One measurement of one engine, run in a fresh process: `python -m benchmarks.worker ...`.

Measures: speed, memory and check on the random graph; step (the moons training step);
chain (one depth of the deep chain).

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
import time
import tracemalloc
from typing import Any

from benchmarks.engines import ENGINES, Engine
from benchmarks.workloads import deep_chain, moons_step
from benchmarks.workloads.random_graph import Program, build, make_program


def measure_speed(engine: Engine, program: Program, unary: str | None = None) -> dict[str, Any]:
    """Time building and backpropagating the program's graph, with the default GC on."""
    value = engine.leaf_maker()
    unary = unary or engine.unary
    gc.collect()
    start = time.perf_counter()
    nodes = build(program, value, unary)
    built = time.perf_counter()
    nodes[-1].backward()
    done = time.perf_counter()
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


def measure_step(engine: str, steps: int, points: int, seed: int) -> dict[str, Any]:
    """Time `steps` training steps of the moons demo; every step's loss, for comparison."""
    problem = moons_step.make_problem(points=points, seed=seed)
    stepper = moons_step.make_stepper(engine, problem)
    gc.collect()
    losses, seconds = [], []
    for k in range(steps):
        start = time.perf_counter()
        losses.append(stepper.step(k))
        seconds.append(time.perf_counter() - start)
    steady = seconds[1:] or seconds
    return {
        "engine": engine,
        "steps": steps,
        "points": points,
        "losses": losses,
        "step_seconds": seconds,
        "first_step_seconds": seconds[0],
        "median_step_seconds": statistics.median(steady),
        "parameter_sum": math.fsum(stepper.parameters()),
        "gc_enabled": gc.isenabled(),
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
    parser.add_argument("--measure", choices=("speed", "memory", "check", "step", "chain"),
                        required=True)
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=3, help="moons steps to time")
    parser.add_argument("--points", type=int, default=100, help="moons points")
    parser.add_argument("--depth", type=int, default=1000, help="chain steps")
    parser.add_argument("--default-recursion-limit", action="store_true",
                        help="chain: keep Python's recursion limit (do not raise micrograd's)")
    args = parser.parse_args(argv)
    if args.measure == "step":
        result = measure_step(args.engine, args.steps, args.points, args.seed)
    else:
        if args.engine not in ENGINES:
            parser.error(f"--measure {args.measure} takes an engine of {sorted(ENGINES)}")
        engine = ENGINES[args.engine]
        if args.measure == "chain":
            result = measure_chain(engine, args.depth, not args.default_recursion_limit)
        else:
            program = make_program(seed=args.seed, nodes=args.nodes)
            if args.measure == "speed":
                result = measure_speed(engine, program)
            elif args.measure == "check":
                result = measure_speed(engine, program, unary="relu")
            else:
                result = measure_memory(engine, program)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
