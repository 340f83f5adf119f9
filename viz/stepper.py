"""stepper_html: one self-contained page to step through backprop in a browser.

Labels reach the page through `viz.naming.plain_text` (via the ledger's names and the
drawing), then HTML escaping (the title) or a JSON literal with <, > and & escaped (the
script's data); the SVG is the renderer's XML.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

from autograd.files import check_target, write_file
from viz.drawing import draw_graph
from viz.ledger import Ledger, backprop_steps
from viz.naming import plain_text, wrap_name
from viz.number_format import format_number
from viz.rendering import render_source

TEMPLATE = "stepper_template.html"


def ledger_data(
    ledger: Ledger, node_ids: dict[int, str], digits: int = 4, play_seconds: float = 0.9
) -> dict:
    """The ledger as plain data for the page: SVG ids, names, numbers and their text."""

    def text(x: float) -> str:
        return format_number(x, digits)

    # Nodes folded into a collapsed module's box have no id in the picture (None).
    root_name = wrap_name(ledger.name(ledger.root))
    steps = []
    for step in ledger.steps:
        node_id = node_ids.get(id(step.node))
        edges = [
            {
                "parent": node_ids.get(id(edge.parent)),
                "parent_name": ledger.name(edge.parent),
                "edge": f"e{node_id[1:]}_{edge.index}" if node_id else None,
                "formula": ledger.formula_in_names(step, edge),
                "local": edge.local, "local_text": text(edge.local),
                "contribution": edge.contribution,
                "contribution_text": text(edge.contribution),
                "parent_grad": edge.parent_grad, "parent_grad_text": text(edge.parent_grad),
                "sentence": ledger.sentence(step, edge, digits),
            }
            for edge in step.edges
        ]
        steps.append({
            "node": node_id, "name": ledger.name(step.node), "op": step.node.op,
            "upstream": step.upstream, "upstream_text": text(step.upstream),
            "upstream_label": f"d{root_name}/d{wrap_name(ledger.name(step.node))}",
            "out_edge": f"e{node_id[1:]}_out" if node_id else None, "edges": edges,
        })
    return {
        "root": {"id": node_ids.get(id(ledger.root)), "name": ledger.name(ledger.root)},
        "seed": ledger.seed, "seed_text": text(ledger.seed),
        "nodes": [
            {
                "id": node_ids[id(node)], "name": ledger.name(node), "data": node.data,
                "nonfinite": not (math.isfinite(node.data) and math.isfinite(ledger.grad(node))),
            }
            for node in ledger.order
            if id(node) in node_ids
        ],
        "steps": steps,
        "play_interval_ms": round(play_seconds * 1000),
    }


_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}
_PLACEHOLDER = re.compile(r"\{\{(TITLE|SVG|LEDGER_JS)\}\}")


def _as_script_literal(data: dict) -> str:
    # nan and inf become NaN and Infinity, valid JavaScript. No <, > or & is left, so no
    # label can close the script or open markup; inside strings \u003c reads back as "<".
    text = json.dumps(data, allow_nan=True)
    return re.sub("[<>&]", lambda m: _SCRIPT_ESCAPES[m.group()], text)


def fill_template(template: str, parts: dict[str, str]) -> str:
    """Replace each {{NAME}} placeholder in one pass: text put in is never searched again."""
    return _PLACEHOLDER.sub(lambda m: parts[m.group(1)], template)


def _inline_svg(svg: str) -> str:
    start = svg.find("<svg")
    if start < 0:
        raise ValueError("the renderer's output holds no <svg> element")
    return svg[start:]


def stepper_page(
    root: Any, title: str | None = None, renderer: str = "auto", digits: int = 4,
    play_seconds: float = 0.9, **draw_options: Any,
) -> str:
    """The text of the page that stepper_html writes (same arguments, without the path)."""
    ledger = backprop_steps(root)
    drawing = draw_graph(root, grads=ledger.grads, digits=digits, **draw_options)
    svg = render_source(drawing.source, "svg", renderer).decode("utf-8", "backslashreplace")
    data = ledger_data(ledger, drawing.node_ids, digits, play_seconds)
    title = title or f"Backprop through {ledger.name(ledger.root)}, one chain-rule step at a time"
    template = resources.files("viz").joinpath(TEMPLATE).read_text(encoding="utf-8")
    return fill_template(template, {
        "TITLE": html.escape(plain_text(title)),
        "SVG": _inline_svg(svg),
        "LEDGER_JS": _as_script_literal(data),
    })


def stepper_html(
    root: Any, path: str | os.PathLike, title: str | None = None, renderer: str = "auto",
    digits: int = 4, play_seconds: float = 0.9, **draw_options: Any,
) -> Path:
    """Write a self-contained HTML page that steps through backprop of root; return its path.

    The page holds the graph (rendered to SVG, inlined), the ledger's numbers and the
    script: no network, it opens straight from disk. Buttons first/prev/play/next/last
    and the arrow keys move through the steps; each step highlights its node, shows the
    chain-rule line in words and numbers, and fills in the gradients computed so far.
    `play_seconds` is the pause between steps when playing. `draw_options` go to
    `draw_graph`. The existing `.grad` values are not touched. The file is written by
    `autograd.files.write_file` (a device, FIFO or directory at `path` is refused).

    Example:
        >>> from autograd import Value
        >>> x, w = Value(2.0, "x"), Value(-3.0, "w")
        >>> y = (x * w).tanh()
        >>> y.label = "y"
        >>> stepper_html(y, "out/doctest_stepper.html").name
        'doctest_stepper.html'
    """
    check_target(path)  # refuse a device or FIFO before the work of rendering
    page = stepper_page(root, title, renderer, digits, play_seconds, **draw_options)
    return write_file(path, page.encode("utf-8"))
