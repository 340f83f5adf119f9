"""stepper_html: one self-contained page to step through backprop in a browser.

Labels reach the page through `viz.naming.plain_text` (via the ledger's names and the
drawing), then HTML escaping (the title) or a JSON literal with <, > and & escaped (the
script's data); the SVG is the renderer's XML.
"""

from __future__ import annotations

import html
import json
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

from autograd.files import check_target, write_file
from viz.drawing import LEVELS, draw_graph
from viz.ledger import backprop_steps
from viz.naming import node_names, plain_text
from viz.rendering import render_source
from viz.stepper_data import check_stepper_data, value_stepper_data

TEMPLATE = "stepper_template.html"


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


def stepper_parts(
    root: Any, renderer: str = "auto", digits: int = 4, play_seconds: float = 0.9,
    modules: Any = None, level: str = "value", **draw_options: Any,
) -> tuple[str, dict]:
    """The page's picture (SVG text) and its stepper data (see viz.stepper_data)."""
    if level not in LEVELS:
        raise ValueError(f"stepper_html: level must be one of {', '.join(LEVELS)}, "
                         f"got {level!r}")
    if level != "value":
        if draw_options:
            raise TypeError(f"stepper_html: level={level!r} takes no drawing options, got "
                            f"{', '.join(sorted(draw_options))}")
        from viz.network import network_stepper_parts  # neuron and layer views

        svg, data = network_stepper_parts(root, modules, level, digits=digits,
                                          renderer=renderer, play_seconds=play_seconds)
        check_stepper_data(data)
        return svg, data
    ledger = backprop_steps(root)
    drawing = draw_graph(root, grads=ledger.grads, digits=digits, modules=modules,
                         **draw_options)
    svg = render_source(drawing.source, "svg", renderer).decode("utf-8", "backslashreplace")
    data = value_stepper_data(ledger, drawing.node_ids, drawing.boxes, digits, play_seconds)
    return svg, data


def stepper_page(
    root: Any, title: str | None = None, renderer: str = "auto", digits: int = 4,
    play_seconds: float = 0.9, *, modules: Any = None, level: str = "value",
    **draw_options: Any,
) -> str:
    """The text of the page that stepper_html writes (same arguments, without the path)."""
    svg, data = stepper_parts(root, renderer, digits, play_seconds, modules, level,
                              **draw_options)
    if title is None:
        title = f"Backprop through {_root_name(root)}, one chain-rule step at a time"
        if level != "value":
            title += f" ({level} by {level})"
    template = resources.files("viz").joinpath(TEMPLATE).read_text(encoding="utf-8")
    return fill_template(template, {
        "TITLE": html.escape(plain_text(title)),
        "SVG": _inline_svg(svg),
        "LEDGER_JS": _as_script_literal(data),
    })


def _root_name(root: Any) -> str:
    """The root's label (or constant), else "the output": its %k name needs the graph."""
    if root.parents and not root.label:
        return "the output"
    return node_names([root])[id(root)]


class StepperPage:
    """A stepper page in memory: shows inline in Jupyter, `.save(path)` writes it.

    In a notebook the page displays in an iframe (its `srcdoc`), so its script and styles
    stay apart from the notebook's. `.html` is the page's text.

    Example:
        >>> from autograd import Value
        >>> x = Value(2.0, "x")
        >>> y = x.tanh()
        >>> y.label = "y"
        >>> page = stepper_html(y)
        >>> page._repr_html_().startswith("<iframe")
        True
        >>> page.save("out/doctest_inline_stepper.html").name
        'doctest_inline_stepper.html'
    """

    def __init__(self, html_text: str, height: int = 720) -> None:
        self.html = html_text
        self.height = height

    def save(self, path: str | os.PathLike) -> Path:
        """Write the page to path (by autograd.files.write_file); return the path."""
        return write_file(path, self.html.encode("utf-8"))

    def _repr_html_(self) -> str:
        # sandbox="allow-scripts" runs the page's script but keeps it from the notebook.
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
                f'sandbox="allow-scripts" style="width: 100%; height: {self.height}px; '
                f'border: 1px solid #ddd;" title="backprop stepper"></iframe>')

    def __repr__(self) -> str:
        return (f"<StepperPage of {len(self.html)} characters; .save(path) writes it, "
                "Jupyter shows it inline>")


def stepper_html(
    root: Any, path: str | os.PathLike | None = None, title: str | None = None,
    renderer: str = "auto", digits: int = 4, play_seconds: float = 0.9, *,
    modules: Any = None, level: str = "value", **draw_options: Any,
) -> Path | StepperPage:
    """Write a self-contained HTML page that steps through backprop of root; return its path.

    Without a path, return a StepperPage instead: Jupyter shows it inline, and
    `.save(path)` writes it.

    The page holds the graph (rendered to SVG, inlined), the numbers and the script: no
    network, it opens straight from disk. To move: the slider, the buttons, the arrow
    keys, Home and End; the search field jumps to the first step touching a node
    (`W1[3,1]`, `loss`). To look: `+`, `-` and `0` (fit) or the mouse wheel zoom, dragging
    pans, and the current step's node is kept in view. Each step highlights its node
    (CSS class `current`), shows the chain rule in words and numbers and fills in the
    gradients computed so far; clicking a node goes to its step and lists the chain-rule
    sum of its gradient, and hovering shows its data, gradient and op. Edges are coloured
    by the sign and drawn by the size of the gradient they carry back.

    `level="value"` steps value by value (`draw_options` go to `draw_graph`, e.g.
    `collapse=["layer1"]` with `modules=model`); `"neuron"` and `"layer"` (with
    `modules=model`) step through the network views of `viz.network`. `play_seconds` is
    the pause between steps when playing. The existing `.grad` values are not touched.
    The file is written by `autograd.files.write_file` (a device, FIFO or directory at
    `path` is refused).

    Example:
        >>> from autograd import Value
        >>> x, w = Value(2.0, "x"), Value(-3.0, "w")
        >>> y = (x * w).tanh()
        >>> y.label = "y"
        >>> stepper_html(y, "out/doctest_stepper.html").name
        'doctest_stepper.html'
    """
    if path is not None:
        check_target(path)  # refuse a device or FIFO before the work of rendering
    page = stepper_page(root, title, renderer, digits, play_seconds, modules=modules,
                        level=level, **draw_options)
    if path is None:
        return StepperPage(page)
    return write_file(path, page.encode("utf-8"))
