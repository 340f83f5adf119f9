"""draw_graph: a computational graph as DOT, built with the graphviz package; render writes it.

Value nodes are records (name | data | grad), each operation is a small oval between its
inputs and its output, and every input edge carries the local derivative d out / d input
from the op table. Node ids follow the topological order, so a graph always gives the
same DOT text. The walk is iterative: a 100k-node chain draws without recursion.

Every label, title and module name reaches the DOT text through `viz.naming.plain_text`
and then DOT's quoting (`quoted`, `record_field`), never as DOT or HTML-like markup.
The layout work is bounded: an edge that would cross more than `max_edge_span` ranks
is drawn from a dashed copy of its value placed beside the operation (see draw_graph).
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from autograd.graph import topological_order
from viz.clusters import ModuleScopes, module_scopes
from viz.dot import (  # noqa: F401 - MissingGraphvizError and EDGE are viz.drawing's too
    EDGE,
    MissingGraphvizError,
    add_edge,
    add_node,
    attr_text,
    import_graphviz,
    quoted,
)
from viz.graph_drawing import GraphDrawing, open_in_viewer  # noqa: F401 - re-exported
from viz.naming import expression_texts, formula_in_names, node_names, plain_text
from viz.number_format import backward_has_run, format_number

# Beyond this many values a full drawing takes more than about a minute to lay out.
# Measured with graphviz-pure (the renderer we ship) on nn.MLP(2, [16, 16, 1], seed=0)
# with the hinge loss of a batch of make_moons samples, svg, default max_edge_span:
#   1 samples: 1016 values, graphviz-pure svg in 1.4 s
#   2 samples: 1694 values, graphviz-pure svg in 2.9 s
#   3 samples: 2372 values, graphviz-pure svg in 18.2 s
#   4 samples: 3050 values, graphviz-pure svg in 20.9 s
#   5 samples: 3728 values, graphviz-pure svg in 37.2 s
#   6 samples: 4406 values, graphviz-pure svg in 54.4 s
#   8 samples: 5762 values, graphviz-pure svg in 134.9 s
#   10 samples: 7118 values, graphviz-pure svg in 867.8 s
# (two cores shared with other work; the time grows faster than the size). A rerun
# while the machine was busier (load average 5.7 on 2 cores; 1 sample then took 5.7 to
# 7.4 s) printed 6 samples: 4406 values in 188.5 s, 7 samples: 5084 values in 198.0 s.
DEFAULT_MAX_NODES = 4500
LAYOUT_TIME_NOTE = (f" (beyond about {DEFAULT_MAX_NODES} values the layout takes more than a "
                    "minute)")
LEVELS = ("value", "neuron", "layer")
# The renderer's layout time grows with the length of the edges (each rank an edge
# crosses is a hidden node to place, and long chains of them are slow to untangle):
# x+x+...+x with 100 terms took minutes with graphviz-pure when x was drawn once, 0.1 s
# with a copy of x beside each far use. Measured with graphviz-pure, edges of at most
# 8 or 16 ranks drew 8 values each used 200 times in 11-12 s, at most 32 ranks in 64 s;
# bounding only the total length instead left edges of 80 ranks and took 420 s.
DEFAULT_MAX_EDGE_SPAN = 16

VALUE_NODE = {
    "shape": "record", "style": "filled", "fillcolor": "white", "fontname": "Helvetica",
    "fontsize": "11",
}
OP_NODE = {"shape": "ellipse", "fillcolor": "#e8eef9", "margin": "0.04,0.02"}
COPY_NODE = {"shape": "box", "style": "dashed,rounded", "fontname": "Helvetica",
             "fontsize": "10"}
BOX_NODE = {"shape": "box3d", "fillcolor": "#f2f2f2"}

HIGHLIGHT_FILL = "#ffd966"
HIGHLIGHT_EDGE = "#c27c0e"
KNOWN_GRAD_FILL = "#e3f1e3"
NONFINITE_FILL = "#f6b0b0"
NONFINITE_EDGE = "#c62828"


class GraphTooLargeError(ValueError):
    """The graph has more value nodes than draw_graph's max_nodes allows."""


# Graphviz reads "&name;" in any label as an HTML entity: "&amp;" would show as "&".
_RECORD_ESCAPES = str.maketrans({ch: "\\" + ch for ch in "\\{}|<>\""} | {"&": "&amp;"})


def record_field(text: str) -> str:
    """Escape text for one field of a graphviz record label (after plain_text)."""
    return plain_text(text).translate(_RECORD_ESCAPES)


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
    max_edge_span: int | None = DEFAULT_MAX_EDGE_SPAN,
    level: str = "value",
    tooltips: bool = True,
    highlight_inputs: bool = True,
    node_widths: Mapping[int, float] | None = None,
    title_box: tuple[float, float] | None = None,
) -> GraphDrawing:
    """Draw the graph that produced root as a graphviz Digraph.

    - Each Value is a record `name | data | grad`; each operation an oval; each input edge
      is labelled with the local derivative d out / d input (with `formulas=True` also its
      formula in node names, e.g. `w1 = -3.0000`).
    - A gradient no backward pass has computed reads "grad: not computed", never 0.0000:
      without `grads`, that is every gradient while root.grad is 0.0 (backward() leaves
      the root's .grad at its nonzero seed; see `backward_has_run`).
    - `grads` maps id(node) to a gradient to show instead of `.grad` (nodes missing from
      it read "grad: not computed yet", and known ones are tinted), as the step-by-step
      frames do.
    - `highlight` is a node to emphasise with the edges to its parents
      (`highlight_inputs=False`: the node alone).
    - `tooltips` (on by default): hovering a value in an SVG shows its whole expression
      (`n = x1 * w1 + x2 * w2 + b`, long parts by name) and its data and grad in full.
    - Values or gradients that are nan or infinite are filled red, and the path from them
      to the root is drawn red.
    - `modules` (an nn Module) groups nodes into a cluster per submodule; `collapse`
      lists module names (as in `named_modules()`) to fold into one box each, or
      names one module as a string.
    - More than `max_nodes` drawn values raises GraphTooLargeError; pass
      `max_nodes=None` to draw anyway.
    - The layout's work is bounded: an input edge that would cross more than
      `max_edge_span` ranks (a value used again far down the graph, as x in
      x+x+...+x, or an input shared by the neurons of a wide layer) is drawn from a
      dashed copy of the value placed beside the operation. The edge keeps its id and
      label; `.copies` counts them. `max_edge_span=None` draws every edge from the value
      itself (the layout may then take minutes).
    - `title` (text, its newlines kept as line breaks) goes above the graph.
    - For frames that must share one layout (render_steps): `node_widths` maps id(node)
      to a value box's least width in inches, `title_box` is the title's (width, height)
      in points, its lines then left-aligned.
    - `level="neuron"` or `"layer"` (with `modules=model`) draws one box per neuron or
      layer instead of one per value (see `viz.network.draw_network`); its size does not
      grow with the batch. `"value"` (the default) draws every value.

    Example:
        >>> from autograd import Value
        >>> a, b = Value(2.0, "a"), Value(-3.0, "b")
        >>> c = a * b
        >>> c.label = "c"
        >>> c.backward()
        >>> source = draw_graph(c).source
        >>> 'v0 [label="{a | data 2.0000 | grad -3.0000}" id="v0" tooltip=' in source
        True
        >>> 'v0 -> v2_op [label="-3.0000" id="e2_0"]' in source
        True
    """
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw_graph: rankdir must be LR, RL, TB or BT, got {rankdir!r}")
    if level not in LEVELS:
        raise ValueError(f"draw_graph: level must be one of {', '.join(LEVELS)}, got {level!r}")
    if level != "value":
        from viz.network import draw_network  # the network views are built on module scopes

        return draw_network(root, modules, level, rankdir=rankdir, grads=grads,
                            digits=digits, title=title)
    if max_edge_span is not None and (isinstance(max_edge_span, bool)
                                      or not isinstance(max_edge_span, int)
                                      or max_edge_span < 1):
        raise ValueError(f"draw_graph: max_edge_span must be an int >= 1 or None, "
                         f"got {max_edge_span!r}")
    graphviz = import_graphviz()
    order = topological_order(root)
    names = node_names(order)
    index = {id(node): i for i, node in enumerate(order)}
    scopes = module_scopes(order, modules) if modules is not None else ModuleScopes.empty()
    boxes = scopes.boxes_for(collapse)

    drawn_values = sum(1 for node in order if id(node) not in boxes) + len(set(boxes.values()))
    if max_nodes is not None and drawn_values > max_nodes:
        raise GraphTooLargeError(
            f"draw_graph: the graph has {drawn_values} values, more than max_nodes={max_nodes}"
            f"{LAYOUT_TIME_NOTE if max_nodes == DEFAULT_MAX_NODES else ''}. For a network, "
            "draw one box per neuron with draw_graph(root, modules=model, level='neuron') "
            "(or level='layer'), whose size does not grow with the batch; or fold modules "
            "into boxes with collapse=['layer1', ...] (names from model.named_modules()), "
            "draw a smaller part of the graph, or pass max_nodes=None to draw every value."
        )

    computed = grads is not None or backward_has_run(root)
    broken = set()
    on_broken_path = set()
    for node in order:
        grad = (node.grad if computed else None) if grads is None else grads.get(id(node))
        if not math.isfinite(node.data) or (grad is not None and not math.isfinite(grad)):
            broken.add(id(node))
            on_broken_path.add(id(node))
        elif any(id(p) in on_broken_path for p in node.parents):
            on_broken_path.add(id(node))

    graph = graphviz.Digraph(
        "autograd", graph_attr={"rankdir": rankdir}, node_attr=VALUE_NODE, edge_attr=EDGE
    )
    if title:
        # Quoted here, not passed to graphviz: it would keep a title like "<...>" as an
        # HTML-like label, and the rest of the title as DOT statements.
        text = quoted(title) if title_box is None else boxed_html(title, *title_box)
        graph.body.append(f'\tgraph [label={text} labelloc="t" fontname="Helvetica"]\n')
    expressions = {}
    if tooltips:  # a folded module is named by its box, never spelled out
        box_names = {box_id: name for name, box_id, _ in scopes.box_nodes(boxes)}
        shown_names = {**names, **{key: box_names[box] for key, box in boxes.items()}}
        expressions = expression_texts(order, shown_names, opaque=boxes)
    clusters = scopes.cluster_graphs(graphviz, boxes, quoted)
    node_ids: dict[int, str] = {}

    op_style = attr_text(OP_NODE)
    highlight_op_style = attr_text({**OP_NODE, "fillcolor": HIGHLIGHT_FILL, "penwidth": "2"})
    for i, node in enumerate(order):
        key = id(node)
        if key in boxes:
            continue
        target = clusters.get(scopes.scope_of(key), graph) if clusters else graph
        grad = (node.grad if computed else None) if grads is None else grads.get(key)
        missing = NOT_COMPUTED if grads is None else NOT_COMPUTED_YET
        label = value_label(names[key], node.data, grad, digits, missing)
        style = {}
        if key in broken:
            style.update(fillcolor=NONFINITE_FILL, color=NONFINITE_EDGE, penwidth="2")
        elif key in on_broken_path:
            style.update(color=NONFINITE_EDGE, penwidth="2")
        if node is highlight:
            style.update(fillcolor=HIGHLIGHT_FILL, penwidth="2.5")
        elif grads is not None and grad is not None and key not in broken:
            style.update(fillcolor=KNOWN_GRAD_FILL)
        if node_widths is not None and key in node_widths:
            style["width"] = f"{node_widths[key]:.4f}"
        if tooltips:
            whole = f"{names[key]} = {expressions[key]}" if node.parents else names[key]
            shown = missing if grad is None else repr(grad)
            style["tooltip"] = quoted(f"{whole}\ndata {node.data!r}\ngrad {shown}")[1:-1]
        extra = f" {attr_text(style)}" if style else ""
        target.body.append(f'\tv{i} [label={label} id="v{i}"{extra}]\n')
        node_ids[key] = f"v{i}"
        if node.parents:
            lit = node is highlight and highlight_inputs
            style_text = highlight_op_style if lit else op_style
            target.body.append(
                f'\tv{i}_op [label={quoted(node.op)} id="v{i}_op" {style_text}]\n'
            )

    box_labels = scopes.box_labels(boxes, grads=grads, digits=digits, names=names)
    for _, box_id, _ in scopes.box_nodes(boxes):
        add_node(graph, box_id, quoted(box_labels[box_id]), {"id": box_id, **BOX_NODE})
    graph.body.extend(scopes.box_order(boxes))
    scopes.attach_clusters(graph, clusters)

    copied = _long_edges(order, boxes, max_edge_span) if max_edge_span is not None else set()
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
        lit = node is highlight and highlight_inputs
        style = _path_style(key in on_broken_path, lit)
        extra = f" {attr_text(style)}" if style else ""
        body.append(f'\tv{i}_op -> v{i} [id="e{i}_out"{extra}]\n')
        is_highlight = lit
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
            extra = f" {attr_text(style)}" if style else ""
            tail = boxes.get(parent_key) or f"v{index[parent_key]}"
            if (i, k) in copied:
                copy = f"{tail}_copy{i}_{k}"
                name = names[parent_key]
                target = clusters.get(scopes.scope_of(key), graph) if clusters else graph
                attrs = {"id": copy, **COPY_NODE,
                         "tooltip": f"{name} again (its edges stay short this way)"}
                target.body.append(
                    f"\t{copy} [label={quoted(name)} {attr_text(_dot_safe(attrs))}]\n"
                )
                tail = copy
            body.append(f'\t{tail} -> v{i}_op [label={quoted(text)} id="e{i}_{k}"{extra}]\n')
    for tail, head in box_edges:
        add_edge(graph, tail, head, {"style": "dashed"})
    return GraphDrawing(graph, node_ids, len(copied), boxes)


NOT_COMPUTED = "not computed"
NOT_COMPUTED_YET = "not computed yet"


def value_label(name: str, data: float, grad: float | None, digits: int = 4,
                missing: str = NOT_COMPUTED) -> str:
    """A value's record label as DOT text: `"{name | data 2.0000 | grad -3.0000}"`, with
    "grad: <missing>" when the gradient is not known."""
    grad_text = f": {missing}" if grad is None else f" {format_number(grad, digits)}"
    return f'"{{{record_field(name)} | data {format_number(data, digits)} | grad{grad_text}}}"'


def boxed_html(text: str, width: float, height: float) -> str:
    """Text as an HTML-like DOT label of a fixed least size in points, lines left-aligned.

    Every line is plain_text and then HTML-escaped, so no markup survives from the text.
    """
    lines = "<BR/>".join(html.escape(plain_text(line), quote=False)
                         for line in str(text).split("\n"))
    return ('<<TABLE BORDER="0" CELLPADDING="0" CELLSPACING="0"><TR>'
            f'<TD WIDTH="{math.ceil(width)}" HEIGHT="{math.ceil(height)}" BALIGN="LEFT" '
            f'ALIGN="LEFT" VALIGN="TOP">{lines}</TD></TR></TABLE>>')


def _long_edges(order: list, boxes: dict[int, str], max_span: int) -> set[tuple[int, int]]:
    """(node index, input index) of the input edges longer than max_span ranks.

    An edge's span is counted with every node as close to its first use as it can be
    (heights below); dot's layout minimises the total length, so no layout it picks
    has more hidden nodes than these spans allow. A copy sits beside its operation: its
    edge spans one rank. The value itself stays where its shortest edge puts it.
    """
    heights = _heights(order)
    long = set()
    for i, node in enumerate(order):
        if id(node) in boxes:
            continue
        below = heights[id(node)] + 1  # the node's op
        for k, parent in enumerate(node.parents):
            if id(parent) not in boxes and heights[id(parent)] - below > max_span:
                long.add((i, k))
    return long


def _heights(order: list) -> dict[int, int]:
    """id(node) -> ranks from the root: a value is one rank after its op node, which is
    one after the latest of its inputs; each node as close to its first use as it can."""
    heights = {id(order[-1]): 0} if order else {}
    for node in reversed(order):
        below = heights.setdefault(id(node), 0) + 2  # the op node, then the input
        for parent in node.parents:
            if heights.get(id(parent), -1) < below:
                heights[id(parent)] = below
    return heights


def _dot_safe(attrs: dict[str, str]) -> dict[str, str]:
    return {key: quoted(value)[1:-1] for key, value in attrs.items()}


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
    return drawing.render(path, renderer=renderer, fmt=fmt)


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
