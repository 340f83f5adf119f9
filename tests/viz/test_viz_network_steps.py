"""The neuron-level stepper data: every delta, term and weight gradient is autograd's."""

import pytest

from autograd import Value
from nn import MLP
from viz.network import network_stepper_parts
from viz.number_format import format_number
from viz.stepper_data import check_stepper_data


def forward_by_hand(model, points, targets):
    """The model's forward pass through its neurons' weighted_sum, keeping every z."""
    zs = {}
    loss = Value(0.0)
    for s, (x, t) in enumerate(zip(points, targets, strict=True)):
        h = x
        for l, layer in enumerate(model.layers, start=1):  # noqa: E741
            outputs = []
            for j, neuron in enumerate(layer.neurons):
                z = neuron.weighted_sum(h)
                zs[(l, j, s)] = z
                outputs.append(z.tanh() if l < len(model.layers) else z)
            h = outputs
        loss = loss + (h[0] - t) ** 2
    loss = loss * (1.0 / len(points))
    loss.label = "loss"
    return loss, zs


@pytest.fixture(scope="module")
def batch():
    model = MLP(2, [3, 2, 1], seed=4)
    points = [[0.4 * s - 1.0, 0.9 - 0.3 * s] for s in range(5)]
    targets = [1.0, -1.0, 1.0, 1.0, -1.0]
    loss, zs = forward_by_hand(model, points, targets)
    svg, data = network_stepper_parts(loss, model, "neuron")
    untouched = [p.grad for p in model.parameters()]
    loss.backward()  # autograd's own gradients, to compare with
    return model, zs, svg, data, untouched


def steps_by_node(data):
    return {step["nodes"][0]: step for step in data["steps"]}


def ids_by_name(data):
    return {node["name"]: node["id"] for node in data["nodes"]}


def test_the_data_follows_the_schema_and_leaves_grad_alone(batch):
    model, _, svg, data, untouched = batch
    check_stepper_data(data)
    assert untouched == [0.0] * len(model.parameters())
    assert svg.startswith("<svg")
    for node in data["nodes"]:
        assert f'id="{node["id"]}"' in svg
    for edge in data["edges"]:
        assert f'id="{edge["id"]}"' in svg


def test_steps_go_neuron_by_neuron_in_backward_order(batch):
    _, _, _, data, _ = batch
    ids = ids_by_name(data)
    names = {v: k for k, v in ids.items()}
    assert [names[step["nodes"][0]] for step in data["steps"]] == [
        "loss", "layer3.neuron0", "layer2.neuron0", "layer2.neuron1",
        "layer1.neuron0", "layer1.neuron1", "layer1.neuron2",
    ]


def test_every_delta_and_term_is_autograds(batch):
    model, zs, _, data, _ = batch
    ids = ids_by_name(data)
    steps = steps_by_node(data)
    for (l, j, s), z in zs.items():  # noqa: E741
        step = steps[ids[f"layer{l}.neuron{j}"]]
        rows = [row for row in step["rows"] if row[1] == str(s)]
        delta_row = next(row for row in rows if row[0].startswith("δ_j"))
        assert delta_row[4][1] == pytest.approx(z.grad, rel=1e-12, abs=1e-15)
        assert f"= {format_number(z.grad)}" in next(
            line for line in step["lines"] if line.startswith(f"sample {s}:"))
        if l < len(model.layers):  # f'(z) of tanh, and one term per neuron k reading a_j
            assert delta_row[2][1] == pytest.approx(1 - z.tanh().data ** 2, rel=1e-12)
            terms = [row for row in rows if row[0].startswith("w·δ from")]
            readers = model.layers[l].neurons
            assert [row[0] for row in terms] == [
                f"w·δ from layer{l + 1}.neuron{k}" for k in range(len(readers))]
            for k, (row, reader) in enumerate(zip(terms, readers, strict=True)):
                assert row[2][1] == reader.w[j].data
                assert row[3][1] == pytest.approx(zs[(l + 1, k, s)].grad, rel=1e-12, abs=1e-15)


def test_weight_gradients_sum_delta_times_input_over_samples(batch):
    model, _, _, data, _ = batch
    ids = ids_by_name(data)
    steps = steps_by_node(data)
    for l, layer in enumerate(model.layers, start=1):  # noqa: E741
        for j, neuron in enumerate(layer.neurons):
            step = steps[ids[f"layer{l}.neuron{j}"]]
            for parameter in [*neuron.w, neuron.b]:
                rows = [row for row in step["rows"]
                        if row[0].startswith(f"dL/d{parameter.label} += ")]
                assert [row[1] for row in rows] == [str(s) for s in range(5)]
                assert sum(row[4][1] for row in rows) == pytest.approx(parameter.grad, rel=1e-9)
                line = next(x for x in step["lines"] if x.startswith(f"dL/d{parameter.label} ="))
                assert line.endswith(f"= {format_number(parameter.grad)}")
            node = next(n for n in data["nodes"] if n["id"] == ids[f"layer{l}.neuron{j}"])
            assert node["sum"][-1]["total"] == pytest.approx(neuron.b.grad, rel=1e-9)
            assert f"W{l}[{j},0]" in node["search"]


def test_layer_level_groups_the_same_steps(batch):
    model, _, _, _, _ = batch
    loss, _ = forward_by_hand(model, [[0.5, -0.5], [1.0, 0.0]], [1.0, -1.0])
    _, data = network_stepper_parts(loss, model, "layer")
    check_stepper_data(data)
    assert [step["nodes"] for step in data["steps"]] == [["loss"], ["l2"], ["l1"], ["l0"]]
    assert any(line.startswith("layer2.neuron1 (tanh)") for line in data["steps"][2]["lines"])


def test_bad_level_is_refused(batch):
    model, _, _, _, _ = batch
    loss, _ = forward_by_hand(model, [[0.5, -0.5]], [1.0])
    with pytest.raises(ValueError, match="level must be 'neuron' or 'layer', got 'value'"):
        network_stepper_parts(loss, model, "value")


def factor(x):
    return f"({format_number(x)})" if x < 0 else format_number(x)


def test_delta_lines_write_each_term_and_the_loss_term_by_name(batch):
    model, zs, _, data, _ = batch
    ids = ids_by_name(data)
    steps = steps_by_node(data)
    out = steps[ids["layer3.neuron0"]]["lines"]
    for s in range(5):
        z = zs[(3, 0, s)]
        assert f"sample {s}: δ_j = dL/da_j from loss = {factor(z.grad)}   (linear: f'(z_j) = 1, " \
               f"so δ_j = {format_number(z.grad)})" in out
    hidden = steps[ids["layer1.neuron2"]]["lines"]
    for s in range(5):
        z = zs[(1, 2, s)]
        terms = " + ".join(f"{factor(model.layers[1].neurons[k].w[2].data)}·"
                           f"{factor(zs[(2, k, s)].grad)}" for k in range(2))
        line = next(x for x in hidden if x.startswith(f"sample {s}: "))
        assert line.startswith(f"sample {s}: δ_j = f'(z_j)·(Σ_k w_kj δ_k) = "
                               f"{format_number(1 - z.tanh().data ** 2)}·({terms} = ")
        assert line.endswith(f") = {format_number(z.grad)}")


def test_layer_level_nodes_are_the_inputs_the_layers_and_the_loss(batch):
    model, _, _, _, _ = batch
    loss, _ = forward_by_hand(model, [[0.5, -0.5], [1.0, 0.0]], [1.0, -1.0])
    _, data = network_stepper_parts(loss, model, "layer")
    nodes = {node["id"]: node for node in data["nodes"]}
    assert sorted(nodes) == ["inputs", "l0", "l1", "l2", "loss"]
    assert [nodes[i]["op"] for i in ("l0", "l1", "l2")] == ["layer"] * 3
    assert nodes["loss"]["op"] == "*" and nodes["inputs"]["data_text"] == "2 inputs"
    assert "W2[1,0]" in nodes["l1"]["search"] and "layer2.neuron1" in nodes["l1"]["search"]


def test_layer_level_writes_its_totals_with_the_digits_asked_for(batch):
    import re

    model = batch[0]
    loss, _ = forward_by_hand(model, [[0.2, 0.3], [-0.5, 0.1]], [1.0, -1.0])
    _, data = network_stepper_parts(loss, model, "layer", digits=6)
    for p in model.parameters():
        p.grad = 0.0
    loss.backward()
    layer_totals = [sum(n.b.grad for n in layer.neurons) for layer in model.layers]
    headlines = [step["headline"] for step in data["steps"]
                 if "Σ of the layer's δ" in step["headline"]]
    assert len(headlines) == len(model.layers)
    for headline in headlines:
        written = re.search(r"Σ of the layer's δ = (-?\d+\.\d{6})$", headline)
        assert written, headline
        assert any(abs(float(written.group(1)) - t) <= 1e-6 for t in layer_totals)
