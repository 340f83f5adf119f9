"""Turn worker results into medians, ratios, target verdicts and a printed table."""

from __future__ import annotations

import statistics
from typing import Any

SPEEDUP_TARGET = 10.0
BYTES_PER_NODE_TARGET = 250.0


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
    return {
        "speedup": summary["ratio"],
        "speedup_met": summary["ratio"] is not None and summary["ratio"] >= SPEEDUP_TARGET,
        "bytes_per_node": m and m["bytes_per_node"],
        "bytes_per_node_met": bool(m) and m["bytes_per_node"] <= BYTES_PER_NODE_TARGET,
        "freed_by_refcount": bool(m) and m["gc_found_after_drop"] == 0,
    }
