"""draw_graph(level="neuron" | "layer"): one box per neuron or layer, whatever the batch."""

import math
import re

import pytest

from autograd import Value
from nn import MLP, Neuron
from nn import micrograd as mg
from viz import draw_graph
from viz.number_format import format_number

SIZES = [3, 2, 1]  # 2 inputs -> 3 -> 2 -> 1
CONNECTIONS = 2 * 3 + 3 * 2 + 2 * 1 + 1  # weights, plus the output into the loss


def batch(samples, backward=True, seed=0):
    model = MLP(2, SIZES, seed=seed)
    points = [[0.3 * s - 0.7, 1.1 - 0.45 * s] for s in range(samples)]
    loss = Value(0.0)
    for point in points:
        loss = loss + (model(point)[0] - 0.5) ** 2
    loss.label = "loss"
    if backward:
        loss.backward()
    return model, points, loss


def boxes(source):
    return re.findall(r'^\t(n\d+|x\d+|loss|l\d+|inputs) \[label="([^"]*)"', source, re.M)


def merged_edges(source):
    return re.findall(r'^\t(\w+) -> (\w+) \[id="c_', source, re.M)


def box_label(source, name):
    return next(label for _, label in boxes(source) if label.startswith(name + " "))


@pytest.mark.parametrize("level", ["neuron", "layer"])
def test_the_drawing_does_not_grow_with_the_batch(level):
    sources = []
    for samples in (1, 2, 9):
        model, _, loss = batch(samples)
        sources.append(draw_graph(loss, modules=model, level=level).source)
    one, two, nine = ([box_id for box_id, _ in boxes(s)] for s in sources)
    assert one == two == nine
    assert merged_edges(sources[0]) == merged_edges(sources[1]) == merged_edges(sources[2])
    assert abs(len(sources[1]) - len(sources[2])) < 0.05 * len(sources[1])
    assert ("a = " if level == "neuron" else "over 1 sample:") in sources[0]


def test_one_box_per_neuron_and_one_edge_per_connection():
    model, _, loss = batch(5)
    source = draw_graph(loss, modules=model, level="neuron").source
    ids = [box_id for box_id, _ in boxes(source)]
    assert ids == ["x0", "x1", "n0", "n1", "n2", "n3", "n4", "n5", "loss"]
    edges = merged_edges(source)
    assert len(edges) == CONNECTIONS == len(set(edges))
    # every input feeds every first-layer neuron; the output neuron feeds the loss
    assert {(f"x{i}", f"n{j}") for i in range(2) for j in range(3)} <= set(edges)
    assert {(f"n{j}", f"n{k}") for j in range(3) for k in (3, 4)} <= set(edges)
    assert ("n5", "loss") in edges


def test_the_numbers_are_the_engines():
    model, points, loss = batch(4)
    source = draw_graph(loss, modules=model, level="neuron").source
    neuron = model.layers[0].neurons[1]
    w, b = [p.data for p in neuron.w], neuron.b.data
    activations = [math.tanh(w[0] * x0 + w[1] * x1 + b) for x0, x1 in points]
    label = box_label(source, "layer1.neuron1")
    assert label.startswith("layer1.neuron1 (tanh)\\n")
    mean = sum(activations) / 4
    assert (f"a over 4 samples: mean {format_number(mean)}, min {format_number(min(activations))},"
            f" max {format_number(max(activations))}") in label
    grads = [p.grad for p in neuron.w]
    assert (f"W1[1,:] (2): data {format_number(min(w))} .. {format_number(max(w))} | "
            f"grad {format_number(min(grads))} .. {format_number(max(grads))}") in label
    assert f"b1[1] = 0.0000 | grad {format_number(neuron.b.grad)}" in label
    assert f'loss [label="loss = {format_number(loss.data)}\\ngrad 1.0000"' in source


def test_gradients_before_backward_read_not_computed():
    model, _, loss = batch(3, backward=False)
    source = draw_graph(loss, modules=model, level="neuron").source
    label = box_label(source, "layer2.neuron0")
    assert "| grad: not computed" in label and "grad 0.0000" not in source
    assert source.count("grad: not computed") == 6 * 2 + 1  # weights, bias; the loss
    layers = draw_graph(loss, modules=model, level="layer").source
    assert "grad 0.0000" not in layers and "grad: not computed" in layers


def test_edges_show_the_weight_by_colour_width_and_tooltip():
    model, _, loss = batch(2)
    source = draw_graph(loss, modules=model, level="neuron").source
    weight = model.layers[1].neurons[0].w[2]  # W2[0,2]: layer1.neuron2 -> layer2.neuron0
    edge = re.search(r"\tn2 -> n3 \[(.*)\]\n", source).group(1)
    assert f'tooltip="W2[0,2] = {format_number(weight.data)}, grad ' in edge
    assert ('color="#2b6cb0"' if weight.data >= 0 else 'color="#c53030"') in edge


def test_layer_level_draws_one_box_per_layer_with_merged_edges():
    model, _, loss = batch(6)
    source = draw_graph(loss, modules=model, level="layer").source
    assert [box_id for box_id, _ in boxes(source)] == ["inputs", "l0", "l1", "l2", "loss"]
    edges = re.findall(r'^\t(\w+) -> (\w+) \[label="([^"]*)"', source, re.M)
    assert edges == [("inputs", "l0", "6 weights"), ("l0", "l1", "6 weights"),
                     ("l1", "l2", "2 weights")]
    assert re.search(r'\tl2 -> loss \[id="c_l2_loss"\]', source)
    assert "layer1: 3 neurons (tanh)" in source and "layer3: 1 neuron (linear)" in source
    assert "a of 3 neurons over 6 samples: mean" in source


def test_neurons_keep_their_order_past_ten():
    model = MLP(2, [12, 1], seed=0)
    y = model([0.5, -0.5])[0]
    y.backward()
    source = draw_graph(y, modules=model, level="neuron").source
    names = re.findall(r'label="(layer1\.neuron\d+) ', source)
    assert names == [f"layer1.neuron{j}" for j in range(12)]
    assert "loss" not in [box_id for box_id, _ in boxes(source)]  # the root is the output


def test_micrograd_models_draw_too():
    import random

    random.seed(3)
    model = mg.MLP(2, [4, 1])
    out = model([0.5, -1.0])
    out.backward()
    source = draw_graph(out, modules=model, level="neuron").source
    assert len(merged_edges(source)) == 2 * 4 + 4


def test_bad_inputs_name_the_problem():
    model, _, loss = batch(2)
    with pytest.raises(ValueError, match="needs modules=model"):
        draw_graph(loss, level="neuron")
    with pytest.raises(ValueError, match="to be an nn Module.*got list"):
        draw_graph(loss, modules=[1, 2], level="layer")
    other, _, _ = batch(2, seed=1)
    with pytest.raises(ValueError, match="none of the model's neurons computed anything"):
        draw_graph(loss, modules=other, level="neuron")
    with pytest.raises(ValueError, match="single Neuron"):
        draw_graph(loss, modules=Neuron(2, seed=0), level="neuron")
    with pytest.raises(ValueError, match="needs a Value as root, got float"):
        draw_graph(1.5, modules=model, level="neuron")
    with pytest.raises(ValueError, match="level must be one of"):
        draw_graph(loss, modules=model, level="neurons")
