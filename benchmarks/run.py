"""Run every installed engine side by side on the benchmark workloads: python3 benchmarks/run.py

Workloads: the deep chain and the wide random graph (build, order, propagate and backward
per node, first build and warm, against micrograd, torch 0-dim tensors and the floor
probes), the micrograd demo's training step, the same step batched at 100, 1,000 and 10,000
points, memory per node, and the deepest chain that still backpropagates. Every
measurement runs in a fresh subprocess of the benchmarks' own environment
(benchmarks/.venv, created on first use), engines alternating, with the cycle collector on
and off. Prints the tables and the targets of issue 14, and writes JSON to
benchmarks/results/.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script too

from benchmarks.engines import ENGINES  # noqa: E402
from benchmarks.environment import ROOT, ensure_environment  # noqa: E402
from benchmarks.report import (  # noqa: E402
    GC_SETTINGS,
    agreement,
    evaluate_targets,
    format_batched,
    format_chain,
    format_demo,
    format_graph,
    format_memory,
    format_targets,
    gc_label,
    summarize_graph,
    summarize_steps,
)
from benchmarks.workloads import deep_chain  # noqa: E402
from benchmarks.workloads.moons_step import BATCHED, STEPPERS  # noqa: E402

WORKLOADS = ("chain", "random", "demo", "batched", "depth")
DEMO_POINTS = 100
SIZES = (100, 1_000, 10_000)
CHAIN_RUNS = {  # row name: (engine, keep Python's default recursion limit)
    "gradledger": ("gradledger", True),
    "micrograd (recursion limit 1,000)": ("micrograd", True),
    "micrograd (recursion limit 100,000)": ("micrograd", False),
    "torch (0-dim tensors)": ("torch", True),
}
CHAIN_START = 1_000
CHAIN_TIMEOUT = 300
CLOCK_NAMES = {"cpu": "CPU time of the measuring process (time.process_time)",
               "wall": "wall-clock time (time.perf_counter)"}
clock_name = "cpu"
"""The clock the workers time with (main sets it from --clock)."""


BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


class WorkerFailed(RuntimeError):
    """A worker process exited with an error (or was killed by a signal)."""


def worker(python: Path, *options: str, timeout: float | None = None) -> dict:
    """One measurement in a fresh interpreter; returns the worker's JSON result."""
    command = [str(python), "-m", "benchmarks.worker", *options, "--clock", clock_name]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    # One thread for numpy's matrix products too, as torch gets (TORCH_THREADS): extra BLAS
    # threads busy-wait, and the CPU clock counts every thread, so they showed as time.
    env.update({name: "1" for name in BLAS_THREAD_VARIABLES})
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise WorkerFailed(f"no result within {timeout:g} s") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [""])[-1]
        raise WorkerFailed(f"exit code {done.returncode}: {last}"[:200])
    return json.loads(done.stdout.strip().splitlines()[-1])


def must(python: Path, what: str, *options: str) -> dict:
    """A measurement that has to succeed: stops the benchmark, naming it, if it fails."""
    try:
        return worker(python, *options)
    except WorkerFailed as err:
        raise SystemExit(f"{what} failed: {err}") from None


def available(python: Path, wanted: set[str]) -> tuple[set[str], dict[str, str]]:
    """Engines whose modules the environment has, and the wanted replay engines this
    checkout's autograd cannot run yet (name: why)."""
    probe = ("import importlib.util, json; from benchmarks.engines import ENGINES; "
             "from benchmarks.workloads.moons_step import REQUIRES, REPLAY_OPTIONS, "
             "replay_unavailable; "
             "found = lambda m: importlib.util.find_spec(m.split('.')[0]) is not None; "
             "print(json.dumps([[n for n, e in ENGINES.items() if found(e.module)] + "
             "[n for n, m in REQUIRES.items() if found(m)], "
             "{n: r for n in REPLAY_OPTIONS if found(REQUIRES[n]) and n in "
             f"{sorted(wanted)!r} and (r := replay_unavailable(n))}}]))")
    done = subprocess.run([str(python), "-c", probe], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"could not probe the engines in {python}:\n{done.stderr}")
    found, unavailable = json.loads(done.stdout)
    return set(found), unavailable


def alternating(names: list[str], repeat: int) -> list[str]:
    """Engines in order on even repeats and reversed on odd ones, so drift hits all alike."""
    return names if repeat % 2 == 0 else names[::-1]


def graph_workload(python: Path, workload: str, engines: list[str], args: argparse.Namespace,
                   gc_settings: tuple[bool, ...]) -> tuple[str, dict]:
    """Build and backward of the deep chain or the random graph, per node, every engine."""
    samples: dict[tuple[str, bool], list[dict]] = {
        (name, on): [] for name in engines for on in gc_settings}
    failures: dict[tuple[str, bool], str] = {}
    size = ["--depth", str(args.depth)] if workload == "chain" else [
        "--nodes", str(args.nodes), "--seed", str(args.seed)]
    for repeat in range(args.repeats):
        for gc_on in gc_settings if repeat % 2 == 0 else gc_settings[::-1]:
            for name in alternating(engines, repeat):
                if (name, gc_on) in failures:
                    continue
                try:
                    result = worker(python, "--engine", name, "--measure", "graph",
                                    "--workload", workload, *size, "--gc", gc_label(gc_on))
                except WorkerFailed as err:  # torch crashes on deep graphs: say so, go on
                    failures[(name, gc_on)] = f"failed: {err}"
                    print(f"{workload} GC {gc_label(gc_on)} {name}: {failures[(name, gc_on)]}")
                    continue
                if workload == "chain" and deep_chain.gradient_error_of(result) > 1e-9:
                    raise SystemExit(f"{name} chain: wrong gradient {result['leaf_grad']!r}")
                samples[(name, gc_on)].append(result)
                first = result["first"]
                print(f"{workload} {repeat + 1}/{args.repeats} GC {gc_label(gc_on):<3} {name:<11} "
                      f"build {first['build_seconds']:.3f} s, backward "
                      f"{first['backward_seconds']:.3f} s", flush=True)
    rows = summarize_graph(samples)
    if workload == "chain":
        header = (f"Deep chain: x = x * 1.0001 + 0.1, {args.depth:,} steps (4 nodes a step), "
                  f"then backward;\n{_processes(args.repeats)} per engine and GC setting")
    else:
        header = (f"Wide random graph, {args.nodes:,} nodes (+, *, tanh; micrograd relu; seed "
                  f"{args.seed}), then backward;\n{_processes(args.repeats)} per engine and "
                  "GC setting")
    return format_graph(rows, header, failures), {
        "failures": {f"{k[0]} gc {gc_label(k[1])}": v for k, v in failures.items()},
        "samples": {f"{k[0]} gc {gc_label(k[1])}": v for k, v in samples.items()},
        "rows": {f"{k[0]} gc {gc_label(k[1])}": v for k, v in rows.items()}, "summary": rows}


def memory_and_agreement(python: Path, engines: list[str],
                         args: argparse.Namespace) -> tuple[str, dict]:
    """Bytes per node and freeing (Python-object engines), and the engines' agreement."""
    memory = {name: must(python, f"{name} memory", "--engine", name, "--measure", "memory",
                         "--nodes", str(args.nodes), "--seed", str(args.seed))
              for name in engines if ENGINES[name].kind != "torch"}
    checks = {name: must(python, f"{name} check", "--engine", name, "--measure", "check",
                         "--nodes", str(args.nodes), "--seed", str(args.seed))
              for name in engines}
    difference = agreement(checks)
    return format_memory(memory, args.nodes, difference), {
        "memory": memory, "checks": checks, "engines_agree_to": difference}


def steps(python: Path, plan: list[tuple[str, int, int]], repeats: int,
          gc_settings: tuple[bool, ...]) -> dict:
    """Moons training steps: plan lists (engine, points, steps); every run a fresh process."""
    samples: dict[tuple[str, bool, int], list[dict]] = {
        (name, on, points): [] for name, points, _ in plan for on in gc_settings}
    for repeat in range(repeats):
        for gc_on in gc_settings if repeat % 2 == 0 else gc_settings[::-1]:
            for name, points, count in (plan if repeat % 2 == 0 else plan[::-1]):
                result = must(python, f"{name} step at {points} points (GC {gc_label(gc_on)})",
                              "--engine", name, "--measure", "step", "--steps", str(count),
                              "--points", str(points), "--seed", "1337", "--gc", gc_label(gc_on))
                samples[(name, gc_on, points)].append(result)
                print(f"step {repeat + 1}/{repeats} GC {gc_label(gc_on):<3} {name:<24} "
                      f"{points:>6,} points {1e3 * result['median_step_seconds']:9.3f} ms",
                      flush=True)
    return samples


def depth_search(python: Path, runs: dict[str, tuple[str, bool]], cap: int) -> tuple[str, dict]:
    """For each engine, the deepest chain that backpropagates (up to cap steps)."""
    results = {}
    for row, (engine, default_limit) in runs.items():
        ok, failed, deepest, stopped_by, attempts = 0, None, None, f"cap of {cap:,} reached", []
        depth = deep_chain.next_depth(ok, failed, cap, CHAIN_START)
        while depth is not None:
            options = ["--engine", engine, "--measure", "chain", "--depth", str(depth)]
            try:
                result = worker(python, *options, *(["--default-recursion-limit"]
                                                    if default_limit else []),
                                timeout=CHAIN_TIMEOUT)
            except WorkerFailed as err:
                result = {"depth": depth, "ok": False, "error": f"process died ({err})"}
            if result["ok"] and result["gradient_relative_error"] > 1e-9:
                result.update(ok=False, error="wrong gradient")
            attempts.append(result)
            print(f"chain {row:<36} {depth:>9,} steps: "
                  f"{'ok' if result['ok'] else result['error']}", flush=True)
            if result["ok"]:
                ok, deepest = depth, result
            else:
                failed, stopped_by = depth, f"{result['error']} at {depth:,}"
            depth = deep_chain.next_depth(ok, failed, cap, CHAIN_START)
        results[row] = {"depth": ok, "deepest": deepest, "stopped_by": stopped_by,
                        "attempts": attempts}
    header = f"Deepest chain that backpropagates (search from {CHAIN_START:,} steps, cap {cap:,})"
    return format_chain(results, header), {"cap": cap, "engines": results}


def cpu_model() -> str:
    """" (the processor's model name)" from /proc/cpuinfo where there is one, else ""."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return f" ({line.split(':', 1)[1].strip()})"
    except OSError:
        pass
    return ""


def _processes(n: int) -> str:
    return f"{n} fresh process{'es' if n != 1 else ''}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", nargs="+", choices=WORKLOADS, default=list(WORKLOADS))
    parser.add_argument("--engines", nargs="+", choices=sorted({*ENGINES, *STEPPERS}),
                        help="only these engines (graph engines and moons steppers by name)")
    parser.add_argument("--quick", action="store_true",
                        help="a short run (about 1-2 minutes): 1 repeat, 20,000 nodes, chain "
                             "of 5,000 steps, 2 demo steps, 5 batched steps, depth cap 16,384")
    parser.add_argument("--gc", choices=("both", "on", "off"), default="both",
                        help="the cycle collector while timing (both: every measurement twice)")
    parser.add_argument("--clock", choices=sorted(CLOCK_NAMES), default="cpu",
                        help="time on each worker's CPU clock (default: other work on the "
                             "machine does not count) or wall time")
    parser.add_argument("--repeats", type=int,
                        help="chain and random graph: fresh runs per engine and GC setting (5)")
    parser.add_argument("--nodes", type=int, help="random graph size (100000)")
    parser.add_argument("--depth", type=int, help="timed chain: steps (10000, 4 nodes each)")
    parser.add_argument("--seed", type=int, default=0, help="random graph seed")
    parser.add_argument("--moons-repeats", type=int,
                        help="demo and batched steps: fresh runs per engine, size, GC (3)")
    parser.add_argument("--steps", type=int, help="demo steps per process, dynamic engines (3)")
    parser.add_argument("--fast-steps", type=int,
                        help="steps per process for batched engines (30)")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES),
                        help="batched: points per batch (100 1000 10000)")
    parser.add_argument("--chain-cap", type=int, help="depth search: deepest chain (262144)")
    parser.add_argument("--python", type=Path,
                        help="use this interpreter instead of creating benchmarks/.venv")
    parser.add_argument("--out", type=Path, help="JSON file (default benchmarks/results/...)")
    args = parser.parse_args(argv)
    quick = args.quick
    args.repeats = args.repeats or (1 if quick else 5)
    args.moons_repeats = args.moons_repeats or (1 if quick else 3)
    args.nodes = args.nodes or (20_000 if quick else 100_000)
    args.depth = args.depth or (5_000 if quick else 10_000)
    args.steps = args.steps or (2 if quick else 3)
    args.fast_steps = args.fast_steps or (5 if quick else 30)
    cap = args.chain_cap or (16_384 if quick else 262_144)
    gc_settings = GC_SETTINGS if args.gc == "both" else (args.gc == "on",)
    global clock_name
    clock_name = args.clock

    python = args.python.absolute() if args.python else ensure_environment()
    wanted = set(args.engines) if args.engines else {*ENGINES, *STEPPERS}
    found, unavailable = available(python, wanted)
    for name in sorted(wanted - found):
        print(f"skipping {name}: not installed in {python}")
    for name, reason in unavailable.items():
        if name in wanted:
            print(f"skipping {name}: {reason}")
    use = (wanted & found) - set(unavailable)
    machine = (f"Python {platform.python_version()} on {platform.machine()}{cpu_model()}, "
               f"{os.cpu_count()} CPUs, {platform.platform()}")
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    record: dict = {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count(), "utc": stamp, "machine": machine,
                    "arguments": vars(args) | {"python": str(python), "out": str(args.out)},
                    "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg")
                    else None}
    tables: list[str] = []
    graph_engines = [n for n in ENGINES if n in use]
    graphs: dict[str, dict] = {}
    for workload in ("chain", "random"):
        if workload in args.workloads and graph_engines:
            text, record[workload] = graph_workload(python, workload, graph_engines, args,
                                                    gc_settings)
            graphs[workload] = record[workload].pop("summary")
            tables.append(text)
    memory: dict = {}
    if "random" in args.workloads and graph_engines:
        text, record["memory"] = memory_and_agreement(python, graph_engines, args)
        memory = record["memory"]["memory"]
        tables.append(text)
    plan = []
    if "demo" in args.workloads:
        plan += [(name, DEMO_POINTS, args.steps) for name in STEPPERS
                 if name in use and name not in BATCHED]
    batched_names = [name for name in BATCHED if name in use]
    if "batched" in args.workloads:
        plan += [(name, points, args.fast_steps) for points in args.sizes
                 for name in batched_names]
    elif "demo" in args.workloads:
        plan += [(name, DEMO_POINTS, args.fast_steps) for name in batched_names]
    rows: dict = {}
    if plan:
        samples = steps(python, plan, args.moons_repeats, gc_settings)
        rows = summarize_steps(samples)
        record["steps"] = {"samples": {f"{k[0]} gc {gc_label(k[1])} {k[2]} points": v
                                       for k, v in samples.items()}}
    demo = {k: r for k, r in rows.items() if k[2] == DEMO_POINTS}
    if "demo" in args.workloads and demo:
        header = (f"Micrograd demo training step: MLP 2-16-16-1 (relu), {DEMO_POINTS} moons "
                  "points, max-margin loss + 1e-4 L2, SGD;\nsame data and starting weights "
                  f"everywhere; {_processes(args.moons_repeats)} per engine and GC setting, "
                  f"{args.steps} steps each ({args.fast_steps} for batched engines)")
        tables.append(format_demo(demo, header))
    if "batched" in args.workloads and rows:
        header = (f"The demo step batched: {', '.join(f'{n:,}' for n in args.sizes)} points; "
                  f"{_processes(args.moons_repeats)} per engine, size and GC setting, "
                  f"{args.fast_steps} steps each")
        shown = [n for n in STEPPERS if n in use or n in unavailable]
        tables.append(format_batched(rows, tuple(args.sizes), shown, header,
                                     {n: r for n, r in unavailable.items() if n in wanted}))
    if "depth" in args.workloads:
        runs = {row: run for row, run in CHAIN_RUNS.items() if run[0] in use}
        text, record["depth"] = depth_search(python, runs, cap)
        tables.append(text)
    targets = evaluate_targets(graphs, demo, rows, memory)
    record["targets"] = targets
    record["load_average_at_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    print()
    print(machine)
    if record["load_average_at_start"] is not None:
        start, end = record["load_average_at_start"], record["load_average_at_end"]
        print(f"load average (1 min) at start {start[0]:.2f}, at end {end[0]:.2f}")
    print(f"times: {CLOCK_NAMES[args.clock]}")
    print()
    print("\n\n".join([*tables, format_targets(targets)]))

    out = args.out or ROOT / "benchmarks" / "results" / f"benchmarks-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2, default=str))
    print(f"\nwrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


if __name__ == "__main__":
    main()
