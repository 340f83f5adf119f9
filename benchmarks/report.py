"""Turn worker results into medians, ratios, the printed tables and the targets table."""

from __future__ import annotations

import statistics
from typing import Any

SUBJECT, REFERENCE, FLOOR = "gradledger", "micrograd", "floor"
GC_SETTINGS = (True, False)
PHASES = ("build_seconds", "order_seconds", "propagate_seconds", "backward_seconds")

WIDE_GRAPH_TARGET = 10.0
DEMO_STEP_TARGET = 12.0
FIRST_BUILD_TARGET = 3.5
GC_OFF_TARGET = 2.0
BUILD_FLOOR_TARGET = 1.25
BACKWARD_FLOOR_TARGET = 1.5
REPLAY_SMALL_TARGET = 0.5
REPLAY_LARGE_TARGET = 1.0
BYTES_PER_NODE_TARGET = 128.0
"""The targets of issue 14 (run.py prints each as met or not, with its figure)."""


def gc_label(on: bool) -> str:
    """'on' or 'off': how the tables name a cycle-collector setting."""
    return "on" if on else "off"


def _median_or_none(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _phase_medians(runs: list[dict], when: str | None) -> dict[str, float | None]:
    """Median seconds of each phase over runs (runs[i][when] holds the phases, or runs[i]
    itself holds them when `when` is None)."""
    return {phase: _median_or_none([(r[when] if when else r).get(phase) for r in runs])
            for phase in PHASES}


def summarize_graph(samples: dict[tuple[str, bool], list[dict]]) -> dict[tuple[str, bool], dict]:
    """Per (engine, GC on): node count and median phases of the first and the warm build."""
    rows = {}
    for key, runs in samples.items():
        if runs:
            rows[key] = {"engine": key[0], "gc": key[1], "nodes": runs[0]["nodes"],
                         "runs": len(runs), "unary": runs[0]["unary"],
                         "first": _phase_medians(runs, "first"),
                         "warm": _phase_medians(runs, "warm")}
    return rows


def per_node_ns(seconds: float | None, nodes: int | None) -> float | None:
    """Nanoseconds per node, or None when either figure is missing."""
    if seconds is None or not nodes:
        return None
    return 1e9 * seconds / nodes


def _total(phases: dict) -> float | None:
    build, backward = phases.get("build_seconds"), phases.get("backward_seconds")
    return None if build is None or backward is None else build + backward


def speedup(rows: dict, engine: str, gc_on: bool, seconds_of: Any,
            reference: str = REFERENCE) -> float | None:
    """reference's time / engine's time (same GC setting): how many times faster engine is."""
    mine, theirs = rows.get((engine, gc_on)), rows.get((reference, gc_on))
    if mine is None or theirs is None:
        return None
    a, b = seconds_of(mine), seconds_of(theirs)
    return None if not a or b is None else b / a


def floor_ratio(rows: dict, engine: str, gc_on: bool, per_node_of: Any) -> float | None:
    """engine's ns per node / the floor probe's ns per node (same GC setting)."""
    mine, floor = rows.get((engine, gc_on)), rows.get((FLOOR, gc_on))
    if mine is None or floor is None:
        return None
    a, b = per_node_of(mine), per_node_of(floor)
    return None if a is None or not b else a / b


def _fmt(x: float | None, spec: str = ",.0f") -> str:
    return "-" if x is None else format(x, spec)


def _times(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:,.2f}" if x >= 0.1 else f"{x:.2g}"


def _first(key: str) -> Any:
    return lambda row: row["first"][key]


def _warm(key: str) -> Any:
    return lambda row: row["warm"][key]


def _first_total(row: dict) -> float | None:
    return _total(row["first"])


def _ns(row: dict, when: str, key: str) -> float | None:
    return per_node_ns(row[when][key], row["nodes"])


def format_graph(rows: dict, header: str, failures: dict | None = None) -> str:
    """A graph workload's table: ns per node of each phase, ratios to micrograd and floor;
    failures maps (engine, GC on) to why it has no row."""
    lines = [header, ""]
    row = ("{:<11} {:<3} {:>9}  {:>7} {:>7} {:>7} {:>7} {:>7}  {:>9}  {:>7} {:>7} {:>7}"
           "  {:>6} {:>6}")
    lines.append(row.format("", "", "", "build", "build", "", "propa-", "back-", "build+",
                            "x micro", "x micro", "x micro", "x floor", "x floor"))
    lines.append(row.format("engine", "GC", "nodes", "first", "warm", "order", "gate",
                            "ward", "backward", "build", "build", "build+", "build",
                            "back-"))
    lines.append(row.format("", "", "", "ns/node", "ns/node", "ns/node", "ns/node", "ns/node",
                            "first ms", "first", "warm", "back", "first", "ward"))
    for (name, gc_on), r in rows.items():
        total = _first_total(r)
        lines.append(row.format(
            name, gc_label(gc_on), f"{r['nodes']:,}",
            _fmt(_ns(r, "first", "build_seconds")), _fmt(_ns(r, "warm", "build_seconds")),
            _fmt(_ns(r, "first", "order_seconds")), _fmt(_ns(r, "first", "propagate_seconds")),
            _fmt(_ns(r, "first", "backward_seconds")),
            _fmt(None if total is None else 1e3 * total, ",.1f"),
            _times(speedup(rows, name, gc_on, _first("build_seconds"))),
            _times(speedup(rows, name, gc_on, _warm("build_seconds"))),
            _times(speedup(rows, name, gc_on, _first_total)),
            _times(floor_ratio(rows, name, gc_on,
                               lambda x: _ns(x, "first", "build_seconds"))),
            _times(floor_ratio(rows, name, gc_on,
                               lambda x: _ns(x, "first", "backward_seconds")))))
    for (name, gc_on), why in (failures or {}).items():
        lines.append(f"{name:<11} {gc_label(gc_on):<3} {why}")
    lines.append(
        "(medians over fresh processes; first: the first build in the process, warm: a second\n"
        " build after dropping the first; order, propagate and backward after the first build;\n"
        " x micro: micrograd's time / this row's (same GC setting); x floor: this row's ns/node\n"
        " / the floor probe's; backward: the whole backward(), for the floor probe its order +\n"
        " propagate; gradledger's order: autograd.topological_order timed on its own after\n"
        " backward (backward orders the graph its own way inside, so no propagate is shown))")
    return "\n".join(lines)


def relative_difference(a: float, b: float) -> float:
    """|a - b| relative to the larger magnitude (0.0 when both are 0)."""
    scale = max(abs(a), abs(b))
    return 0.0 if scale == 0 else abs(a - b) / scale


def agreement(checks: dict[str, dict]) -> float | None:
    """Largest relative difference between engines in root value and leaf-gradient sums."""
    runs = list(checks.values())
    if len(runs) < 2:
        return None
    keys = ("root_data", "leaf_grad_sum", "leaf_grad_abs_sum")
    return max(relative_difference(run[k], runs[0][k]) for run in runs[1:] for k in keys)


def format_memory(memory: dict[str, dict], nodes: int, checks_difference: float | None) -> str:
    """Bytes per node and whether a dropped graph is freed without the cycle collector."""
    lines = [f"Memory, random graph of {nodes:,} nodes (tracemalloc; cycle collector off while "
             "measuring)", ""]
    row = "{:<11} {:>10} {:>15} {:>19} {:>19}"
    lines.append(row.format("engine", "bytes/node", "peak bytes/node", "bytes left at drop",
                            "gc.collect() found"))
    for name, m in memory.items():
        lines.append(row.format(name, f"{m['bytes_per_node']:.1f}",
                                f"{m['peak_bytes_per_node']:.1f}",
                                f"{m['bytes_left_after_drop']:,}",
                                f"{m['gc_found_after_drop']:,}"))
    lines.append("(bytes left at drop: still allocated after the root is dropped with the "
                 "collector off;\n gc.collect() found: unreachable objects the collector "
                 "then had to find; 0 means reference counting alone freed the graph)")
    if checks_difference is not None:
        lines += ["", "Same random graph with relu in every engine: root value and leaf "
                  f"gradients agree to a relative {checks_difference:.1e}"]
    return "\n".join(lines)


def summarize_steps(samples: dict[tuple[str, bool, int], list[dict]]) -> dict:
    """Per (engine, GC on, points): median step time over processes, median phases, losses."""
    rows = {}
    for key, runs in samples.items():
        if not runs:
            continue
        rows[key] = {
            "engine": key[0], "gc": key[1], "points": key[2], "runs": len(runs),
            "steps": runs[0]["steps"], "nodes": runs[0].get("nodes"),
            "first_step_seconds": statistics.median(r["first_step_seconds"] for r in runs),
            "step_seconds": statistics.median(r["median_step_seconds"] for r in runs),
            "phases": _phase_medians([r.get("phases", {}) for r in runs], None),
            "losses": runs[0]["losses"],
            "losses_same_every_run": all(r["losses"] == runs[0]["losses"] for r in runs),
        }
    return rows


def loss_differences(rows: dict, reference: str) -> dict[tuple, float]:
    """Per row: largest relative difference of its losses from the reference engine's losses
    at the same number of points and GC setting (over the steps both ran)."""
    out = {}
    for key, r in rows.items():
        ref = rows.get((reference, key[1], key[2]))
        if ref is not None:
            out[key] = max(relative_difference(a, b)
                           for a, b in zip(r["losses"], ref["losses"], strict=False))
    return out


def _step_speedup(rows: dict, key: tuple, reference: str) -> float | None:
    ref = rows.get((reference, key[1], key[2]))
    return None if ref is None else ref["step_seconds"] / rows[key]["step_seconds"]


def _step_floor(rows: dict, key: tuple, phase: str) -> float | None:
    mine, floor = rows[key], rows.get((FLOOR, key[1], key[2]))
    if floor is None:
        return None
    a = per_node_ns(mine["phases"][phase], mine["nodes"])
    b = per_node_ns(floor["phases"][phase], floor["nodes"])
    return None if a is None or not b else a / b


def format_demo(rows: dict, header: str) -> str:
    """The demo step with the engines that build a graph of scalars: phases per node."""
    lines = [header, ""]
    row = ("{:<27} {:<3} {:>9} {:>9} {:>8}  {:>7} {:>7} {:>7} {:>7}  {:>7} {:>7}  {:>6} {:>6}"
           "  {:>9}")
    lines.append(row.format("", "", "", "first", "nodes", "build", "order", "propa-", "back-",
                            "x micro", "x torch", "x floor", "x floor", "loss diff"))
    lines.append(row.format("engine", "GC", "step ms", "step ms", "a step", "ns/node",
                            "ns/node", "gate", "ward", "grad", "batched", "build", "back-",
                            "vs ours"))
    lines.append(row.format("", "", "", "", "", "", "", "ns/node", "ns/node", "", "", "",
                            "ward", ""))
    differences = loss_differences(rows, SUBJECT)
    for key, r in rows.items():
        name, gc_on, _ = key
        nodes = r["nodes"]
        lines.append(row.format(
            name, gc_label(gc_on), f"{1e3 * r['step_seconds']:,.2f}",
            f"{1e3 * r['first_step_seconds']:,.2f}", _fmt(nodes),
            *(_fmt(per_node_ns(r["phases"][p], nodes)) for p in PHASES),
            _times(_step_speedup(rows, key, REFERENCE)),
            _times(_step_speedup(rows, key, "torch-batched")),
            _times(_step_floor(rows, key, "build_seconds")),
            _times(_step_floor(rows, key, "backward_seconds")),
            _fmt(differences.get(key), ".1e")))
    lines.append(
        "(step ms: median over fresh processes of each process's median step after the first;\n"
        " build: the forward pass that makes the graph; backward: the whole backward(), which\n"
        " for the floor probe is its order + propagate; gradledger's order: its public\n"
        " topological_order on a step's graph, timed apart; nodes counted once, torch\n"
        " counting grad_fn nodes and one AccumulateGrad per parameter; x micrograd and\n"
        " x torch batched: their step time / this row's; x floor: this row's ns/node / the\n"
        " floor probe's; loss diff: largest relative difference from gradledger's losses)")
    return "\n".join(lines)


def format_batched(rows: dict, sizes: tuple[int, ...], engines: list[str], header: str,
                   unavailable: dict[str, str]) -> str:
    """The demo step at several batch sizes: step time and its ratio to torch batched."""
    lines = [header, ""]
    cells = "".join(f"  {f'{n:,} points':>20}" for n in sizes)
    lines.append(f"{'':<27} {'':<3}{cells}")
    cells = "".join(f"  {'step ms':>10} {'/ torch':>9}" for _ in sizes)
    lines.append(f"{'engine':<27} {'GC':<3}{cells}")
    for name in engines:
        if name in unavailable:
            lines.append(f"{name:<27} {unavailable[name]}")
            continue
        for gc_on in GC_SETTINGS:
            cells = ""
            for n in sizes:
                r = rows.get((name, gc_on, n))
                if r is None:
                    cells += f"  {'not run':>10} {'-':>9}"
                    continue
                ratio = _replay_ratio(rows, gc_on, n, name)
                cells += f"  {1e3 * r['step_seconds']:>10,.3f} {_times(ratio):>9}"
            if any((name, gc_on, n) in rows for n in sizes):
                lines.append(f"{name:<27} {gc_label(gc_on):<3}{cells}")
    lines.append(
        "(/ torch: this row's step time / torch batched's at the same size and GC setting;\n"
        " engines that build a graph of scalars per point run at the demo's size only)")
    differences = loss_differences(rows, "torch-batched")
    worst = max((d for k, d in differences.items() if k[0] != "torch-batched"), default=None)
    if worst is not None:
        lines.append(f"Losses agree with torch batched's to a relative {worst:.1e} "
                     "(every engine, size and GC setting)")
    return "\n".join(lines)


def format_chain(results: dict[str, dict], header: str) -> str:
    """The deep-chain table: the deepest chain each engine backpropagated, and what stopped it."""
    lines = [header, ""]
    row = "{:<34} {:>13} {:>10} {:>12}  {}"
    lines.append(row.format("engine", "deepest ok", "seconds", "us per step", "stopped by"))
    for name, r in results.items():
        best = r["deepest"]
        seconds = "-" if best is None else f"{best['seconds']:.3f}"
        per_step = "-" if best is None else f"{1e6 * best['seconds'] / best['depth']:.2f}"
        lines.append(row.format(name, f"{r['depth']:,}", seconds, per_step, r["stopped_by"]))
    lines.append("(steps of x = x * 1.0001 + 0.1, then backward; each depth in a fresh process; "
                 "every successful depth's gradient equals 1.0001**depth to 1e-9)")
    return "\n".join(lines)


def _target(what: str, figure: float | None, target: float, at_least: bool,
            unit: str = "x", note: str = "") -> dict[str, Any]:
    if figure is None:
        return {"target": what, "figure": None, "met": None, "text": "not measured"}
    met = figure >= target if at_least else figure <= target
    text = f"{figure:,.2f}{unit}" if unit == "x" else f"{figure:,.1f}{unit}"
    return {"target": what, "figure": figure, "met": met, "text": text + note}


def evaluate_targets(graphs: dict[str, dict], demo: dict, batched: dict,
                     memory: dict[str, dict]) -> list[dict[str, Any]]:
    """Every target of issue 14 with its figure from this run and whether it is met.

    graphs maps a graph workload ("chain", "random") to its summarize_graph rows; demo and
    batched are summarize_steps rows; memory maps engines to measure_memory results.
    """
    chain, wide = graphs.get("chain", {}), graphs.get("random", {})

    def versus_micrograd(what: str, rows: dict, gc_on: bool, seconds_of: Any,
                         target: float) -> dict[str, Any]:
        ceiling = speedup(rows, FLOOR, gc_on, seconds_of)
        note = "" if ceiling is None else f" (floor {ceiling:,.2f}x)"
        return _target(f"GC {gc_label(gc_on)}: {what} >= {target:g}x micrograd",
                       speedup(rows, SUBJECT, gc_on, seconds_of), target, True, note=note)

    def demo_versus_micrograd(gc_on: bool, target: float) -> dict[str, Any]:
        ceiling = _demo_speedup(demo, gc_on, FLOOR)
        note = "" if ceiling is None else f" (floor {ceiling:,.2f}x)"
        return _target(f"GC {gc_label(gc_on)}: demo training step >= {target:g}x micrograd",
                       _demo_speedup(demo, gc_on), target, True, note=note)

    out = [
        versus_micrograd("wide graph, build + backward", wide, True, _first_total,
                         WIDE_GRAPH_TARGET),
        demo_versus_micrograd(True, DEMO_STEP_TARGET),
        versus_micrograd("random graph, first build", wide, True, _first("build_seconds"),
                         FIRST_BUILD_TARGET),
    ]
    for what, rows, seconds_of in (
        ("deep chain, build + backward", chain, _first_total),
        ("wide graph, build + backward", wide, _first_total),
        ("random graph, first build", wide, _first("build_seconds")),
        ("random graph, warm build", wide, _warm("build_seconds")),
    ):
        out.append(versus_micrograd(what, rows, False, seconds_of, GC_OFF_TARGET))
    out.append(demo_versus_micrograd(False, GC_OFF_TARGET))
    for setting in GC_SETTINGS:
        for what, rows in (("deep chain", chain), ("random graph", wide)):
            for when in ("first", "warm"):
                out.append(_target(
                    f"GC {gc_label(setting)}: build within 1.25x floor, {what} ({when})",
                    floor_ratio(rows, SUBJECT, setting,
                                lambda x, w=when: _ns(x, w, "build_seconds")),
                    BUILD_FLOOR_TARGET, False))
        out.append(_target(f"GC {gc_label(setting)}: build within 1.25x floor, demo step",
                           _demo_floor(demo, setting, "build_seconds"), BUILD_FLOOR_TARGET,
                           False))
    for setting in GC_SETTINGS:
        for what, rows in (("deep chain", chain), ("random graph", wide)):
            out.append(_target(
                f"GC {gc_label(setting)}: backward within 1.5x floor, {what}",
                floor_ratio(rows, SUBJECT, setting,
                            lambda x: _ns(x, "first", "backward_seconds")),
                BACKWARD_FLOOR_TARGET, False))
        out.append(_target(f"GC {gc_label(setting)}: backward within 1.5x floor, demo step",
                           _demo_floor(demo, setting, "backward_seconds"),
                           BACKWARD_FLOOR_TARGET, False))
    sizes = sorted({key[2] for key in batched})
    for points, target in ((100, REPLAY_SMALL_TARGET), (10_000, REPLAY_LARGE_TARGET)):
        for setting in GC_SETTINGS:
            on_torch = _replay_ratio(batched, setting, points, "gradledger-replay-torch")
            out.append(_target(
                f"GC {gc_label(setting)}: batched replay, {points:,} points <= {target:g}x torch "
                "batched time", _replay_ratio(batched, setting, points) if points in sizes
                else None, target, False,
                note="" if on_torch is None else f" (backend torch {on_torch:,.2f}x)"))
    m = memory.get(SUBJECT)
    out.append(_target("memory <= 128 bytes per node (random graph)",
                       None if m is None else m["bytes_per_node"], BYTES_PER_NODE_TARGET, False,
                       unit=" B"))
    if m is None:
        out.append(_target("graphs freed without the cycle collector", None, 0, False))
    else:
        freed = m["gc_found_after_drop"] == 0
        out.append({"target": "graphs freed without the cycle collector",
                    "figure": m["gc_found_after_drop"], "met": freed,
                    "text": f"gc.collect() found {m['gc_found_after_drop']:,}, "
                            f"{m['bytes_left_after_drop']:,} B left"})
    return out


def _demo_speedup(demo: dict, gc_on: bool, engine: str = SUBJECT) -> float | None:
    key = (engine, gc_on, 100)
    return _step_speedup(demo, key, REFERENCE) if key in demo else None


def _demo_floor(demo: dict, gc_on: bool, phase: str) -> float | None:
    key = (SUBJECT, gc_on, 100)
    return _step_floor(demo, key, phase) if key in demo else None


def _replay_ratio(batched: dict, gc_on: bool, points: int,
                  engine: str = "gradledger-replay") -> float | None:
    mine, torch = batched.get((engine, gc_on, points)), batched.get(
        ("torch-batched", gc_on, points))
    return None if mine is None or torch is None else mine["step_seconds"] / torch[
        "step_seconds"]


def format_targets(targets: list[dict[str, Any]]) -> str:
    """The targets table: each target, its figure from this run, MET / NOT MET."""
    width = max(len(t["target"]) for t in targets)
    lines = ["Targets (issue 14), this run", ""]
    for t in targets:
        verdict = "not measured" if t["met"] is None else ("MET" if t["met"] else "NOT MET")
        figure = "" if t["met"] is None else t["text"]
        lines.append(f"  {t['target']:<{width}}  {figure:>34}  {verdict}")
    met = sum(1 for t in targets if t["met"])
    measured = sum(1 for t in targets if t["met"] is not None)
    lines.append(f"\n  {met} of {measured} measured targets met"
                 + (f"; {len(targets) - measured} not measured" if measured < len(targets)
                    else "")
                 + "\n  (floor Nx: the floor probe's own speed-up over micrograd in the same "
                   "run, the pure-Python ceiling;\n  batched replay: numpy, lowered; backend "
                   "torch Nx: the same replay on torch tensors, beside it)")
    return "\n".join(lines)
