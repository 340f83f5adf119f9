"""The network inside a graph: which values are which neuron's z and activation, per sample.

`find_network(root, model)` reads the graph that produced root, with the model's module
scopes (viz.clusters.module_scopes), and finds for every neuron (a module holding a list
of weights `w` and a bias `b`, as nn.Neuron and nn.micrograd.Neuron do) its output for
each sample, the pre-activation z beneath it, and which value fed each of its inputs.
Everything is read from the graph's edges: a connection exists because a value made by
one neuron was multiplied by a weight of another. The network-level drawings and
steppers (viz.network) are built on this; nothing here computes a gradient.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from autograd.graph import topological_order
from viz.clusters import module_scopes


@dataclass
class NeuronUnit:
    """One neuron of the model as found in the graph.

    `outputs[s]` and `pre_activations[s]` are its activation a and weighted sum z for the
    s-th sample (in topological order; the same Value when the neuron is linear);
    `inputs[i][s]` is the value that its weight `weights[i]` multiplied for sample s, and
    `products[i][s]` that product.
    """

    name: str
    index: int
    group: str
    weights: list
    bias: Any
    outputs: list = field(default_factory=list)
    pre_activations: list = field(default_factory=list)
    inputs: list = field(default_factory=list)
    products: list = field(default_factory=list)

    @property
    def box_id(self) -> str:
        """The SVG id of this neuron's box."""
        return f"n{self.index}"

    @property
    def activation(self) -> str:
        """The op that turns z into a ("linear" when there is none)."""
        if not self.outputs or self.outputs[0] is self.pre_activations[0]:
            return "linear"
        return self.outputs[0].op


@dataclass
class InputUnit:
    """An input of the network: position `position` of the neurons in `group`, per sample."""

    name: str
    index: int
    group: str
    position: int
    samples: list = field(default_factory=list)

    @property
    def box_id(self) -> str:
        """The SVG id of this input's box."""
        return f"x{self.index}"


@dataclass
class Network:
    """The neurons, inputs and connections of a model, read from one graph.

    `connections` maps (tail box id, head box id) to the weights it carries (one for a
    neuron-to-neuron or input-to-neuron connection, none for a connection into the loss).
    `loss_id` is "loss" when the root is something after the network (a loss), else None.
    `unit_of` maps id(node) to the box id of the unit a value belongs to.
    """

    root: Any
    order: list
    neurons: list[NeuronUnit]
    inputs: list[InputUnit]
    connections: dict[tuple[str, str], list]
    loss_id: str | None
    unit_of: dict[int, str]
    samples: int

    def groups(self) -> list[str]:
        """The neuron groups (layers) in the order their neurons appear."""
        return list(dict.fromkeys(neuron.group for neuron in self.neurons))


def _is_neuron(module: Any) -> bool:
    weights = getattr(module, "w", None)
    return (
        isinstance(weights, list) and bool(weights)
        and all(hasattr(w, "_first") for w in weights) and hasattr(module, "b")
    )


def check_model(model: Any, level: str) -> None:
    """Raise ValueError unless model is an nn Module holding neurons."""
    where = f"draw_graph(level={level!r})"
    if model is None:
        raise ValueError(f"{where} needs modules=model, the nn model that produced root")
    if not hasattr(model, "named_modules"):
        raise ValueError(
            f"{where} needs modules=model to be an nn Module (an MLP, a Layer), "
            f"got {type(model).__name__}"
        )
    if _is_neuron(model):
        raise ValueError(
            f"{where}: the model is a single Neuron; network views need a Layer or an MLP "
            "(draw a single neuron with level='value')"
        )
    if not any(_is_neuron(module) for _, module in model.named_modules()):
        raise ValueError(
            f"{where}: the model {type(model).__name__} holds no neurons (modules with "
            "weights w and a bias b, as nn.Neuron)"
        )


def find_network(root: Any, model: Any, level: str = "neuron") -> Network:
    """Find the model's neurons, inputs and connections in the graph that produced root.

    Raises ValueError when root is no Value, the model holds no neurons, or none of the
    model's neurons computed anything in root's graph.

    Example:
        >>> from autograd import Value
        >>> from nn import MLP
        >>> model = MLP(2, [3, 1], seed=0)
        >>> loss = (model([Value(0.5, "x0"), Value(-1.0, "x1")])[0] - 1.0) ** 2
        >>> network = find_network(loss, model)
        >>> [n.name for n in network.neurons], len(network.connections)
        (['layer1.neuron0', 'layer1.neuron1', 'layer1.neuron2', 'layer2.neuron0'], 10)
    """
    check_model(model, level)
    if not all(hasattr(root, name) for name in ("data", "_first", "parents")):
        raise ValueError(
            f"draw_graph(level={level!r}) needs a Value as root, got {type(root).__name__}"
        )
    order = topological_order(root)
    scopes = module_scopes(order, model)
    neurons: list[NeuronUnit] = []
    by_scope: dict[str, NeuronUnit] = {}
    weight_slot: dict[int, tuple[NeuronUnit, int]] = {}
    for name, module in model.named_modules():
        if name and _is_neuron(module):
            group = scopes.enclosing.get(name) or ""
            unit = NeuronUnit(name, len(neurons), group, list(module.w), module.b)
            unit.inputs = [[] for _ in module.w]
            unit.products = [[] for _ in module.w]
            neurons.append(unit)
            by_scope[name] = unit
            for i, weight in enumerate(module.w):
                weight_slot[id(weight)] = (unit, i)
    parameter_ids = {id(p) for p in model.parameters()}

    # A value takes part in the forward pass when it depends on data (a leaf that is no
    # parameter); a neuron's parameter-only values (as w**2 of a penalty) do not.
    on_data: set[int] = set()
    neuron_of: dict[int, NeuronUnit] = {}
    for node in order:
        key = id(node)
        parents = node.parents
        if not parents:
            if key not in parameter_ids:
                on_data.add(key)
            continue
        if any(id(p) in on_data for p in parents):
            on_data.add(key)
            unit = by_scope.get(scopes.scope_of(key))
            if unit is not None:
                neuron_of[key] = unit
                if len(parents) == 2:
                    for k in (0, 1):
                        slot = weight_slot.get(id(parents[k]))
                        if slot is not None and slot[0] is unit:
                            unit.inputs[slot[1]].append(parents[1 - k])
                            unit.products[slot[1]].append(node)
                            break

    # A neuron's output is its forward value that something outside the neuron reads.
    is_output: set[int] = set()
    if id(root) in neuron_of:
        is_output.add(id(root))
    for node in order:
        unit = neuron_of.get(id(node))
        for parent in node.parents:
            owner = neuron_of.get(id(parent))
            if owner is not None and owner is not unit:
                is_output.add(id(parent))
    for node in order:
        if id(node) in is_output:
            unit = neuron_of[id(node)]
            unit.outputs.append(node)
            below = node.parents[0] if len(node.parents) == 1 else None
            inside = below is not None and neuron_of.get(id(below)) is unit
            unit.pre_activations.append(below if inside else node)

    present = [unit for unit in neurons if unit.outputs]
    if not present:
        raise ValueError(
            f"draw_graph(level={level!r}): none of the model's neurons computed anything in "
            "root's graph; pass the model whose outputs root was computed from"
        )
    for new_index, unit in enumerate(present):
        unit.index = new_index
    return _connect(root, order, present, neuron_of)


def _connect(root: Any, order: list, neurons: list[NeuronUnit],
             neuron_of: dict[int, NeuronUnit]) -> Network:
    output_unit = {id(a): unit for unit in neurons for a in unit.outputs}
    inputs: dict[tuple[str, int], InputUnit] = {}
    connections: dict[tuple[str, str], list] = {}
    first_reader: dict[tuple[str, int], NeuronUnit] = {}
    input_box: dict[int, str] = {}
    for unit in neurons:
        for i, fed in enumerate(unit.inputs):
            weight = unit.weights[i]
            for value in fed:
                source = output_unit.get(id(value))
                if source is None:
                    key = (unit.group, i)
                    if key not in inputs:
                        inputs[key] = InputUnit("", len(inputs), unit.group, i)
                        first_reader[key] = unit
                    if first_reader[key] is unit:  # numbers become new leaves per neuron
                        inputs[key].samples.append(value)
                    tail = inputs[key].box_id
                    input_box[id(value)] = tail
                else:
                    tail = source.box_id
                carried = connections.setdefault((tail, unit.box_id), [])
                if not carried:
                    carried.append(weight)
    groups_fed = {key[0] for key in inputs}
    for unit_input in inputs.values():
        prefix = f"{unit_input.group} " if len(groups_fed) > 1 else ""
        unit_input.name = f"{prefix}x{unit_input.position}"

    loss_id = None if id(root) in output_unit else "loss"
    unit_of: dict[int, str] = {}
    for unit in neurons:
        for parameter in [*unit.weights, unit.bias]:
            if parameter is not None:
                unit_of[id(parameter)] = unit.box_id
    for node in order:
        key = id(node)
        owner = neuron_of.get(key)
        if owner is not None:
            unit_of[key] = owner.box_id
    # connections into the loss: outputs read by anything that is not a weight product
    weight_products = {id(product) for unit in neurons for products in unit.products
                       for product in products}
    consumed: set[tuple[str, str]] = set()
    for node in order if loss_id is not None else ():
        if id(node) in weight_products:
            continue
        reader = neuron_of.get(id(node))
        for parent in node.parents:
            source = output_unit.get(id(parent))
            if source is not None and reader is not source:
                consumed.add((source.box_id, loss_id))
    for pair in sorted(consumed, key=lambda p: int(p[0][1:])):
        connections.setdefault(pair, [])
    for key, box in input_box.items():
        unit_of.setdefault(key, box)
    for node in order:
        unit_of.setdefault(id(node), loss_id or neurons[-1].box_id)
    samples = max(len(unit.outputs) for unit in neurons)
    return Network(root, order, neurons, list(inputs.values()), connections, loss_id,
                   unit_of, samples)
