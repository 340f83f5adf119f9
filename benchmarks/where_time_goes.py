"""Where this engine spends its time on the random graph: python3 benchmarks/where_time_goes.py

Times each phase of build + backward (best of several runs, default GC on, and the build
once more with the cycle collector off), then prints cProfile's busiest functions.
With --moons it profiles the moons training step instead: dynamic mode, and batched replay
(which needs numpy). Uses the current interpreter; no peers needed.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script too

from autograd import Value  # noqa: E402
from autograd.backprop import propagate  # noqa: E402
from autograd.graph import topological_order  # noqa: E402
from benchmarks import floor  # noqa: E402
from benchmarks.workloads.moons_step import make_problem, make_stepper  # noqa: E402
from benchmarks.workloads.random_graph import build, make_program  # noqa: E402


def phase_times(nodes: int, seed: int, repeats: int) -> dict[str, float]:
    """Best-of-`repeats` seconds for each phase of build + backward."""
    program = make_program(seed=seed, nodes=nodes)
    best: dict[str, float] = {}

    def note(phase: str, seconds: float) -> None:
        best[phase] = min(best.get(phase, seconds), seconds)

    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        graph = build(program, Value, "tanh")
        note("build", time.perf_counter() - start)
        root = graph[-1]
        start = time.perf_counter()
        order = topological_order(root)
        note("topological_order", time.perf_counter() - start)
        start = time.perf_counter()
        propagate(root, order=order)
        note("propagate (given the order)", time.perf_counter() - start)
        start = time.perf_counter()
        root.backward()
        note("backward (order + propagate + write .grad)", time.perf_counter() - start)
        del graph, root, order
        gc.collect()
        gc.disable()
        start = time.perf_counter()
        graph = build(program, Value, "tanh")
        note("build with the cycle collector off", time.perf_counter() - start)
        gc.enable()
        del graph
        gc.collect()
        start = time.perf_counter()
        graph = build(program, floor.FloorNode, "tanh")
        note("floor: the same build with FloorNode", time.perf_counter() - start)
        root = graph[-1]
        del graph
        start = time.perf_counter()
        order = floor.order(root)
        note("floor: order", time.perf_counter() - start)
        start = time.perf_counter()
        floor.propagate(order)
        note("floor: propagate", time.perf_counter() - start)
        del root, order
    return best


def profile_moons(top: int) -> None:
    """cProfile of moons training steps: 2 in dynamic mode, 20 in batched replay."""
    problem = make_problem()
    for engine, steps in (("gradledger", 2), ("gradledger-replay", 20)):
        stepper = make_stepper(engine, problem)
        stepper.step(0)  # replay traces its tape here
        profiler = cProfile.Profile()
        profiler.enable()
        for k in range(1, steps + 1):
            stepper.step(k)
        profiler.disable()
        print(f"\ncProfile of {steps} moons steps, {engine} (profiling adds a cost per call):")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--top", type=int, default=12, help="cProfile rows to print")
    parser.add_argument("--moons", action="store_true", help="profile the moons step instead")
    args = parser.parse_args(argv)
    if args.moons:
        profile_moons(args.top)
        return

    print(f"Phases, best of {args.repeats} ({args.nodes:,} nodes):")
    for phase, seconds in phase_times(args.nodes, args.seed, args.repeats).items():
        print(f"  {phase:<45} {seconds:.3f} s  ({seconds / args.nodes * 1e9:,.0f} ns/node)")

    program = make_program(seed=args.seed, nodes=args.nodes)
    profiler = cProfile.Profile()
    profiler.enable()
    build(program, Value, "tanh")[-1].backward()
    profiler.disable()
    print("\ncProfile of one build + backward (profiling adds a cost per call):")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
