"""The one data schema behind the stepper page, its checker, and its value-level builder.

The page (viz/stepper_template.html) knows nothing about Values, neurons or layers: it
reads one plain dict, the *stepper data*, beside an inlined SVG picture. Every level of
detail (`level="value"`, built here from the ledger; `"neuron"` and `"layer"`, built by
`viz.network.network_stepper_parts`) hands the page the same schema, described below and
checked by `check_stepper_data`.

Stepper data (version 1)
========================

Page step numbers: step 0 is the start (forward pass done, only the seed known); step k
(1 <= k <= len(steps)) is `steps[k - 1]`. Every "step" field below is a page step number.
Ids are the `id` attributes of the SVG's `<g>` elements (graphviz writes a node's or an
edge's DOT `id` attribute there); an id that is not in the SVG is ignored by the page.

Top level, a dict with exactly these keys:

- "version": 1.
- "level": str, the level of detail ("value", "neuron", "layer"); shown in the header.
- "root": str or None, the id of the node the backward pass starts from.
- "start": {"headline": str, "known": [[id, grad_text], ...]}, what the page shows at
  step 0: its headline, and the gradients known before any step (the seed).
- "columns": [str, ...], the header of the per-step table (may be empty).
- "nodes": [node, ...], every drawn node the page can search, hover, click or paint.
- "edges": [edge, ...], every drawn edge the page colours.
- "steps": [step, ...], in backward order (empty when the root is a leaf).
- "play_interval_ms": int > 0, the pause between steps when playing.

A node, a dict:

- "id": str, unique among nodes: the id of its `<g>` in the SVG.
- "name": str, its display name (searched, shown in tooltips and sums).
- "search": [str, ...], more names the search box matches (a label, a module path such
  as "layer1.neuron3"); the name is always matched, so this may be empty.
- "op": str, the operation that made it ("tanh", "+", "neuron"...), "" for a leaf.
- "data_text": str, its value as text ("0.7071"; for a neuron e.g. "a = 0.7071").
- "grad": float or None, d root / d node after the whole pass (None: never reached).
- "grad_text": str, that gradient as text ("not computed" when "grad" is None).
- "hover": str, the tooltip text (may hold newlines): data, grad and op at least.
- "step": int or None, the step a click goes to: the step that processes the node, or,
  for a leaf, the first step that adds to its gradient (None: no step touches it).
- "first_step": int or None, the first step touching the node (where a search lands):
  the first step that adds to its gradient, or the step that processes it if earlier
  (the seed, at step 0, does not count: the root's first step is its own, step 1).
- "sum": [term, ...], the chain-rule sum of its gradient, every contribution into it in
  the order the pass added them (empty when nothing flows into it). A term is a dict:
  "from" (str, the name the contribution comes from; "seed" for the root's seed),
  "from_id" (str or None), "step" (int, the step that added it), "text" (str, the term
  in words and numbers), "contribution" (float), "contribution_text" (str),
  "total" (float, the running total after adding it) and "total_text" (str). The last
  term's "total" is the node's gradient.
- "nonfinite": bool, its data or gradient is nan or infinite (drawn red throughout).

An edge, a dict:

- "id": str, unique among edges: the id of the edge's `<g>` in the SVG.
- "sign": 1, -1 or 0: the sign of the gradient that flows back along it (0 for zero or
  nan). The page draws positive and negative contributions in two colours.
- "magnitude": float >= 0 or None (non-finite): the size of that flow; the page scales
  stroke widths by magnitude / (largest magnitude in the page).
- "step": int or None: the step that computes this flow. Before it the edge is drawn
  thin and grey; from it on in its colour (None: always coloured).
- "hover": str, the edge's tooltip text.

A step, a dict:

- "nodes": [id, ...], non-empty: the nodes this step works on. They get the CSS class
  `current` and are scrolled into view. A node folded into a module's box gives the
  box's id, so a collapsed step still highlights something.
- "edges": [id, ...], the edges this step sends gradient along (emphasised).
- "headline": str, one line: what this step does.
- "rows": [[cell, ...], ...], the step's table, one row per line of the chain rule,
  as many cells as "columns"; a cell is a str, or [text, number] for a number (the page
  shows text and keeps the number in the cell's data-value attribute).
- "lines": [str, ...], the chain rule of this step in words and numbers.
- "known": [[id, grad_text], ...], the gradients that become known or change at this
  step. The page writes "grad " + grad_text into the first `<text>` of the node's
  `<g>` whose text starts with "grad" (if it has one) and gives the node class `known`;
  nodes not yet known show "grad ?".

`value_stepper_data` builds this from a ledger and a `level="value"` drawing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from viz.ledger import Ledger
from viz.naming import wrap_name
from viz.number_format import format_number

VERSION = 1
TOP_KEYS = {"version", "level", "root", "start", "columns", "nodes", "edges", "steps",
            "play_interval_ms"}
NODE_KEYS = {"id", "name", "search", "op", "data_text", "grad", "grad_text", "hover", "step",
             "first_step", "sum", "nonfinite"}
TERM_KEYS = {"from", "from_id", "step", "text", "contribution", "contribution_text", "total",
             "total_text"}
EDGE_KEYS = {"id", "sign", "magnitude", "step", "hover"}
STEP_KEYS = {"nodes", "edges", "headline", "rows", "lines", "known"}
VALUE_COLUMNS = ["parent", "local derivative formula", "upstream", "local",
                 "contribution = upstream \u00d7 local", "parent grad so far"]


class StepperDataError(ValueError):
    """Stepper data that does not follow the schema of viz.stepper_data."""


def check_stepper_data(data: Any) -> None:
    """Raise StepperDataError naming the first place where data breaks the schema.

    Example:
        >>> check_stepper_data({"version": 1, "level": "value"})
        Traceback (most recent call last):
        ...
        viz.stepper_data.StepperDataError: stepper data: the top level: missing keys [...]
    """
    _keys("the top level", data, TOP_KEYS)
    if data["version"] != VERSION:
        raise StepperDataError(f"stepper data: version must be {VERSION}, got {data['version']!r}")
    _text("level", data["level"])
    if data["root"] is not None:
        _text("root", data["root"])
    steps = _list("steps", data["steps"])
    last = len(steps)
    interval = data["play_interval_ms"]
    if not _is_int(interval) or interval <= 0:
        raise StepperDataError(f"stepper data: play_interval_ms must be an int > 0, "
                               f"got {interval!r}")
    _keys("start", data["start"], {"headline", "known"})
    _text("start.headline", data["start"]["headline"])
    _known("start.known", data["start"]["known"])
    columns = _list("columns", data["columns"])
    for i, column in enumerate(columns):
        _text(f"columns[{i}]", column)
    seen: set[str] = set()
    for i, node in enumerate(_list("nodes", data["nodes"])):
        where = f"nodes[{i}]"
        _keys(where, node, NODE_KEYS)
        _unique(where, node["id"], seen)
        for key in ("name", "op", "data_text", "grad_text", "hover"):
            _text(f"{where}.{key}", node[key])
        for k, name in enumerate(_list(f"{where}.search", node["search"])):
            _text(f"{where}.search[{k}]", name)
        if node["grad"] is not None:
            _number(f"{where}.grad", node["grad"])
        _step(f"{where}.step", node["step"], last)
        _step(f"{where}.first_step", node["first_step"], last)
        if not isinstance(node["nonfinite"], bool):
            raise StepperDataError(f"stepper data: {where}.nonfinite must be true or false")
        for k, term in enumerate(_list(f"{where}.sum", node["sum"])):
            here = f"{where}.sum[{k}]"
            _keys(here, term, TERM_KEYS)
            for key in ("from", "text", "contribution_text", "total_text"):
                _text(f"{here}.{key}", term[key])
            if term["from_id"] is not None:
                _text(f"{here}.from_id", term["from_id"])
            _step(f"{here}.step", term["step"], last, allow_none=False)
            _number(f"{here}.contribution", term["contribution"])
            _number(f"{here}.total", term["total"])
    seen = set()
    for i, edge in enumerate(_list("edges", data["edges"])):
        where = f"edges[{i}]"
        _keys(where, edge, EDGE_KEYS)
        _unique(where, edge["id"], seen)
        if edge["sign"] not in (-1, 0, 1) or isinstance(edge["sign"], bool):
            raise StepperDataError(f"stepper data: {where}.sign must be 1, -1 or 0, "
                                   f"got {edge['sign']!r}")
        magnitude = edge["magnitude"]
        if magnitude is not None:
            _number(f"{where}.magnitude", magnitude)
            if not (math.isfinite(magnitude) and magnitude >= 0):
                raise StepperDataError(f"stepper data: {where}.magnitude must be a finite "
                                       f"number >= 0 or None, got {magnitude!r}")
        _step(f"{where}.step", edge["step"], last)
        _text(f"{where}.hover", edge["hover"])
    for i, step in enumerate(steps):
        where = f"steps[{i}]"
        _keys(where, step, STEP_KEYS)
        ids = _list(f"{where}.nodes", step["nodes"])
        if not ids:
            raise StepperDataError(f"stepper data: {where}.nodes is empty; every step must "
                                   "highlight a node (a folded node: its module's box)")
        for k, node_id in enumerate(ids):
            _text(f"{where}.nodes[{k}]", node_id)
        for k, edge_id in enumerate(_list(f"{where}.edges", step["edges"])):
            _text(f"{where}.edges[{k}]", edge_id)
        _text(f"{where}.headline", step["headline"])
        for r, row in enumerate(_list(f"{where}.rows", step["rows"])):
            cells = _list(f"{where}.rows[{r}]", row)
            if len(cells) != len(columns):
                raise StepperDataError(f"stepper data: {where}.rows[{r}] has {len(cells)} "
                                       f"cells for {len(columns)} columns")
            for c, cell in enumerate(cells):
                _cell(f"{where}.rows[{r}][{c}]", cell)
        for k, line in enumerate(_list(f"{where}.lines", step["lines"])):
            _text(f"{where}.lines[{k}]", line)
        _known(f"{where}.known", step["known"])


def _keys(where: str, entry: Any, expected: set[str]) -> None:
    if not isinstance(entry, Mapping):
        raise StepperDataError(f"stepper data: {where} must be a dict, "
                               f"got {type(entry).__name__}")
    missing, extra = sorted(expected - set(entry)), sorted(set(entry) - expected)
    if missing:
        raise StepperDataError(f"stepper data: {where}: missing keys {missing}")
    if extra:
        raise StepperDataError(f"stepper data: {where}: unknown keys {extra}")


def _list(where: str, value: Any) -> list:
    if not isinstance(value, list | tuple):
        raise StepperDataError(f"stepper data: {where} must be a list, "
                               f"got {type(value).__name__}")
    return list(value)


def _text(where: str, value: Any) -> None:
    if not isinstance(value, str):
        raise StepperDataError(f"stepper data: {where} must be a str, got {value!r}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(where: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StepperDataError(f"stepper data: {where} must be a number, got {value!r}")


def _step(where: str, value: Any, last: int, allow_none: bool = True) -> None:
    if value is None and allow_none:
        return
    if not _is_int(value) or not 0 <= value <= last:
        raise StepperDataError(f"stepper data: {where} must be a step number from 0 to "
                               f"{last}{' or None' if allow_none else ''}, got {value!r}")


def _unique(where: str, value: Any, seen: set[str]) -> None:
    _text(f"{where}.id", value)
    if value in seen:
        raise StepperDataError(f"stepper data: {where}.id {value!r} is used twice")
    seen.add(value)


def _known(where: str, value: Any) -> None:
    for k, pair in enumerate(_list(where, value)):
        if (not isinstance(pair, list | tuple) or len(pair) != 2
                or not all(isinstance(part, str) for part in pair)):
            raise StepperDataError(f"stepper data: {where}[{k}] must be [id, grad_text], "
                                   f"got {pair!r}")


def _cell(where: str, cell: Any) -> None:
    if isinstance(cell, str):
        return
    if (isinstance(cell, list | tuple) and len(cell) == 2 and isinstance(cell[0], str)
            and isinstance(cell[1], int | float) and not isinstance(cell[1], bool)):
        return
    raise StepperDataError(f"stepper data: {where} must be a str or [text, number], "
                           f"got {cell!r}")


def value_stepper_data(
    ledger: Ledger, node_ids: Mapping[int, str], box_ids: Mapping[int, str] | None = None,
    digits: int = 4, play_seconds: float = 0.9,
) -> dict:
    """Stepper data (the schema above) for a `level="value"` drawing of the ledger's graph.

    `node_ids` maps id(node) to the drawn node's SVG id (`GraphDrawing.node_ids`);
    `box_ids` maps id(node) to the box of a collapsed module the node is folded into.
    Input edges are `e{i}_{k}` and output edges `e{i}_out`, as draw_graph names them.

    Example:
        >>> from autograd import Value
        >>> from viz.ledger import backprop_steps
        >>> x = Value(3.0, "x")
        >>> y = x * x
        >>> y.label = "y"
        >>> data = value_stepper_data(backprop_steps(y), {id(x): "v0", id(y): "v1"})
        >>> [(t["from"], t["total"]) for t in data["nodes"][0]["sum"]]
        [('y', 3.0), ('y', 6.0)]
    """
    box_ids = box_ids or {}

    def text(x: float) -> str:
        return format_number(x, digits)

    root = ledger.root
    root_name = ledger.name(root)
    root_id = node_ids.get(id(root))
    sums: dict[int, list[dict]] = {id(root): [{
        "from": "seed", "from_id": None, "step": 0,
        "text": f"the seed: the gradient of {root_name} starts at {text(ledger.seed)}",
        "contribution": ledger.seed, "contribution_text": text(ledger.seed),
        "total": ledger.seed, "total_text": text(ledger.seed),
    }]}
    processed_at: dict[int, int] = {}
    edges: list[dict] = []
    steps: list[dict] = []
    for number, step in enumerate(ledger.steps, start=1):
        node = step.node
        processed_at[id(node)] = number
        name = ledger.name(node)
        node_id = node_ids.get(id(node))
        upstream_name = ledger.upstream_name(step)  # "seed" at the root, never d o/d o
        rows, lines, known, step_edges = [], [], [], []
        if node_id is not None:
            out_id = f"e{node_id[1:]}_out"
            step_edges.append(out_id)
            edges.append(edge_entry(out_id, step.upstream, number,
                               f"{name}: {upstream_name} = {text(step.upstream)} flows back"))
        for edge in step.edges:
            parent = edge.parent
            parent_name = ledger.name(parent)
            parent_id = node_ids.get(id(parent))
            formula = ledger.formula_in_names(step, edge)
            term = (f"{upstream_name} * d{wrap_name(name)}/d{wrap_name(parent_name)}"
                    f" = {text(step.upstream)} * {text(edge.local)}"
                    f" = {text(edge.contribution)}")
            sums.setdefault(id(parent), []).append({
                "from": name, "from_id": node_id, "step": number, "text": term,
                "contribution": edge.contribution, "contribution_text": text(edge.contribution),
                "total": edge.parent_grad, "total_text": text(edge.parent_grad),
            })
            rows.append([
                parent_name, formula, [text(step.upstream), step.upstream],
                [text(edge.local), edge.local], [text(edge.contribution), edge.contribution],
                [text(edge.parent_grad), edge.parent_grad],
            ])
            lines.append(ledger.sentence(step, edge, digits))
            if parent_id is not None:
                known.append([parent_id, text(edge.parent_grad)])
            if node_id is not None:
                edge_id = f"e{node_id[1:]}_{edge.index}"
                step_edges.append(edge_id)
                edges.append(edge_entry(edge_id, edge.contribution, number,
                                   f"{parent_name} \u2192 {name}: {term}"))
        box = box_ids.get(id(node))
        folded = "" if node_id or not box else f" (folded into box {box})"
        steps.append({
            "nodes": [node_id, f"{node_id}_op"] if node_id else [box] if box else [],
            "edges": step_edges,
            "headline": (f"Step {number}: {ledger.equation(step)}; upstream {upstream_name}"
                         f" = {text(step.upstream)}{folded}"),
            "rows": rows, "lines": lines, "known": known,
        })

    nodes = []
    for node in ledger.order:
        node_id = node_ids.get(id(node))
        if node_id is None:
            continue
        key = id(node)
        name = ledger.name(node)
        grad = ledger.grads.get(key)
        terms = sums.get(key, [])
        added = [term["step"] for term in terms if term["step"] > 0]  # not the seed
        first_added = added[0] if added else None
        candidates = [s for s in (first_added, processed_at.get(key)) if s is not None]
        grad_text = "not computed" if grad is None else text(grad)
        op_text = (f"{node.op}: {name} = {ledger.expression(node)}" if node.parents
                   else "none (a leaf)")
        nodes.append({
            "id": node_id, "name": name,
            "search": [node.label] if node.label and node.label != name else [],
            "op": node.op, "data_text": text(node.data), "grad": grad, "grad_text": grad_text,
            "hover": f"{name}\nop: {op_text}\ndata: {text(node.data)}\ngrad: {grad_text}",
            "step": processed_at.get(key, first_added),
            "first_step": min(candidates) if candidates else None,
            "sum": terms,
            "nonfinite": not (math.isfinite(node.data)
                              and (grad is None or math.isfinite(grad))),
        })
    return {
        "version": VERSION, "level": "value", "root": root_id,
        "start": {
            "headline": (f"Forward pass done. Backprop starts from the seed: "
                         f"grad of {root_name} = {text(ledger.seed)}."),
            "known": [[root_id, text(ledger.seed)]] if root_id else [],
        },
        "columns": list(VALUE_COLUMNS),
        "nodes": nodes, "edges": edges, "steps": steps,
        "play_interval_ms": max(1, round(play_seconds * 1000)),
    }


def edge_entry(edge_id: str, flow: float, step: int | None, hover: str) -> dict:
    """An edge of the schema: coloured by the sign of the gradient flowing back along it
    from `step` on, sized by its magnitude (none for a flow that is not finite)."""
    finite = math.isfinite(flow)
    sign = 0 if not finite or flow == 0 else (1 if flow > 0 else -1)
    return {"id": edge_id, "sign": sign, "magnitude": abs(flow) if finite else None,
            "step": step, "hover": hover}
