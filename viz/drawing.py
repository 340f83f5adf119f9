"""draw_graph: a computational graph as DOT, built with the graphviz package; render writes it.

Value nodes are records (name | data | grad), each operation is a small oval between its
inputs and its output, and every input edge carries the local derivative d out / d input
from the op table. Node ids follow the topological order, so a graph always gives the
same DOT text. The walk is iterative: a 100k-node chain draws without recursion.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from autograd.graph import topological_order
from viz.clusters import ModuleScopes, module_scopes
from viz.naming import formula_in_names, node_names
from viz.number_format import format_number
from viz.rendering import render_source, write_graph

DEFAULT_MAX_NODES = 2000

VALUE_NODE = {
    "shape": "record", "style": "filled", "fillcolor": "white", "fontname": "Helvetica",
    "fontsize": "11",
}
OP_NODE = {"shape": "ellipse", "fillcolor": "#e8eef9", "margin": "0.04,0.02"}
BOX_NODE = {"shape": "box3d", "fillcolor": "#f2f2f2"}
EDGE = {"fontname": "Helvetica", "fontsize": "9", "arrowsize": "0.7"}

HIGHLIGHT_FILL = "#ffd966"
HIGHLIGHT_EDGE = "#c27c0e"
KNOWN_GRAD_FILL = "#e3f1e3"
NONFINITE_FILL = "#f6b0b0"
NONFINITE_EDGE = "#c62828"


class GraphTooLargeError(ValueError):
    """The graph has more value nodes than draw_graph's max_nodes allows."""


class MissingGraphvizError(ImportError):
    """The graphviz Python package (the `viz` extra) is not installed."""


def import_graphviz() -> Any:
    """Import the graphviz package, or raise MissingGraphvizError saying how to install it."""
    try:
        import graphviz
    except ImportError:
        raise MissingGraphvizError(
            "drawing graphs needs the graphviz Python package: pip install 'gradledger[viz]'"
        ) from None
    return graphviz


class GraphDrawing:
    """A drawn graph: `.source` is the DOT text, `.render(path)` writes svg/png/pdf/dot.

    In Jupyter the drawing displays itself as SVG. `.graph` is the graphviz.Digraph.

    Example:
        >>> from autograd import Value
        >>> x = Value(2.0, "x")
        >>> drawing = draw_graph((x * x).tanh())
        >>> drawing.source.startswith("digraph")
        True
    """

    def __init__(self, graph: Any, node_ids: dict[int, str]) -> None:
        self.graph = graph
        self.node_ids = node_ids

    @property
    def source(self) -> str:
        """The DOT text."""
        return self.graph.source

    def render(self, path: str | os.PathLike, renderer: str = "auto",
               fmt: str | None = None) -> Path:
        """Write the drawing to path; the suffix (or `fmt`) picks svg, png, pdf or dot."""
        return write_graph(self.source, path, renderer, fmt)

    def svg(self, renderer: str = "auto") -> str:
        """The drawing rendered as SVG text."""
        return render_source(self.source, "svg", renderer).decode("utf-8")

    def _repr_svg_(self) -> str:
        return self.svg()

    def __repr__(self) -> str:
        return f"<GraphDrawing of {len(self.node_ids)} values; .source has the DOT text>"


_RECORD_ESCAPES = str.maketrans({ch: "\\" + ch for ch in "\\{}|<>\""} | {"\n": " "})
# Control characters other than a newline break the renderers; they are shown as \xNN.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """Text with every control character but the newline written out as \\xNN."""
    return _CONTROL_CHARACTERS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def record_field(text: str) -> str:
    """Escape text for one field of a graphviz record label."""
    return visible(text).translate(_RECORD_ESCAPES)


def _local_grads(node: Any) -> tuple:
    try:
        return tuple(float(v) for v in node.local_grads)
    except (ArithmeticError, ValueError):
        return tuple(math.nan for _ in node.parents)


def draw_graph(
    root: Any,
    rankdir: str = "LR",
    *,
    formulas: bool = False,
    grads: Mapping[int, float] | None = None,
    highlight: Any = None,
    modules: Any = None,
    collapse: str | Iterable[str] = (),
    max_nodes: int | None = DEFAULT_MAX_NODES,
    digits: int = 4,
    title: str | None = None,
) -> GraphDrawing:
    """Draw the graph that produced root as a graphviz Digraph.

    - Each Value is a record `name | data | grad`; each operation an oval; each input edge
      is labelled with the local derivative d out / d input (with `formulas=True` also its
      formula in node names, e.g. `w1 = -3.0000`).
    - `grads` maps id(node) to a gradient to show instead of `.grad` (nodes missing from
      it show `grad ?`, and known ones are tinted), as the step-by-step frames do.
    - `highlight` is a node to emphasise with the edges to its parents.
    - Values or gradients that are nan or infinite are filled red, and the path from them
      to the root is drawn red.
    - `modules` (an nn Module) groups nodes into a cluster per submodule; `collapse`
      lists module names (as in `named_modules()`) to fold into one box each, or
      names one module as a string.
    - More than `max_nodes` drawn values raises GraphTooLargeError; pass
      `max_nodes=None` to draw anyway.

    Example:
        >>> from autograd import Value
        >>> a, b = Value(2.0, "a"), Value(-3.0, "b")
        >>> c = a * b
        >>> c.label = "c"
        >>> c.backward()
        >>> source = draw_graph(c).source
        >>> 'v0 [label="{a | data 2.0000 | grad -3.0000}" id="v0"]' in source
        True
        >>> 'v0 -> v2_op [label="-3.0000" id="e2_0"]' in source
        True
    """
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw_graph: rankdir must be LR, RL, TB or BT, got {rankdir!r}")
    graphviz = import_graphviz()
    order = topological_order(root)
    names = node_names(order)
    index = {id(node): i for i, node in enumerate(order)}
    scopes = module_scopes(order, modules) if modules is not None else ModuleScopes.empty()
    boxes = scopes.boxes_for(collapse)

    drawn_values = sum(1 for node in order if id(node) not in boxes) + len(set(boxes.values()))
    if max_nodes is not None and drawn_values > max_nodes:
        raise GraphTooLargeError(
            f"draw_graph: the graph has {drawn_values} values, more than max_nodes={max_nodes}. "
            "Fold modules into boxes with draw_graph(root, modules=model, "
            "collapse=['layer1', ...]) (names from model.named_modules()), "
            "draw a smaller part of the graph, or pass max_nodes=None to draw it all."
        )

    broken = set()
    on_broken_path = set()
    for node in order:
        grad = node.grad if grads is None else grads.get(id(node))
        if not math.isfinite(node.data) or (grad is not None and not math.isfinite(grad)):
            broken.add(id(node))
            on_broken_path.add(id(node))
        elif any(id(p) in on_broken_path for p in node.parents):
            on_broken_path.add(id(node))

    graph_attr = {"rankdir": rankdir}
    if title:
        label = visible(title).replace("\\", "\\\\").replace("\n", "\\n")
        graph_attr.update(label=label, labelloc="t", fontname="Helvetica")
    graph = graphviz.Digraph(
        "autograd", graph_attr=graph_attr, node_attr=VALUE_NODE, edge_attr=EDGE
    )
    clusters = scopes.cluster_graphs(graphviz, boxes)
    node_ids: dict[int, str] = {}

    op_style = _attr_text(OP_NODE)
    highlight_op_style = _attr_text({**OP_NODE, "fillcolor": HIGHLIGHT_FILL, "penwidth": "2"})
    for i, node in enumerate(order):
        key = id(node)
        if key in boxes:
            continue
        target = clusters.get(scopes.scope_of(key), graph) if clusters else graph
        grad = node.grad if grads is None else grads.get(key)
        grad_text = "?" if grad is None else format_number(grad, digits)
        label = (
            f'"{{{record_field(names[key])} | data {format_number(node.data, digits)} '
            f'| grad {grad_text}}}"'
        )
        style = {}
        if key in broken:
            style.update(fillcolor=NONFINITE_FILL, color=NONFINITE_EDGE, penwidth="2")
        elif key in on_broken_path:
            style.update(color=NONFINITE_EDGE, penwidth="2")
        if node is highlight:
            style.update(fillcolor=HIGHLIGHT_FILL, penwidth="2.5")
        elif grads is not None and grad is not None and key not in broken:
            style.update(fillcolor=KNOWN_GRAD_FILL)
        extra = f" {_attr_text(style)}" if style else ""
        target.body.append(f'\tv{i} [label={label} id="v{i}"{extra}]\n')
        node_ids[key] = f"v{i}"
        if node.parents:
            style_text = highlight_op_style if node is highlight else op_style
            target.body.append(
                f'\tv{i}_op [label={quoted(node.op)} id="v{i}_op" {style_text}]\n'
            )

    for box_name, box_id, count in scopes.box_nodes(boxes):
        label = quoted(f"{box_name}\n({count} values)")
        _add_node(graph, box_id, label, {"id": box_id, **BOX_NODE})
    scopes.attach_clusters(graph, clusters)

    box_edges: dict[tuple[str, str], None] = {}
    body = graph.body
    for i, node in enumerate(order):
        if not node.parents:
            continue
        key = id(node)
        if key in boxes:
            head = boxes[key]
            for parent in node.parents:
                if boxes.get(id(parent)) != head:
                    tail = boxes.get(id(parent), f"v{index[id(parent)]}")
                    box_edges[(tail, head)] = None
            continue
        style = _path_style(key in on_broken_path, node is highlight)
        extra = f" {_attr_text(style)}" if style else ""
        body.append(f'\tv{i}_op -> v{i} [id="e{i}_out"{extra}]\n')
        is_highlight = node is highlight
        for k, (parent, local) in enumerate(zip(node.parents, _local_grads(node), strict=True)):
            text = format_number(local, digits)
            if formulas:
                formula = formula_in_names(node, k, names)
                if not _is_number(formula):
                    text = f"{formula} = {text}"
            parent_key = id(parent)
            style = _path_style(parent_key in on_broken_path, is_highlight)
            if not math.isfinite(local):
                style = {**style, "color": NONFINITE_EDGE, "fontcolor": NONFINITE_EDGE}
            extra = f" {_attr_text(style)}" if style else ""
            tail = boxes.get(parent_key) or f"v{index[parent_key]}"
            body.append(f'\t{tail} -> v{i}_op [label={quoted(text)} id="e{i}_{k}"{extra}]\n')
    for tail, head in box_edges:
        _add_edge(graph, tail, head, {"style": "dashed"})
    return GraphDrawing(graph, node_ids)


def render(root_or_drawing: Any, path: str | os.PathLike, renderer: str = "auto",
           fmt: str | None = None, **draw_options: Any) -> Path:
    """Draw a graph (or take a drawing) and write it to path as .svg, .png, .pdf or .dot.

    `draw_options` go to `draw_graph` (rankdir, formulas, max_nodes, ...). A .dot file is
    the DOT text and needs no renderer; .svg and .png use the system `dot` when it is on
    PATH, else graphviz-pure; .pdf needs the system `dot`. `fmt` ("svg", "png", "pdf" or
    "dot") overrides the suffix. Returns the written path.

    Example:
        >>> from autograd import Value
        >>> x = Value(2.0, "x")
        >>> y = (x * x).tanh()
        >>> y.backward()
        >>> render(y, "out/doctest_graph.svg").name
        'doctest_graph.svg'
    """
    drawing = root_or_drawing
    if not isinstance(drawing, GraphDrawing):
        drawing = draw_graph(root_or_drawing, **draw_options)
    elif draw_options:
        raise TypeError("render: drawing options only apply when given a Value, not a drawing")
    return drawing.render(path, renderer, fmt)


def quoted(text: str) -> str:
    """A DOT double-quoted string showing text literally (for labels that are not records)."""
    text = visible(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def _attr_text(attrs: dict[str, str]) -> str:
    return " ".join(f'{key}="{value}"' for key, value in attrs.items())


# Statements go straight into the Digraph's body, its documented list of lines: the
# graphviz package's node() and edge() re-quote every attribute with regular
# expressions, which made drawing a 100k-node graph several times slower. Our attribute
# values are fixed strings, and labels are escaped by record_field or quoted().
def _add_node(graph: Any, name: str, label: str, attrs: dict[str, str]) -> None:
    graph.body.append(f"\t{name} [label={label} {_attr_text(attrs)}]\n")


def _add_edge(graph: Any, tail: str, head: str, attrs: dict[str, str], label: str = "") -> None:
    label = f"label={label} " if label else ""
    graph.body.append(f"\t{tail} -> {head} [{label}{_attr_text(attrs)}]\n")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_NO_STYLE: dict[str, str] = {}
_HIGHLIGHT_STYLE = {"color": HIGHLIGHT_EDGE, "penwidth": "2.5", "fontcolor": HIGHLIGHT_EDGE}
_BROKEN_STYLE = {"color": NONFINITE_EDGE, "penwidth": "2"}


def _path_style(broken: bool, highlighted: bool) -> dict[str, str]:
    if highlighted:
        return _HIGHLIGHT_STYLE
    if broken:
        return _BROKEN_STYLE
    return _NO_STYLE
