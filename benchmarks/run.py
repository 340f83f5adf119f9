"""Run every installed engine side by side on the benchmark workloads: python3 benchmarks/run.py

Three workloads: the wide random graph (nodes/s), the micrograd demo's training step, and
the deepest chain that still backpropagates. Each measurement runs in a fresh subprocess of
the benchmarks' own environment (benchmarks/.venv, created on first use), engines
alternating, several repeats. Prints tables and writes JSON to benchmarks/results/.
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
    agreement,
    format_chain,
    format_report,
    format_steps,
    loss_agreement,
    step_targets,
    summarize_speed,
    summarize_steps,
    targets,
)
from benchmarks.workloads import deep_chain  # noqa: E402
from benchmarks.workloads.moons_step import STEPPERS  # noqa: E402

SUBJECT, REFERENCE = "gradledger", "micrograd"
WORKLOADS = ("random_graph", "moons", "chain")
FAST_STEPPERS = ("gradledger-replay", "gradledger-replay-scalar", "torch-batched")
CHAIN_RUNS = {  # row name: (engine, keep Python's default recursion limit)
    "gradledger": ("gradledger", True),
    "micrograd (recursion limit 1,000)": ("micrograd", True),
    "micrograd (recursion limit 100,000)": ("micrograd", False),
    "torch (0-dim tensors)": ("torch", True),
}
CHAIN_START = 1_000
CHAIN_TIMEOUT = 300


class WorkerFailed(RuntimeError):
    """A worker process exited with an error (or was killed by a signal)."""


def worker(python: Path, *options: str, timeout: float | None = None) -> dict:
    """One measurement in a fresh interpreter; returns the worker's JSON result."""
    command = [str(python), "-m", "benchmarks.worker", *options]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise WorkerFailed(f"no result within {timeout:g} s") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [""])[-1]
        raise WorkerFailed(f"exit code {done.returncode}: {last}"[:200])
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_worker(python: Path, engine: str, measure: str, nodes: int, seed: int) -> dict:
    """A random-graph measurement; stops the benchmark if the worker fails."""
    try:
        return worker(python, "--engine", engine, "--measure", measure, "--nodes", str(nodes),
                      "--seed", str(seed))
    except WorkerFailed as err:
        raise SystemExit(f"{engine} {measure} run failed: {err}") from None


def available(python: Path) -> set[str]:
    """Names of graph engines and moons steppers whose modules the environment has."""
    probe = ("import importlib.util, json; from benchmarks.engines import ENGINES; "
             "from benchmarks.workloads.moons_step import REQUIRES; "
             "found = lambda m: importlib.util.find_spec(m.split('.')[0]) is not None; "
             "print(json.dumps([n for n, e in ENGINES.items() if found(e.module)] + "
             "[n for n, m in REQUIRES.items() if found(m)]))")
    done = subprocess.run([str(python), "-c", probe], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"could not probe the engines in {python}:\n{done.stderr}")
    return set(json.loads(done.stdout))


def alternating(names: list[str], repeat: int) -> list[str]:
    """Engines in order on even repeats and reversed on odd ones, so drift hits all alike."""
    return names if repeat % 2 == 0 else names[::-1]


def random_graph(python: Path, engines: list[str], args: argparse.Namespace) -> tuple[str, dict]:
    """Nodes per second to build and backprop the random graph; memory; agreement."""
    samples: dict[str, list[dict]] = {name: [] for name in engines}
    for repeat in range(args.repeats):
        for name in alternating(engines, repeat):
            result = run_worker(python, name, "speed", args.nodes, args.seed)
            samples[name].append(result)
            print(f"random graph {repeat + 1}/{args.repeats} {name:<12} {result['seconds']:.3f} s "
                  f"({result['nodes'] / result['seconds']:,.0f} nodes/s)", flush=True)
    # tracemalloc sees Python objects only, so torch's C++ graph has no figure here.
    memory = {name: run_worker(python, name, "memory", args.nodes, args.seed)
              for name in engines if ENGINES[name].kind == "value"}
    checks = {name: run_worker(python, name, "check", args.nodes, args.seed) for name in engines}
    summary = summarize_speed(samples, SUBJECT, REFERENCE)
    header = (f"Random graph, {args.nodes:,} nodes (+, *, tanh or relu; seed {args.seed}): "
              f"build + backward,\n{_processes(args.repeats)} per engine, default GC on")
    text = format_report(summary, memory, agreement(checks), header)
    return text, {
        "nodes": args.nodes, "seed": args.seed, "repeats": args.repeats, "speed": summary,
        "samples": samples, "memory": memory, "checks": checks,
        "engines_agree_to": agreement(checks), "targets": targets(summary, memory),
    }


def moons(python: Path, engines: list[str], args: argparse.Namespace) -> tuple[str, dict]:
    """The demo's training step in every engine, from the same weights; losses compared."""
    samples: dict[str, list[dict]] = {name: [] for name in engines}
    for repeat in range(args.moons_repeats):
        for name in alternating(engines, repeat):
            steps = args.fast_steps if name in FAST_STEPPERS else args.steps
            try:
                result = worker(python, "--engine", name, "--measure", "step", "--steps",
                                str(steps), "--points", str(args.points), "--seed", "1337")
            except WorkerFailed as err:
                raise SystemExit(f"{name} moons step failed: {err}") from None
            samples[name].append(result)
            print(f"moons step {repeat + 1}/{args.moons_repeats} {name:<24} "
                  f"{result['median_step_seconds']:.4f} s per step", flush=True)
    engines_summary = summarize_steps(samples)
    differences = loss_agreement(engines_summary)
    header = (f"Micrograd demo training step: MLP 2-16-16-1 (relu), {args.points} moons points, "
              f"max-margin loss + 1e-4 L2, SGD;\nsame data and starting weights everywhere; "
              f"{_processes(args.moons_repeats)} per engine, {args.steps} steps each "
              f"({args.fast_steps} for {', '.join(FAST_STEPPERS)})")
    text = format_steps(engines_summary, differences, header)
    return text, {
        "points": args.points, "repeats": args.moons_repeats, "engines": engines_summary,
        "samples": samples, "loss_relative_difference": differences,
        "targets": step_targets(engines_summary),
    }


def chain(python: Path, runs: dict[str, tuple[str, bool]], cap: int) -> tuple[str, dict]:
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


def _processes(n: int) -> str:
    return f"{n} fresh process{'es' if n != 1 else ''}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", nargs="+", choices=WORKLOADS, default=list(WORKLOADS))
    parser.add_argument("--engines", nargs="+", choices=sorted({*ENGINES, *STEPPERS}),
                        help="only these engines (graph engines and moons steppers by name)")
    parser.add_argument("--quick", action="store_true",
                        help="a short run: 2 repeats, 20,000 nodes, chain cap 16,384")
    parser.add_argument("--repeats", type=int, help="random graph: fresh runs per engine (5)")
    parser.add_argument("--nodes", type=int, help="random graph size (100000)")
    parser.add_argument("--seed", type=int, default=0, help="random graph seed")
    parser.add_argument("--moons-repeats", type=int, help="moons: fresh runs per engine (3)")
    parser.add_argument("--steps", type=int, default=3, help="moons steps per process (3)")
    parser.add_argument("--fast-steps", type=int, default=30,
                        help="moons steps per process for batched engines (30)")
    parser.add_argument("--points", type=int, default=100, help="moons points (100)")
    parser.add_argument("--chain-cap", type=int, help="deepest chain tried (262144)")
    parser.add_argument("--python", type=Path,
                        help="use this interpreter instead of creating benchmarks/.venv")
    parser.add_argument("--out", type=Path, help="JSON file (default benchmarks/results/...)")
    args = parser.parse_args(argv)
    args.repeats = args.repeats or (2 if args.quick else 5)
    args.moons_repeats = args.moons_repeats or (2 if args.quick else 3)
    args.nodes = args.nodes or (20_000 if args.quick else 100_000)
    cap = args.chain_cap or (16_384 if args.quick else 262_144)

    python = args.python.absolute() if args.python else ensure_environment()
    found = available(python)
    wanted = set(args.engines) if args.engines else {*ENGINES, *STEPPERS}
    for name in sorted(wanted - found):
        print(f"skipping {name}: not installed in {python}")
    use = wanted & found
    machine = (f"Python {platform.python_version()} on {platform.machine()}, "
               f"{os.cpu_count()} CPUs, {platform.platform()}")
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    record: dict = {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count(), "utc": stamp, "load_average_at_start":
                    os.getloadavg() if hasattr(os, "getloadavg") else None}
    tables = []
    if "random_graph" in args.workloads:
        text, record["random_graph"] = random_graph(
            python, [n for n in ENGINES if n in use], args)
        tables.append(text)
    if "moons" in args.workloads:
        text, record["moons"] = moons(python, [n for n in STEPPERS if n in use], args)
        tables.append(text)
    if "chain" in args.workloads:
        runs = {row: run for row, run in CHAIN_RUNS.items() if run[0] in use}
        text, record["chain"] = chain(python, runs, cap)
        tables.append(text)
    record["load_average_at_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    print()
    print(machine)
    if record["load_average_at_start"] is not None:
        start, end = record["load_average_at_start"], record["load_average_at_end"]
        print(f"load average (1 min) at start {start[0]:.2f}, at end {end[0]:.2f}")
    print("\n\n".join(tables))

    out = args.out or ROOT / "benchmarks" / "results" / f"benchmarks-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2))
    print(f"\nwrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


if __name__ == "__main__":
    main()
