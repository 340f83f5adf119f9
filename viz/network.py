"""Network-level views of an nn model: one box per neuron, or one per layer.

`draw_network(root, model, "neuron")` (what `draw_graph(root, modules=model,
level="neuron")` calls) draws the inputs, one box per neuron and the loss, with one edge
per connection however many samples went through it: a box folds the samples in (the
activation over 10 samples as mean, min and max), so the drawing does not grow with the
batch. `level="layer"` draws one box per layer. Numbers come from the Values themselves:
data from `.data`, gradients from `.grad`, shown as "not computed" while the root's
`.grad` is 0.0 (no backward pass has run). `network_stepper_parts` gives the stepper
page's picture and data at neuron level (see viz.network_steps).
"""

from __future__ import annotations

from typing import Any

from viz.dot import EDGE, add_edge, add_node, attr_text, import_graphviz, quoted
from viz.graph_drawing import GraphDrawing
from viz.naming import plain_text
from viz.network_model import Network, NeuronUnit, find_network
from viz.network_steps import layer_stepper_data, neuron_stepper_data
from viz.number_format import backward_has_run, format_number, span
from viz.rendering import render_source

NETWORK_LEVELS = ("neuron", "layer")
UNIT_NODE = {"shape": "box", "style": "rounded,filled", "fillcolor": "white",
             "fontname": "Helvetica", "fontsize": "10"}
INPUT_FILL = "#eef5ee"
LOSS_FILL = "#fdf0dc"
POSITIVE = "#2b6cb0"
NEGATIVE = "#c53030"


class _Numbers:
    """How a drawing writes data and gradients: digits, and where gradients come from."""

    def __init__(self, root: Any, grads: Any, digits: int, stepper: bool = False) -> None:
        self.grads = grads
        self.digits = digits
        self.computed = grads is not None or backward_has_run(root)
        # On the stepper page a box's one gradient line, "grad ?", is filled in by its step.
        self.stepper = stepper

    def number(self, x: float) -> str:
        return format_number(x, self.digits)

    def grad_of(self, node: Any) -> float | None:
        if self.grads is not None:
            return self.grads.get(id(node))
        return node.grad if self.computed else None

    def grad(self, node: Any) -> str:
        """'grad 0.1234', 'grad ?' (unknown to a partial frame) or 'grad: not computed'."""
        if not self.computed:
            return "grad: not computed"
        grad = self.grad_of(node)
        return "grad ?" if grad is None else f"grad {self.number(grad)}"

    def spread(self, values: list[float]) -> str:
        """'0.1234' for one number, else 'mean m, min a, max b'."""
        if len(values) == 1:
            return self.number(values[0])
        mean = sum(values) / len(values)
        return (f"mean {self.number(mean)}, min {self.number(min(values))}, "
                f"max {self.number(max(values))}")

    def grads_span(self, nodes: list) -> str:
        if not self.computed:
            return "grad: not computed"
        known = [g for g in (self.grad_of(node) for node in nodes) if g is not None]
        if len(known) < len(nodes):
            return "grad ?"
        return f"grad {span(known, self.digits)}"


def _over_samples(what: str, values: list[float], numbers: _Numbers) -> str:
    if len(values) == 1:
        return f"{what} = {numbers.number(values[0])}"
    return f"{what} over {len(values)} samples: {numbers.spread(values)}"


def _weights_name(weights: list) -> str:
    """'W1[3,:]' for weights labelled W1[3,0], W1[3,1], ...; else 'w'."""
    labels = [w.label for w in weights]
    first = labels[0]
    if first.endswith("]") and "[" in first and "," in first:
        stem = first[: first.rindex(",")]
        if all(label.startswith(stem + ",") for label in labels):
            return plain_text(stem + ",:]")
    return "w"


def _neuron_label(unit: NeuronUnit, numbers: _Numbers) -> str:
    lines = [f"{unit.name} ({unit.activation})"]
    lines.append(_over_samples("a", [a.data for a in unit.outputs], numbers))
    weights = unit.weights
    weights_text = (f"{_weights_name(weights)} ({len(weights)}): data "
                    f"{span([w.data for w in weights], numbers.digits)}")
    if unit.bias is not None:
        name = plain_text(unit.bias.label) or "b"
        bias_text = f"{name} = {numbers.number(unit.bias.data)}"
    if numbers.stepper:
        lines.append(weights_text)
        if unit.bias is not None:
            lines.append(bias_text)
        lines.append("grad ?")  # the page writes Σ over samples of delta here
    else:
        lines.append(f"{weights_text} | {numbers.grads_span(weights)}")
        if unit.bias is not None:
            lines.append(f"{bias_text} | {numbers.grad(unit.bias)}")
    return "\n".join(lines)


def _loss_label(root: Any, numbers: _Numbers) -> str:
    name = plain_text(root.label) or "loss"
    grad = "grad ?" if numbers.stepper else numbers.grad(root)
    return f"{name} = {numbers.number(root.data)}\n{grad}"


def _start_graph(graphviz: Any, rankdir: str, title: str | None, stepper: bool) -> Any:
    # The stepper page paints a box's first polygon; rounded corners would draw a path.
    node_attr = {**UNIT_NODE, "style": "filled"} if stepper else UNIT_NODE
    graph = graphviz.Digraph(
        "network",
        graph_attr={"rankdir": rankdir, "nodesep": "0.12", "ranksep": "1.1"},
        node_attr=node_attr, edge_attr=EDGE,
    )
    if title:
        graph.body.append(f'\tgraph [label={quoted(title)} labelloc="t" fontname="Helvetica"]\n')
    return graph


def _column(graph: Any, name: str, members: list[tuple[str, str, dict]]) -> None:
    """One column (a layer) under a heading, its boxes kept in order by invisible edges.

    Not a cluster: graphviz-pure reorders the boxes of a cluster (measured: a 16-neuron
    layer came out as neuron3, neuron2, ..., neuron0, neuron15, ...).
    """
    heading = f"head_{len(graph.body)}"
    body = [f'\t{heading} [label={quoted(name)} shape="plaintext" style="" '
            f'fontsize="12" id="{heading}"]\n']
    for box_id, label, attrs in members:
        body.append(f"\t{box_id} [label={label} {attr_text(attrs)}]\n")
    chain = [heading] + [m[0] for m in members]
    body.append("\t{rank=same; " + "; ".join(chain) + "}\n")
    for upper, lower in zip(chain, chain[1:], strict=False):
        body.append(f'\t{upper} -> {lower} [style="invis"]\n')
    graph.body.extend(body)


def _edge_style(weight: Any, largest: float, numbers: _Numbers) -> dict[str, str]:
    size = abs(weight.data) / largest if largest > 0 else 0.0
    tooltip = f"{plain_text(weight.label) or 'w'} = {numbers.number(weight.data)}"
    if numbers.computed:
        tooltip += f", {numbers.grad(weight)}"
    return {"color": POSITIVE if weight.data >= 0 else NEGATIVE,
            "penwidth": f"{0.4 + 2.6 * size:.2f}",
            "tooltip": quoted(tooltip)[1:-1]}


def _draw_neurons(network: Network, graph: Any, numbers: _Numbers) -> dict[int, str]:
    inputs = []
    for unit_input in network.inputs:
        label = _over_samples(unit_input.name, [v.data for v in unit_input.samples], numbers)
        if numbers.stepper:
            label += "\ngrad ?"
        inputs.append((unit_input.box_id, quoted(label),
                       {"id": unit_input.box_id, "fillcolor": INPUT_FILL}))
    if inputs:
        _column(graph, "inputs", inputs)
    for group in network.groups():
        members = [
            (unit.box_id, quoted(_neuron_label(unit, numbers)), {"id": unit.box_id})
            for unit in network.neurons if unit.group == group
        ]
        _column(graph, group or "neurons", members)
    if network.loss_id is not None:
        add_node(graph, network.loss_id, quoted(_loss_label(network.root, numbers)),
                  {"id": network.loss_id, "fillcolor": LOSS_FILL})
    weights = [w for carried in network.connections.values() for w in carried]
    largest = max((abs(w.data) for w in weights), default=0.0)
    for (tail, head), carried in network.connections.items():
        attrs = {"id": f"c_{tail}_{head}"}
        if carried:
            attrs.update(_edge_style(carried[0], largest, numbers))
        add_edge(graph, tail, head, attrs)
    return dict(network.unit_of)


def _draw_layers(network: Network, graph: Any, numbers: _Numbers) -> dict[int, str]:
    groups = network.groups()
    group_id = {group: f"l{k}" for k, group in enumerate(groups)}
    box_of = {unit.box_id: group_id[unit.group] for unit in network.neurons}
    if network.inputs:
        lines = [f"inputs ({len(network.inputs)})"] + [
            _over_samples(u.name, [v.data for v in u.samples], numbers) for u in network.inputs
        ]
        if numbers.stepper:
            lines.append("grad ?")
        add_node(graph, "inputs", quoted("\n".join(lines)),
                  {"id": "inputs", "fillcolor": INPUT_FILL})
        box_of.update({u.box_id: "inputs" for u in network.inputs})
    for group in groups:
        units = [unit for unit in network.neurons if unit.group == group]
        activations = sorted({unit.activation for unit in units})
        weights = [w for unit in units for w in unit.weights]
        biases = [unit.bias for unit in units if unit.bias is not None]
        outputs = [a.data for unit in units for a in unit.outputs]
        count = f"{len(units)} neuron{'s' if len(units) > 1 else ''}"
        lines = [f"{group or 'neurons'}: {count} ({', '.join(activations)})",
                 f"a of {count} over {network.samples} "
                 f"sample{'s' if network.samples > 1 else ''}: "
                 f"{numbers.spread(outputs)}",
                 f"{len(weights)} weights: data {span([w.data for w in weights], numbers.digits)}"]
        if biases:
            biases_data = span([b.data for b in biases], numbers.digits)
            lines.append(f"{len(biases)} biases: data {biases_data}")
        if numbers.stepper:
            lines.append("grad ?")
        else:
            lines[2] += f" | {numbers.grads_span(weights)}"
            if biases:
                lines[3] += f" | {numbers.grads_span(biases)}"
        add_node(graph, group_id[group], quoted("\n".join(lines)), {"id": group_id[group]})
    if network.loss_id is not None:
        add_node(graph, network.loss_id, quoted(_loss_label(network.root, numbers)),
                  {"id": network.loss_id, "fillcolor": LOSS_FILL})
        box_of[network.loss_id] = network.loss_id
    merged: dict[tuple[str, str], int] = {}
    for (tail, head), carried in network.connections.items():
        pair = (box_of[tail], box_of[head])
        merged[pair] = merged.get(pair, 0) + len(carried)
    for (tail, head), count in merged.items():
        label = quoted(f"{count} weights") if count else ""
        add_edge(graph, tail, head, {"id": f"c_{tail}_{head}"}, label)
    return {key: box_of[box] for key, box in network.unit_of.items()}


def draw_network(
    root: Any, modules: Any, level: str = "neuron", *, rankdir: str = "LR",
    grads: Any = None, digits: int = 4, title: str | None = None,
) -> GraphDrawing:
    """Draw the network that computed root: one box per neuron (level "neuron") or layer.

    A neuron's box shows its activation a (over the samples of a batch: mean, min, max),
    its weights' data and gradient range and its bias; inputs and the loss get a box each,
    and each connection one edge (blue for a positive weight, red for a negative one,
    thicker for a larger one; hover for the weight and its gradient). `modules` is the nn
    model (an MLP or a Layer). `grads` maps id(node) to a gradient to show instead of
    `.grad`. The drawing's `.node_ids` maps every value to the id of the box it is in.

    Example:
        >>> from autograd import Value
        >>> from nn import MLP
        >>> model = MLP(2, [3, 1], seed=0)
        >>> loss = (model([Value(0.5, "x0"), Value(-1.0, "x1")])[0] - 1.0) ** 2
        >>> loss.label = "loss"
        >>> source = draw_network(loss, model, "neuron").source
        >>> source.count("label=\\"layer1.neuron"), "grad: not computed" in source
        (3, True)
        >>> loss.backward()
        >>> "layer2: 1 neuron (linear)" in draw_network(loss, model, "layer").source
        True
    """
    if level not in NETWORK_LEVELS:
        raise ValueError(f"draw_network: level must be 'neuron' or 'layer', got {level!r}")
    network = find_network(root, modules, level)
    return _drawing(network, level, _Numbers(root, grads, digits), rankdir, title)


def _drawing(network: Network, level: str, numbers: _Numbers, rankdir: str = "LR",
             title: str | None = None) -> GraphDrawing:
    graph = _start_graph(import_graphviz(), rankdir, title, numbers.stepper)
    if level == "neuron":
        node_ids = _draw_neurons(network, graph, numbers)
    else:
        node_ids = _draw_layers(network, graph, numbers)
    return GraphDrawing(graph, node_ids)


def network_stepper_parts(
    root: Any, modules: Any, level: str = "neuron", digits: int = 4, renderer: str = "auto",
    play_seconds: float = 0.9,
) -> tuple[str, dict]:
    """The stepper page's picture (SVG text) and data (viz.stepper_data's schema) at level.

    One step per neuron, in backward order (after a first step for the loss), each
    showing its delta_j = f'(z_j) * sum_k w_kj delta_k per sample with every term, and
    the weight gradients dL/dW[j,i] = sum over samples of delta_j * x_i. Every number
    comes from the engine's backward pass (`autograd.backprop.propagate`, observed edge
    by edge); `.grad` is not touched. `level="layer"` groups the same steps by layer.

    Example:
        >>> from autograd import Value
        >>> from nn import MLP
        >>> model = MLP(2, [2, 1], seed=0)
        >>> loss = (model([0.5, -1.0])[0] - 1.0) ** 2
        >>> svg, data = network_stepper_parts(loss, model, "neuron")
        >>> svg.startswith("<svg"), len(data["steps"])
        (True, 4)
    """
    if level not in NETWORK_LEVELS:
        raise ValueError(f"network_stepper_parts: level must be 'neuron' or 'layer', "
                         f"got {level!r}")
    network = find_network(root, modules, level)
    data = neuron_stepper_data(network, digits, play_seconds)
    if level == "layer":
        data = layer_stepper_data(network, data, digits)
    drawing = _drawing(network, level, _Numbers(root, None, digits, stepper=True))
    svg = render_source(drawing.source, "svg", renderer).decode("utf-8", "backslashreplace")
    return svg[svg.find("<svg"):], data
