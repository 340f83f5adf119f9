"""Backprop neuron by neuron: the stepper data (viz.stepper_data's schema) at neuron level.

Each step is one neuron, in backward order, and shows its delta in the seeds' notation,

    delta_j = f'(z_j) * sum_k w_kj delta_k,

with every term w_kj * delta_k of the sum, per sample, and the weight gradients it
produces, dL/dW[j,i] = sum over samples of delta_j * x_i. No number here is computed
twice: the backward pass is `autograd.backprop.propagate` (the loop `backward()` runs),
and an observer keeps what it reports for the edges around each neuron: the local
derivative f'(z_j) on the edge from a_j to z_j, each w_kj * delta_k flowing into a_j,
each delta_j * x_i flowing into W[j,i] with the running total the pass kept.
"""

from __future__ import annotations

import math
from typing import Any

from autograd.backprop import propagate
from viz.naming import plain_text
from viz.network_model import Network, NeuronUnit
from viz.number_format import format_number
from viz.stepper_data import VERSION, edge_entry

NEURON_COLUMNS = ["term", "sample", "factor 1", "factor 2", "product"]
SAMPLES_SHOWN = 10
"""Samples written out term by term in a step's lines and rows; the sums use them all."""


class _Flow:
    """What one edge of the backward pass reported: upstream, local, contribution, total."""

    __slots__ = ("node", "upstream", "local", "contribution", "total")

    def __init__(self, node, upstream, local, contribution, total) -> None:
        self.node, self.upstream, self.local = node, upstream, local
        self.contribution, self.total = contribution, total


def record_backward(root: Any, order: list | None = None) -> tuple[dict, dict[int, list[_Flow]]]:
    """Run the engine's backward pass once: (grads by node, flows into each node by id).

    `order` is root's topological order when the caller has it already."""
    flows: dict[int, list[_Flow]] = {}

    def observe(node, upstream, parent, local, contribution, total) -> None:
        flows.setdefault(id(parent), []).append(_Flow(node, upstream, local, contribution, total))

    _, grads = propagate(root, 1.0, observer=observe, order=order)
    return grads, flows


def backward_order(network: Network) -> list[NeuronUnit]:
    """The neurons, each after every neuron it feeds: deepest first, then by module order."""
    depth = {unit.box_id: 0 for unit in network.neurons}
    for unit in network.neurons:  # module order is forward order for MLPs and Layers
        for (tail, head) in network.connections:
            if head == unit.box_id and tail in depth:
                depth[head] = max(depth[head], depth[tail] + 1)
    return sorted(network.neurons, key=lambda unit: (-depth[unit.box_id], unit.index))


class _Builder:
    def __init__(self, network: Network, digits: int) -> None:
        self.network = network
        self.digits = digits
        self.grads, self.flows = record_backward(network.root, network.order)
        self.box_name = {unit.box_id: unit.name for unit in network.neurons}
        self.box_name.update({u.box_id: u.name for u in network.inputs})
        self.loss_name = plain_text(network.root.label) or "loss"
        if network.loss_id:
            self.box_name[network.loss_id] = self.loss_name
        # id(node) -> sample for every value of a neuron's forward pass (z, its sums, a)
        self.sample_of: dict[int, int] = {}
        for unit in network.neurons:
            for sample, (below, output) in enumerate(
                    zip(unit.pre_activations, unit.outputs, strict=True)):
                self.sample_of[id(output)] = sample
                stack = [below]
                while stack:
                    node = stack.pop()
                    key = id(node)
                    if (not node.parents or key in self.sample_of and node is not below
                            or network.unit_of.get(key) != unit.box_id):
                        continue
                    self.sample_of[key] = sample
                    stack.extend(node.parents)

    def text(self, x: float) -> str:
        return format_number(x, self.digits)

    def factor(self, x: float) -> str:
        """x as a factor of a product: negative numbers in parentheses."""
        written = format_number(x, self.digits)
        return f"({written})" if written.startswith("-") else written

    def grad(self, node: Any) -> float:
        return self.grads.get(node, 0.0)

    def reader_of(self, flow: _Flow) -> str:
        """The box id of the unit whose value read the one the flow goes into."""
        return self.network.unit_of.get(id(flow.node), self.network.loss_id or "")

    def reader_rank(self, flow: _Flow) -> tuple[int, int]:
        """Neurons first, in module order, then anything else (the loss)."""
        reader = self.reader_of(flow)
        return (0, int(reader[1:])) if reader.startswith("n") else (1, 0)

    def f_prime(self, unit: NeuronUnit, sample: int) -> float | None:
        """f'(z_j) as the pass used it (None for a linear neuron, where a_j is z_j)."""
        output, below = unit.outputs[sample], unit.pre_activations[sample]
        if output is below:
            return None
        return next(flow.local for flow in self.flows.get(id(below), [])
                    if flow.node is output)


def _delta_line(b: _Builder, unit: NeuronUnit, sample: int) -> tuple[str, list, float]:
    """One sample's delta in words and numbers, its table rows, and delta itself.

    The sum over k runs over the neurons that read a_j; what the loss (or anything after
    the network) sends to a_j directly, and the seed when a_j is the root, are added as
    dL/da_j terms.
    """
    text = b.text
    rows, shown = [], []
    words: list[str] = []
    output = unit.outputs[sample]
    if output is b.network.root:
        shown.append(b.factor(b.grad(output)))
        words.append("the seed")
    # written in the order of k (the engine added them in its backward order)
    flows = sorted(b.flows.get(id(output), []), key=lambda flow: b.reader_rank(flow))
    for flow in flows:
        reader = b.reader_of(flow)
        if reader.startswith("n"):
            label = f"w·δ from {b.box_name[reader]}"
            shown.append(f"{b.factor(flow.local)}·{b.factor(flow.upstream)}")
            if "Σ_k w_kj δ_k" not in words:
                words.append("Σ_k w_kj δ_k")
        else:
            source = b.box_name.get(reader, b.loss_name)
            label = f"dL/da_j from {source}"
            shown.append(b.factor(flow.contribution))
            if f"dL/da_j from {source}" not in words:
                words.append(f"dL/da_j from {source}")
        rows.append([label, str(sample), [text(flow.local), flow.local],
                     [text(flow.upstream), flow.upstream],
                     [text(flow.contribution), flow.contribution]])
    dl_da = b.grad(output)
    delta = b.grad(unit.pre_activations[sample])
    f_prime = b.f_prime(unit, sample)
    sum_words = " + ".join(words) or "0"
    sum_text = " + ".join(shown) if shown else "0"
    if len(shown) > 1:
        sum_text = f"{sum_text} = {b.factor(dl_da)}"
    if f_prime is None:
        line = (f"sample {sample}: δ_j = {sum_words} = {sum_text}   (linear: f'(z_j) = 1, "
                f"so δ_j = {text(delta)})")
        rows.append([f"δ_j = {sum_words}", str(sample), "", [text(dl_da), dl_da],
                     [text(delta), delta]])
    else:
        line = (f"sample {sample}: δ_j = f'(z_j)·({sum_words}) = {text(f_prime)}·({sum_text})"
                f" = {text(delta)}")
        rows.append([f"δ_j = f'(z_j)·({sum_words})", str(sample), [text(f_prime), f_prime],
                     [text(dl_da), dl_da], [text(delta), delta]])
    return line, rows, delta


def _parameter_lines(b: _Builder, unit: NeuronUnit) -> tuple[list[str], list]:
    """dL/dW[j,i] = Σ_s δ_j·x_i and dL/db_j = Σ_s δ_j, term by term from the pass's flows."""
    text = b.text
    lines, rows = [], []
    parameters = [(w, "δ_j·x_i", "Σ_s δ_j·x_i") for w in unit.weights]
    if unit.bias is not None:
        parameters.append((unit.bias, "δ_j", "Σ_s δ_j"))
    for parameter, term, formula in parameters:
        name = plain_text(parameter.label) or "b"
        parts: list[tuple[float, str]] = []  # (sample, text), written in sample order
        own_rows: list[list] = []
        for flow in b.flows.get(id(parameter), []):
            sample = b.sample_of.get(id(flow.node))
            if sample is None:  # not this neuron's forward pass, e.g. a weight penalty
                reader = b.box_name.get(b.reader_of(flow), b.loss_name)
                parts.append((math.inf, f"{b.factor(flow.contribution)} (from {reader})"))
                continue
            parts.append((sample, f"{b.factor(flow.upstream)}·{b.factor(flow.local)}"
                          if term != "δ_j" else b.factor(flow.contribution)))
            if sample < SAMPLES_SHOWN:
                own_rows.append([f"dL/d{name} += {term}", str(sample),
                                 [text(flow.upstream), flow.upstream],
                                 [text(flow.local), flow.local],
                                 [text(flow.contribution), flow.contribution]])
        rows.extend(sorted(own_rows, key=lambda row: int(row[1])))
        parts = [written for _, written in sorted(parts, key=lambda part: part[0])]
        if len(parts) > SAMPLES_SHOWN:
            parts = parts[:SAMPLES_SHOWN] + [f"… {len(parts) - SAMPLES_SHOWN} more terms"]
        lines.append(f"dL/d{name} = {formula} = {' + '.join(parts) or '0'}"
                     f" = {text(b.grad(parameter))}")
    return lines, rows


def neuron_stepper_data(network: Network, digits: int = 4, play_seconds: float = 0.9) -> dict:
    """Stepper data for a `level="neuron"` drawing of the network (ids as draw_network's).

    Example:
        >>> from autograd import Value
        >>> from nn import MLP
        >>> from viz.network_model import find_network
        >>> model = MLP(2, [2, 1], seed=0)
        >>> loss = (model([0.5, -1.0])[0] - 1.0) ** 2
        >>> data = neuron_stepper_data(find_network(loss, model))
        >>> [step["nodes"] for step in data["steps"]]
        [['loss'], ['n2'], ['n0'], ['n1']]
    """
    b = _Builder(network, digits)
    text = b.text
    samples = network.samples
    steps: list[dict] = []
    edges: list[dict] = []
    node_step: dict[str, int] = {}
    sums: dict[str, list[dict]] = {unit.box_id: [] for unit in network.inputs}
    input_totals = {unit.box_id: 0.0 for unit in network.inputs}
    root_grad = b.grad(network.root)

    if network.loss_id is not None:
        number = 1
        node_step[network.loss_id] = number
        lines, rows, step_edges = [], [], []
        for unit in network.neurons:
            pair = (unit.box_id, network.loss_id)
            if pair not in network.connections:
                continue
            flow_total = 0.0
            for sample, output in enumerate(unit.outputs):
                for flow in b.flows.get(id(output), []):
                    if b.reader_of(flow).startswith("n"):
                        continue
                    flow_total += flow.contribution
                    if sample < SAMPLES_SHOWN:
                        rows.append([f"dL/da of {unit.name}", str(sample),
                                     [text(flow.upstream), flow.upstream],
                                     [text(flow.local), flow.local],
                                     [text(flow.contribution), flow.contribution]])
                        lines.append(f"sample {sample}: dL/da of {unit.name} = "
                                     f"{text(flow.upstream)}·{text(flow.local)} = "
                                     f"{text(flow.contribution)}")
            edge_id = f"c_{unit.box_id}_{network.loss_id}"
            step_edges.append(edge_id)
            edges.append(edge_entry(edge_id, flow_total, number,
                               f"{unit.name} → {b.loss_name}: Σ over samples of dL/da = "
                               f"{text(flow_total)}"))
        steps.append({
            "nodes": [network.loss_id], "edges": step_edges,
            "headline": (f"Step 1: {b.loss_name} = {text(network.root.data)} sends dL/da back "
                         f"to the network's outputs, for each of {samples} "
                         f"sample{'s' if samples > 1 else ''}"),
            "rows": rows, "lines": lines, "known": [],
        })

    neuron_grads: dict[str, float] = {}
    for unit in backward_order(network):
        number = len(steps) + 1
        node_step[unit.box_id] = number
        lines = [f"{unit.name} ({unit.activation}): δ_j = dL/dz_j = f'(z_j)·Σ_k w_kj δ_k,"
                 " k over the neurons that read a_j"]
        rows: list = []
        terms: list[dict] = []
        running = 0.0
        for sample in range(len(unit.outputs)):
            line, sample_rows, delta = _delta_line(b, unit, sample)
            running += delta
            terms.append({
                "from": f"sample {sample}", "from_id": unit.box_id, "step": number,
                "text": line, "contribution": delta, "contribution_text": text(delta),
                "total": running, "total_text": text(running),
            })
            if sample < SAMPLES_SHOWN:
                lines.append(line)
                rows.extend(sample_rows)
        if len(unit.outputs) > SAMPLES_SHOWN:
            lines.append(f"(samples {SAMPLES_SHOWN} to {len(unit.outputs) - 1}: the same "
                         "sum, not written out; every gradient below adds them all)")
        weight_lines, weight_rows = _parameter_lines(b, unit)
        lines.extend(weight_lines)
        rows.extend(weight_rows)
        neuron_grads[unit.box_id] = running
        sums[unit.box_id] = terms
        known = [[unit.box_id, text(running)]]
        step_edges = []
        for (tail, head), carried in network.connections.items():
            if head != unit.box_id or not carried:
                continue
            i = next(k for k, w in enumerate(unit.weights) if w is carried[0])
            flow_total = sum(
                flow.contribution
                for value, product in zip(unit.inputs[i], unit.products[i], strict=True)
                for flow in b.flows.get(id(value), []) if flow.node is product
            )
            edge_id = f"c_{tail}_{head}"
            step_edges.append(edge_id)
            weight_name = plain_text(carried[0].label) or "w"
            edges.append(edge_entry(edge_id, flow_total, number,
                               f"{b.box_name[tail]} → {unit.name}: Σ over samples of "
                               f"{weight_name}·δ_j = {text(flow_total)}"))
            if tail in input_totals:
                input_totals[tail] += flow_total
                sums[tail].append({
                    "from": unit.name, "from_id": unit.box_id, "step": number,
                    "text": f"Σ_s {weight_name}·δ_j from {unit.name} = {text(flow_total)}",
                    "contribution": flow_total, "contribution_text": text(flow_total),
                    "total": input_totals[tail], "total_text": text(input_totals[tail]),
                })
                known.append([tail, text(input_totals[tail])])
        bias_words = (f" (= dL/d{plain_text(unit.bias.label) or 'b'} "
                      f"= {text(b.grad(unit.bias))})" if unit.bias is not None else "")
        steps.append({
            "nodes": [unit.box_id], "edges": step_edges,
            "headline": (f"Step {number}: neuron {unit.name}: δ_j per sample, summed over "
                         f"{samples} sample{'s' if samples > 1 else ''} = {text(running)}"
                         f"{bias_words}"),
            "rows": rows, "lines": lines, "known": known,
        })

    nodes = [_input_node(b, unit, sums, input_totals) for unit in network.inputs]
    nodes += [_neuron_node(b, unit, sums, neuron_grads, node_step) for unit in network.neurons]
    if network.loss_id is not None:
        nodes.append({
            "id": network.loss_id, "name": b.loss_name, "search": ["loss"],
            "op": network.root.op, "data_text": text(network.root.data),
            "grad": root_grad, "grad_text": text(root_grad),
            "hover": (f"{b.loss_name}\nop: {network.root.op or 'leaf'}\n"
                      f"data: {text(network.root.data)}\ngrad: {text(root_grad)} (the seed)"),
            "step": 1, "first_step": 1,
            "sum": [{"from": "seed", "from_id": None, "step": 0,
                     "text": f"the seed: the gradient of {b.loss_name} starts at "
                             f"{text(root_grad)}",
                     "contribution": root_grad, "contribution_text": text(root_grad),
                     "total": root_grad, "total_text": text(root_grad)}],
            "nonfinite": not (math.isfinite(network.root.data) and math.isfinite(root_grad)),
        })
    start_known = [[network.loss_id, text(root_grad)]] if network.loss_id else []
    return {
        "version": VERSION, "level": "neuron", "root": network.loss_id
        or b.network.unit_of.get(id(network.root)),
        "start": {
            "headline": (f"Forward pass done over {samples} sample"
                         f"{'s' if samples > 1 else ''}. Backprop starts from the seed: "
                         f"grad of {b.loss_name} = {text(root_grad)}; then one neuron per "
                         "step, from the output back."),
            "known": start_known,
        },
        "columns": list(NEURON_COLUMNS), "nodes": nodes, "edges": edges, "steps": steps,
        "play_interval_ms": max(1, round(play_seconds * 1000)),
    }


def _input_node(b: _Builder, unit: Any, sums: dict, totals: dict) -> dict:
    text = b.text
    values = [v.data for v in unit.samples]
    data_text = (text(values[0]) if len(values) == 1 else
                 f"mean {text(sum(values) / len(values))} over {len(values)} samples")
    terms = sums[unit.box_id]
    grad = totals[unit.box_id] if terms else None
    grad_text = text(grad) if grad is not None else "not computed"
    return {
        "id": unit.box_id, "name": unit.name, "search": [], "op": "",
        "data_text": data_text, "grad": grad, "grad_text": grad_text,
        "hover": (f"{unit.name} (input)\ndata: {data_text}\ngrad, summed over samples: "
                  f"{grad_text}"),
        "step": terms[0]["step"] if terms else None,
        "first_step": terms[0]["step"] if terms else None,
        "sum": terms,
        "nonfinite": not all(math.isfinite(v) for v in values)
        or (grad is not None and not math.isfinite(grad)),
    }


def _neuron_node(b: _Builder, unit: NeuronUnit, sums: dict, grads: dict, steps: dict) -> dict:
    text = b.text
    activations = [a.data for a in unit.outputs]
    data_text = (f"a = {text(activations[0])}" if len(activations) == 1 else
                 f"a: mean {text(sum(activations) / len(activations))} over "
                 f"{len(activations)} samples")
    grad = grads[unit.box_id]
    parameters = [*unit.weights] + ([unit.bias] if unit.bias is not None else [])
    labels = [plain_text(p.label) for p in parameters if p.label]
    parameter_lines = "\n".join(
        f"{plain_text(p.label) or 'parameter'}: data {text(p.data)}, grad {text(b.grad(p))}"
        for p in parameters[:8])
    more = f"\n… {len(parameters) - 8} more parameters" if len(parameters) > 8 else ""
    return {
        "id": unit.box_id, "name": unit.name, "search": labels, "op": unit.activation,
        "data_text": data_text, "grad": grad, "grad_text": text(grad),
        "hover": (f"{unit.name} ({unit.activation})\n{data_text}\n"
                  f"grad Σ_s δ_j = {text(grad)}\n{parameter_lines}{more}"),
        "step": steps[unit.box_id], "first_step": steps[unit.box_id],
        "sum": sums[unit.box_id],
        "nonfinite": not (all(math.isfinite(a) for a in activations) and math.isfinite(grad)),
    }


def layer_stepper_data(network: Network, neuron_data: dict, digits: int = 4) -> dict:
    """The neuron-level stepper data regrouped for a `level="layer"` drawing.

    A step per layer holds the steps of its neurons (their lines and rows in order), the
    edges between layers carry the sums of the flows of the connections they merge, and
    a layer's gradient is the sum of its neurons' (sum over samples of delta).
    """
    groups = network.groups()
    box = {unit.box_id: f"l{groups.index(unit.group)}" for unit in network.neurons}
    box.update({unit.box_id: "inputs" for unit in network.inputs})
    if network.loss_id is not None:
        box[network.loss_id] = network.loss_id
    layer_name = {f"l{k}": group or "neurons" for k, group in enumerate(groups)}
    layer_name.update({"inputs": "inputs", network.loss_id or "": "loss"})

    steps: list[dict] = []
    new_number: dict[int, int] = {}
    for number, step in enumerate(neuron_data["steps"], start=1):
        target = box[step["nodes"][0]]
        if steps and steps[-1]["nodes"] == [target]:
            merged = steps[-1]
            merged["lines"].extend(step["lines"])
            merged["rows"].extend(step["rows"])
            merged["edges"].extend(e for e in _layer_edges(step["edges"], box)
                                   if e not in merged["edges"])
        else:
            merged = {"nodes": [target], "edges": _layer_edges(step["edges"], box),
                      "headline": "", "rows": list(step["rows"]), "lines": list(step["lines"]),
                      "known": []}
            steps.append(merged)
            if target == network.loss_id:
                merged["headline"] = step["headline"]
        new_number[number] = len(steps)

    totals: dict[str, float] = {}
    sums: dict[str, list[dict]] = {}
    for node in neuron_data["nodes"]:
        target = box[node["id"]]
        for term in node["sum"]:
            if node["id"] in (network.loss_id,):
                sums.setdefault(target, []).append(dict(term))
                totals[target] = term["total"]
                continue
            totals[target] = totals.get(target, 0.0) + term["contribution"]
            text = format_number(totals[target], digits)
            sums.setdefault(target, []).append({
                **term, "from": f"{node['name']}: {term['from']}",
                "step": new_number.get(term["step"], 0) if term["step"] else 0,
                "total": totals[target], "total_text": text,
            })
    for k, step in enumerate(steps, start=1):
        target = step["nodes"][0]
        if target != network.loss_id:
            count = sum(1 for unit in network.neurons if box[unit.box_id] == target)
            step["headline"] = (f"Step {k}: {layer_name[target]}, {count} "
                                f"neuron{'s' if count > 1 else ''}: each "
                                f"neuron's δ_j = f'(z_j)·Σ_k w_kj δ_k and its weight "
                                f"gradients; Σ of the layer's δ = "
                                f"{format_number(totals.get(target, 0.0), digits)}")
        known = [[target, format_number(totals[target], digits)]] if target in totals else []
        step["known"] = known
        if target != network.loss_id:
            if any(term["step"] == k for term in sums.get("inputs", [])):
                fed = sum(term["contribution"] for term in sums["inputs"] if term["step"] <= k)
                step["known"].append(["inputs", format_number(fed, digits)])

    edges: dict[str, dict] = {}
    for edge in neuron_data["edges"]:
        (edge_id,) = _layer_edges([edge["id"]], box)
        step = new_number[edge["step"]] if edge["step"] is not None else None
        flow = edge["sign"] * (edge["magnitude"] or 0.0)
        if edge_id in edges:
            flow += edges[edge_id]["flow"]
        edges[edge_id] = {"flow": flow, "step": step}
    edge_list = [
        edge_entry(edge_id, entry["flow"], entry["step"],
              f"{layer_name.get(edge_id.split('_')[1], '')} → "
              f"{layer_name.get(edge_id.split('_')[2], '')}: Σ of the flows back = "
              f"{format_number(entry['flow'], digits)}")
        for edge_id, entry in edges.items()
    ]

    nodes = []
    for target in ["inputs", *layer_name.keys()]:
        if target in (n["id"] for n in nodes) or target == "" or target not in box.values():
            continue
        terms = sums.get(target, [])
        grad = totals.get(target)
        grad_text = "not computed" if grad is None else format_number(grad, digits)
        steps_here = [k for k, s in enumerate(steps, start=1) if s["nodes"] == [target]]
        first = terms[0]["step"] if terms and terms[0]["step"] else None
        own = steps_here[0] if steps_here else first
        members = [n for n in neuron_data["nodes"] if box[n["id"]] == target]
        is_layer = target not in ("inputs", network.loss_id)
        nodes.append({
            "id": target, "name": layer_name[target],
            "search": [name for n in members for name in [n["name"], *n["search"]]],
            "op": "layer" if is_layer else members[0]["op"],
            "data_text": members[0]["data_text"] if len(members) == 1 else
            f"{len(members)} {'neurons' if is_layer else 'inputs'}",
            "grad": grad, "grad_text": grad_text,
            "hover": f"{layer_name[target]}\ngrad (Σ of its boxes): {grad_text}",
            "step": own, "first_step": min(s for s in (own, first) if s) if (own or first)
            else None,
            "sum": terms,
            "nonfinite": any(n["nonfinite"] for n in members),
        })
    return {**neuron_data, "level": "layer",
            "root": box.get(neuron_data["root"], neuron_data["root"]),
            "nodes": nodes, "edges": edge_list, "steps": steps}


def _layer_edges(edge_ids: list[str], box: dict[str, str]) -> list[str]:
    out = []
    for edge_id in edge_ids:
        _, tail, head = edge_id.split("_")
        merged = f"c_{box[tail]}_{box[head]}"
        if merged not in out:
            out.append(merged)
    return out
