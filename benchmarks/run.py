"""Run every installed engine side by side on the benchmark workloads: python3 benchmarks/run.py

Each measurement runs in a fresh subprocess of the benchmarks' own environment
(benchmarks/.venv, created on first use), engines alternating, several repeats.
Prints a table and writes JSON to benchmarks/results/.
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
from benchmarks.report import agreement, format_report, summarize_speed, targets  # noqa: E402

SUBJECT, REFERENCE = "gradledger", "micrograd"


def run_worker(python: Path, engine: str, measure: str, nodes: int, seed: int) -> dict:
    """One measurement in a fresh interpreter; returns the worker's JSON result."""
    command = [str(python), "-m", "benchmarks.worker", "--engine", engine,
               "--measure", measure, "--nodes", str(nodes), "--seed", str(seed)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{engine} {measure} run failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def installed(python: Path, engine: str) -> bool:
    """True when the engine imports in the benchmark environment."""
    probe = f"import sys; from benchmarks.engines import ENGINES; " \
            f"sys.exit(0 if ENGINES[{engine!r}].is_installed() else 1)"
    return subprocess.run([str(python), "-c", probe], cwd=ROOT).returncode == 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="fresh runs per engine (5)")
    parser.add_argument("--nodes", type=int, default=100_000, help="graph size (100000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engines", nargs="+", choices=sorted(ENGINES), default=list(ENGINES))
    parser.add_argument("--python", type=Path,
                        help="use this interpreter instead of creating benchmarks/.venv")
    parser.add_argument("--out", type=Path, help="JSON file (default benchmarks/results/...)")
    args = parser.parse_args(argv)

    python = args.python.absolute() if args.python else ensure_environment()
    engines = [name for name in args.engines if installed(python, name)]
    for name in set(args.engines) - set(engines):
        print(f"skipping {name}: not installed in {python}")

    samples: dict[str, list[dict]] = {name: [] for name in engines}
    for repeat in range(args.repeats):
        # Alternate engines, and which one goes first, so drift in the machine hits all alike.
        for name in engines if repeat % 2 == 0 else engines[::-1]:
            result = run_worker(python, name, "speed", args.nodes, args.seed)
            samples[name].append(result)
            print(f"run {repeat + 1}/{args.repeats} {name:<12} {result['seconds']:.3f} s "
                  f"({result['nodes'] / result['seconds']:,.0f} nodes/s)", flush=True)
    memory = {name: run_worker(python, name, "memory", args.nodes, args.seed) for name in engines}
    checks = {name: run_worker(python, name, "check", args.nodes, args.seed) for name in engines}

    summary = summarize_speed(samples, SUBJECT, REFERENCE)
    header = (f"Random graph, {args.nodes:,} nodes (+, *, tanh or relu; seed {args.seed}): "
              f"build + backward, {args.repeats} fresh process{'es' if args.repeats != 1 else ''} "
              f"per engine, default GC on\n"
              f"Python {platform.python_version()} on {platform.machine()}, "
              f"{os.cpu_count()} CPUs, {platform.platform()}")
    print()
    print(format_report(summary, memory, agreement(checks), header))

    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or ROOT / "benchmarks" / "results" / f"random_graph-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "workload": "random_graph", "nodes": args.nodes, "seed": args.seed,
        "repeats": args.repeats, "python": platform.python_version(),
        "platform": platform.platform(), "cpus": os.cpu_count(), "utc": stamp,
        "speed": summary, "samples": samples, "memory": memory, "checks": checks,
        "engines_agree_to": agreement(checks), "targets": targets(summary, memory),
    }
    out.write_text(json.dumps(record, indent=2))
    print(f"\nwrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


if __name__ == "__main__":
    main()
