"""Clusters per nn module and collapsed module boxes in draw_graph."""

import math
import re

import pytest

from autograd import Value
from autograd.graph import topological_order
from nn import MLP
from viz import GraphTooLargeError, draw_graph
from viz.clusters import module_scopes
from viz.number_format import format_number


def model_and_loss():
    model = MLP(2, [3, 1], seed=0)
    x = [Value(0.5, "x0"), Value(-1.0, "x1")]
    y_hat = model(x)[0]
    y_hat.label = "y_hat"
    loss = (y_hat - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    return model, loss


def by_label(order):
    return {node.label: node for node in order if node.label}


def test_parameters_and_neuron_arithmetic_belong_to_their_neuron():
    model, loss = model_and_loss()
    order = topological_order(loss)
    scopes = module_scopes(order, model)
    nodes = by_label(order)
    assert scopes.scope_of(id(nodes["W1[0,1]"])) == "layer1.neuron0"
    assert scopes.scope_of(id(nodes["b1[2]"])) == "layer1.neuron2"
    assert scopes.scope_of(id(nodes["W2[0,2]"])) == "layer2.neuron0"
    assert scopes.scope_of(id(nodes["y_hat"])) == "layer2.neuron0"
    # Inputs, the target constant and the loss arithmetic are outside the model.
    for label in ("x0", "x1", "loss"):
        assert scopes.scope_of(id(nodes[label])) is None
    # Every product w*x of the first layer sits in the neuron that owns w.
    for node in order:
        if node.op == "*" and node.parents[0].label.startswith("W1["):
            row = node.parents[0].label[3]
            assert scopes.scope_of(id(node)) == f"layer1.neuron{row}"
        if node.op == "tanh":
            assert scopes.scope_of(id(node)).startswith("layer1.neuron")


def test_clusters_nest_neurons_inside_layers():
    model, loss = model_and_loss()
    source = draw_graph(loss, modules=model).source
    assert source.count("subgraph cluster_") == 6  # 2 layers, 3 + 1 neurons
    layer1 = source.index('label="layer1"\n')
    neuron0 = source.index('label="layer1.neuron0"')
    layer2 = source.index('label="layer2"\n')
    assert layer1 < neuron0 < layer2
    w = re.search(r'\tv\d+ \[label="\{W1\[0,1\]', source).start()
    assert neuron0 < w < source.index('label="layer1.neuron1"')


def test_collapsing_a_layer_folds_it_into_one_box():
    model, loss = model_and_loss()
    full = draw_graph(loss, modules=model)
    folded = draw_graph(loss, modules=model, collapse=["layer1"])
    source = folded.source
    assert "W1[" not in source and "b1[" not in source
    match = re.search(r'\tm0 \[label="layer1\\n(.*?)\\n\((\d+) values\)"', source)
    assert match
    assert "3 outputs" not in match.group(1) and match.group(1).count(" = ") == 3  # 3 neurons
    assert "grad" in match.group(1)
    # 3 neurons x (2 weights + bias + 2 products + 2 sums + tanh) = 24 values folded.
    assert int(match.group(2)) == 24
    assert len(folded.node_ids) == len(full.node_ids) - 24
    assert source.count("subgraph cluster_") == 2  # layer2 and its neuron remain
    # The box feeds the second layer's products; edges from inputs are dashed and single.
    assert re.search(r"\tm0 -> v\d+_op \[label=", source)
    assert len(re.findall(r'\tv\d+ -> m0 \[style="dashed"\]', source)) == 2


def test_max_nodes_counts_a_box_as_one_node():
    model, loss = model_and_loss()
    values = len(topological_order(loss))
    with pytest.raises(GraphTooLargeError, match="collapse="):
        draw_graph(loss, modules=model, max_nodes=values - 1)
    draw_graph(loss, modules=model, collapse=["layer1"], max_nodes=values - 23)


def test_collapse_errors_name_the_problem():
    model, loss = model_and_loss()
    with pytest.raises(ValueError, match="no module named 'layer9'.*'layer1'"):
        draw_graph(loss, modules=model, collapse=["layer9"])
    with pytest.raises(ValueError, match="collapse=... needs modules=model"):
        draw_graph(loss, collapse=["layer1"])
    with pytest.raises(TypeError, match="takes an nn Module"):
        draw_graph(loss, modules=[1, 2])


def test_clustered_dot_is_deterministic():
    model, loss = model_and_loss()
    again_model, again_loss = model_and_loss()
    first = draw_graph(loss, modules=model, collapse=["layer2.neuron0"]).source
    assert first == draw_graph(again_loss, modules=again_model, collapse=["layer2.neuron0"]).source


def test_collapse_accepts_a_single_module_name_as_a_string():
    model, loss = model_and_loss()
    one = draw_graph(loss, modules=model, collapse="layer1").source
    listed = draw_graph(loss, modules=model, collapse=["layer1"]).source
    assert one == listed
    assert "layer1" in one and "values)" in one


def test_box_labels_show_what_leaves_the_box_with_value_and_gradient():
    model, loss = model_and_loss()
    order = topological_order(loss)
    scopes = module_scopes(order, model)
    boxes = scopes.boxes_for(["layer1"])
    names = {id(node): f"h{k}" for k, node in enumerate(n for n in order if n.op == "tanh")}
    label = scopes.box_labels(boxes, names=names)["m0"]
    hidden = [node for node in order if node.op == "tanh"]  # the three outputs of layer1
    assert label.split("\n") == (
        ["layer1"]
        + [f"h{k} = {format_number(h.data)} | grad {format_number(h.grad)}"
           for k, h in enumerate(hidden)]
        + ["(24 values)"]
    )
    assert scopes.box_labels(boxes, grads={}, names=names)["m0"].count(
        "grad: not computed yet") == 3


def test_box_labels_before_backward_say_not_computed_and_fold_many_outputs_to_a_range():
    model = MLP(2, [3, 1], seed=0)
    points = [[0.5, -1.0], [1.0, 2.0], [-0.3, 0.2], [0.0, 0.7]]
    loss = Value(0.0)
    for point in points:
        loss = loss + (model(point)[0] - 1.0) ** 2
    order = topological_order(loss)
    scopes = module_scopes(order, model)
    label = scopes.box_labels(scopes.boxes_for(["layer1.neuron0"]))["m1"]
    outputs = [math.tanh(model.layers[0].neurons[0].w[0].data * x0
                         + model.layers[0].neurons[0].w[1].data * x1) for x0, x1 in points]
    assert label.split("\n")[:2] == [
        "layer1.neuron0",
        f"4 outputs: data {format_number(min(outputs))} .. {format_number(max(outputs))} | "
        "grad: not computed",
    ]


def test_sibling_neuron_boxes_keep_their_order_past_ten():
    model = MLP(2, [12, 1], seed=0)
    y_hat = model([Value(0.5, "x0"), Value(-1.0, "x1")])[0]
    scopes = module_scopes(topological_order(y_hat), model)
    neurons = [f"layer1.neuron{j}" for j in range(12)]
    boxes = scopes.boxes_for(list(reversed(neurons)))
    box_name = {box_id: name for name, box_id, _ in scopes.box_nodes(boxes)}
    statements = scopes.box_order(boxes)
    ranked = re.match(r"\t\{rank=same; (.*)\}\n", statements[0]).group(1).split("; ")
    assert [box_name[box_id] for box_id in ranked] == neurons
    chain = [re.match(r'\t(m\d+) -> (m\d+) \[style="invis"\]\n', s).groups()
             for s in statements[1:]]
    assert chain == list(zip(ranked, ranked[1:], strict=False))
    assert scopes.box_order(scopes.boxes_for(["layer1"])) == []  # one box: nothing to order


def test_numbers_read_only_inside_a_box_fold_into_it():
    model = MLP(2, [3, 1], seed=0)
    loss = (model([0.5, -1.0])[0] - 1.0) ** 2  # each neuron makes its own Values of 0.5, -1
    source = draw_graph(loss, modules=model, collapse="layer1").source
    assert not re.search(r"\tv\d+ -> m0 ", source)  # no edge per number
    assert "(30 values)" in source  # 24 values of the neurons and the 6 numbers they read
