"""Turn worker results into medians, ratios, target verdicts and a printed table."""

from __future__ import annotations

import statistics
from typing import Any

SPEEDUP_TARGET = 10.0
BYTES_PER_NODE_TARGET = 250.0
TORCH_SCALAR_SPEEDUP_TARGET = 5.0
REPLAY_VS_TORCH_BATCHED_TARGET = 5.0
REPLAY_VS_MICROGRAD_TARGET = 200.0


def summarize_speed(samples: dict[str, list[dict]], subject: str, reference: str) -> dict:
    """Per engine: medians over its runs; plus subject's nodes/s ratio over reference's."""
    engines = {}
    for name, runs in samples.items():
        if not runs:
            continue
        engines[name] = {
            "unary": runs[0]["unary"],
            "nodes": runs[0]["nodes"],
            "runs": len(runs),
            "build_seconds": statistics.median(r["build_seconds"] for r in runs),
            "backward_seconds": statistics.median(r["backward_seconds"] for r in runs),
            "seconds": statistics.median(r["seconds"] for r in runs),
            "nodes_per_second": statistics.median(r["nodes"] / r["seconds"] for r in runs),
        }
    ratio = None
    if subject in engines and reference in engines:
        ratio = engines[subject]["nodes_per_second"] / engines[reference]["nodes_per_second"]
    return {"engines": engines, "subject": subject, "reference": reference, "ratio": ratio}


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


def _verdict(met: bool) -> str:
    return "MET" if met else "NOT MET"


def _ratio(engines: dict, subject: str, reference: str, key: str) -> float | None:
    """engines[subject][key] / engines[reference][key], or None if either is missing."""
    if subject not in engines or reference not in engines:
        return None
    return engines[subject][key] / engines[reference][key]


def format_report(summary: dict, memory: dict[str, dict], checks_difference: float | None,
                  header: str) -> str:
    """The human-readable table: speed, memory, agreement between engines, targets."""
    lines = [header, ""]
    reference = summary["reference"]
    row = "{:<12} {:<5} {:>9} {:>9} {:>11} {:>9} {:>11} {:>12}"
    lines.append(row.format("engine", "unary", "nodes", "build s", "backward s", "total s",
                            "nodes/s", f"x {reference}"))
    ref = summary["engines"].get(reference)
    for name, e in summary["engines"].items():
        times = "-" if ref is None else f"{e['nodes_per_second'] / ref['nodes_per_second']:.2f}"
        lines.append(row.format(name, e["unary"], f"{e['nodes']:,}", f"{e['build_seconds']:.3f}",
                                f"{e['backward_seconds']:.3f}", f"{e['seconds']:.3f}",
                                f"{e['nodes_per_second']:,.0f}", times))
    lines.append("(medians over fresh processes; nodes/s = graph nodes / (build + backward))")
    if memory:
        lines += ["", "Memory (tracemalloc; cycle collector off while measuring)"]
        mrow = "{:<12} {:>10} {:>15} {:>20} {:>19}"
        lines.append(mrow.format("engine", "bytes/node", "peak bytes/node", "bytes left at drop",
                                 "gc.collect() found"))
        for name, m in memory.items():
            lines.append(mrow.format(name, f"{m['bytes_per_node']:.1f}",
                                     f"{m['peak_bytes_per_node']:.1f}",
                                     f"{m['bytes_left_after_drop']:,}",
                                     f"{m['gc_found_after_drop']:,}"))
    if checks_difference is not None:
        lines += ["", "Same graph with relu in every engine: root value and leaf gradients agree "
                  f"to a relative {checks_difference:.1e}"]
    lines += ["", "Targets"]
    subject = summary["subject"]
    if summary["ratio"] is not None:
        lines.append(f"  >= {SPEEDUP_TARGET:g}x {reference}'s nodes/s: {summary['ratio']:.2f}x  "
                     f"{_verdict(summary['ratio'] >= SPEEDUP_TARGET)}")
    torch_ratio = _ratio(summary["engines"], subject, "torch", "nodes_per_second")
    if torch_ratio is not None:
        lines.append(f"  >= {TORCH_SCALAR_SPEEDUP_TARGET:g}x torch 0-dim tensors' nodes/s: "
                     f"{torch_ratio:.2f}x  {_verdict(torch_ratio >= TORCH_SCALAR_SPEEDUP_TARGET)}")
    if subject in memory:
        m = memory[subject]
        lines.append(f"  <= {BYTES_PER_NODE_TARGET:g} bytes/node: {m['bytes_per_node']:.1f}  "
                     f"{_verdict(m['bytes_per_node'] <= BYTES_PER_NODE_TARGET)}")
        freed = m["gc_found_after_drop"] == 0
        lines.append(f"  dropped graph freed by reference counting alone "
                     f"(gc.collect() found {m['gc_found_after_drop']}): {_verdict(freed)}")
    return "\n".join(lines)


def targets(summary: dict, memory: dict[str, dict]) -> dict[str, Any]:
    """The targets as data for the JSON file."""
    m = memory.get(summary["subject"])
    over_torch = _ratio(summary["engines"], summary["subject"], "torch", "nodes_per_second")
    return {
        "speedup": summary["ratio"],
        "speedup_met": summary["ratio"] is not None and summary["ratio"] >= SPEEDUP_TARGET,
        "speedup_over_torch": over_torch,
        "speedup_over_torch_met": over_torch is not None
        and over_torch >= TORCH_SCALAR_SPEEDUP_TARGET,
        "bytes_per_node": m and m["bytes_per_node"],
        "bytes_per_node_met": bool(m) and m["bytes_per_node"] <= BYTES_PER_NODE_TARGET,
        "freed_by_refcount": bool(m) and m["gc_found_after_drop"] == 0,
    }


def summarize_steps(samples: dict[str, list[dict]]) -> dict:
    """Per moons engine: median step time over processes, and its losses (first process)."""
    engines = {}
    for name, runs in samples.items():
        if not runs:
            continue
        engines[name] = {
            "runs": len(runs),
            "steps": runs[0]["steps"],
            "first_step_seconds": statistics.median(r["first_step_seconds"] for r in runs),
            "step_seconds": statistics.median(r["median_step_seconds"] for r in runs),
            "losses": runs[0]["losses"],
            "losses_same_every_run": all(r["losses"] == runs[0]["losses"] for r in runs),
        }
    for e in engines.values():
        e["steps_per_second"] = 1.0 / e["step_seconds"]
    return engines


def loss_agreement(engines: dict, reference: str = "gradledger") -> dict[str, float]:
    """Per engine: largest relative difference of its losses from the reference's, over the
    steps both ran."""
    if reference not in engines:
        reference = next(iter(engines), None)
    if reference is None:
        return {}
    base = engines[reference]["losses"]
    return {
        name: max(relative_difference(a, b) for a, b in zip(e["losses"], base, strict=False))
        for name, e in engines.items()
    }


def format_steps(engines: dict, agreement_: dict[str, float], header: str) -> str:
    """The moons-step table and its targets."""
    lines = [header, ""]
    row = "{:<24} {:>9} {:>13} {:>9} {:>12} {:>16} {:>10}"
    lines.append(row.format("engine", "step s", "first step s", "steps/s", "x micrograd",
                            "x torch-batched", "loss diff"))
    for name, e in engines.items():
        def times(reference: str, e: dict = e) -> str:
            ref = engines.get(reference)
            if ref is None:
                return "-"
            ratio = ref["step_seconds"] / e["step_seconds"]
            return f"{ratio:,.2f}" if ratio >= 0.1 else f"{ratio:.2g}"

        lines.append(row.format(name, f"{e['step_seconds']:.4f}", f"{e['first_step_seconds']:.4f}",
                                f"{e['steps_per_second']:,.1f}", times("micrograd"),
                                times("torch-batched"), f"{agreement_.get(name, 0.0):.1e}"))
    first = next(iter(engines.values()), None)
    if first is not None:
        losses = ", ".join(f"{x:.12f}" for x in first["losses"][:3])
        lines.append("(step s: median over fresh processes of each process's median step after "
                     "the first;\n loss diff: largest relative difference from gradledger's loss "
                     f"over the steps;\n losses of the first steps: {losses})")
    lines += ["", "Targets"]
    for subject, reference, target, what in (
        ("gradledger", "micrograd", SPEEDUP_TARGET, "dynamic mode >= {t:g}x micrograd's step"),
        ("gradledger", "torch-scalar", TORCH_SCALAR_SPEEDUP_TARGET,
         "dynamic mode >= {t:g}x torch 0-dim tensors' step"),
        ("gradledger-replay", "micrograd", REPLAY_VS_MICROGRAD_TARGET,
         "batched replay >= {t:g}x micrograd's step"),
    ):
        speedup = _ratio(engines, reference, subject, "step_seconds")
        if speedup is not None:
            lines.append(f"  {what.format(t=target)}: {speedup:.2f}x  "
                         f"{_verdict(speedup >= target)}")
    slowdown = _ratio(engines, "gradledger-replay", "torch-batched", "step_seconds")
    if slowdown is not None:
        lines.append(f"  batched replay within {REPLAY_VS_TORCH_BATCHED_TARGET:g}x of torch "
                     f"batched 2-D tensors' step: {slowdown:.2f}x as long  "
                     f"{_verdict(slowdown <= REPLAY_VS_TORCH_BATCHED_TARGET)}")
    return "\n".join(lines)


def step_targets(engines: dict) -> dict[str, Any]:
    """The moons-step targets as data for the JSON file."""
    return {
        "dynamic_vs_micrograd": _ratio(engines, "micrograd", "gradledger", "step_seconds"),
        "dynamic_vs_torch_scalar": _ratio(engines, "torch-scalar", "gradledger", "step_seconds"),
        "replay_vs_micrograd": _ratio(engines, "micrograd", "gradledger-replay", "step_seconds"),
        "replay_time_over_torch_batched": _ratio(engines, "gradledger-replay", "torch-batched",
                                                 "step_seconds"),
    }


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
