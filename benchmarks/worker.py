"""One measurement of one engine, run in a fresh process: `python -m benchmarks.worker ...`.

Prints a single JSON object on stdout. run.py starts one worker per measurement so that no
run inherits another's heap, caches or garbage-collector state.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import time
import tracemalloc
from typing import Any

from benchmarks.engines import ENGINES, Engine
from benchmarks.workloads.random_graph import Program, build, make_program


def measure_speed(engine: Engine, program: Program, unary: str | None = None) -> dict[str, Any]:
    """Time building and backpropagating the program's graph, with the default GC on."""
    value = engine.value_type()
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=sorted(ENGINES), required=True)
    parser.add_argument("--measure", choices=("speed", "memory", "check"), required=True)
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    engine = ENGINES[args.engine]
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
