"""Module tree, parameter names and labels, Neuron/Layer/MLP construction and errors."""

import math

import pytest

from autograd import Value
from nn import MLP, Layer, Module, Neuron


def test_mlp_parameter_names_follow_the_seeds():
    model = MLP(2, [3, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names == [
        "W1[0,0]", "W1[0,1]", "b1[0]", "W1[1,0]", "W1[1,1]", "b1[1]",
        "W1[2,0]", "W1[2,1]", "b1[2]", "W2[0,0]", "W2[0,1]", "W2[0,2]", "b2[0]",
    ]
    assert all(p.label == name for name, p in model.named_parameters())
    assert len(model.parameters()) == 13


def test_named_modules_lists_layers_and_neurons_parents_first():
    model = MLP(2, [2, 1], seed=0)
    modules = list(model.named_modules())
    assert [name for name, _ in modules] == [
        "", "layer1", "layer1.neuron0", "layer1.neuron1", "layer2", "layer2.neuron0",
    ]
    assert modules[0][1] is model
    assert modules[1][1] is model.layers[0]
    assert modules[3][1] is model.layers[0].neurons[1]
    owned = {p.label for p in modules[3][1].parameters()}
    assert owned == {"W1[1,0]", "W1[1,1]", "b1[1]"}


def test_standalone_neuron_and_layer_labels():
    assert [p.label for p in Neuron(3, seed=0).parameters()] == ["w[0]", "w[1]", "w[2]", "b"]
    assert [p.label for p in Layer(1, 2, seed=0).parameters()] == [
        "W[0,0]", "b[0]", "W[1,0]", "b[1]",
    ]


class Pair(Module):
    def __init__(self):
        self.enc = MLP(1, [1], seed=0)
        self.dec = MLP(1, [1], seed=1)
        self.scale = Value(2.0, "scale")


def test_composite_module_prefixes_child_attribute_names():
    names = [name for name, _ in Pair().named_parameters()]
    assert names == ["scale", "enc.W1[0,0]", "enc.b1[0]", "dec.W1[0,0]", "dec.b1[0]"]
    assert [name for name, _ in Pair().named_modules()][:3] == ["", "enc", "enc.layer1"]


def test_duplicate_names_and_shared_parameters_are_errors():
    class Clash(Module):
        def __init__(self):
            self.a = Value(1.0, "w")
            self.b = Value(2.0, "w")

    with pytest.raises(ValueError, match="both named 'w'"):
        list(Clash().named_parameters())

    class Shared(Module):
        def __init__(self):
            v = Value(1.0, "v")
            self.items = [v, v]

    with pytest.raises(ValueError, match="appears twice"):
        Shared().parameters()


def test_zero_grad_resets_every_parameter():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 2.0])[0].backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_layer_returns_a_list_whatever_its_width():
    for width in (1, 3):
        out = Layer(2, width, seed=0)([0.5, 0.5])
        assert isinstance(out, list) and len(out) == width
        assert all(isinstance(v, Value) for v in out)
    assert isinstance(MLP(2, [1], seed=0)([1.0, 1.0]), list)


def test_neuron_computes_activation_of_weighted_sum():
    n = Neuron(2, activation="sigmoid", seed=3)
    n.b.data = 0.25
    x = [0.5, -1.5]
    s = n.w[0].data * 0.5 + n.w[1].data * -1.5 + 0.25
    assert n(x).data == pytest.approx(1 / (1 + math.exp(-s)), abs=1e-15)
    relu = Neuron(1, activation="relu", seed=0)
    relu.w[0].data, relu.b.data = 2.0, -3.0
    assert relu([1.0]).data == 0.0
    linear = Neuron(1, activation="linear", seed=0)
    linear.w[0].data, linear.b.data = 2.0, -3.0
    assert linear([1.0]).data == -1.0


def test_bias_false_has_no_bias_parameter():
    layer = Layer(2, 2, bias=False, seed=0)
    assert [p.label for p in layer.parameters()] == ["W[0,0]", "W[0,1]", "W[1,0]", "W[1,1]"]
    w = layer.neurons[0].w
    assert layer([1.0, 2.0])[0].data == pytest.approx(math.tanh(w[0].data + 2 * w[1].data))


def test_softmax_output_layer_sums_to_one():
    out = MLP(2, [4, 3], output_activation="softmax", seed=0)([0.3, -0.2])
    assert sum(v.data for v in out) == pytest.approx(1.0, abs=1e-15)


def test_seeded_initialisation_is_reproducible_and_scaled():
    a, b, c = MLP(4, [8, 2], seed=7), MLP(4, [8, 2], seed=7), MLP(4, [8, 2], seed=8)
    assert a.state_dict() == b.state_dict()
    assert a.state_dict() != c.state_dict()
    for name, p in a.named_parameters():
        if name.startswith("b"):
            assert p.data == 0.0
        elif name.startswith("W1"):
            assert abs(p.data) <= 1 / math.sqrt(4)
        else:
            assert abs(p.data) <= 1 / math.sqrt(8)
    wide = Neuron(3, init_scale=5.0, seed=0)
    assert max(abs(w.data) for w in wide.w) > 1 / math.sqrt(3)


@pytest.mark.parametrize(
    "build, error, match",
    [
        (lambda: Neuron(0), ValueError, "nin must be at least 1"),
        (lambda: Neuron(2.0), TypeError, "nin must be an int"),
        (lambda: Neuron(True), TypeError, "nin must be an int"),
        (lambda: Neuron(2, activation="softmax"), ValueError, "softmax needs a whole layer"),
        (lambda: Neuron(2, activation="gelu"), ValueError, "unknown activation 'gelu'"),
        (lambda: Layer(2, 0), ValueError, "nout must be at least 1"),
        (lambda: MLP(2, []), ValueError, "nouts must be a non-empty list"),
        (lambda: MLP(2, [3, -1]), ValueError, "each layer width must be at least 1"),
        (lambda: MLP(2, [3], activation="softmax"), ValueError, "softmax needs a whole layer"),
        (lambda: MLP(2, [3], seed=1.5), TypeError, "seed must be"),
        (lambda: Neuron(2, init_scale=-1.0), ValueError, "init_scale"),
        (lambda: Neuron(2, weight_names=["a"]), ValueError, "weight_names needs 2 names"),
    ],
)
def test_bad_construction_is_a_clear_error(build, error, match):
    with pytest.raises(error, match=match):
        build()


def test_wrong_inputs_name_the_expected_size():
    with pytest.raises(ValueError, match="Neuron takes 2 inputs, got 3"):
        Neuron(2, seed=0)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="MLP takes 2 inputs, got 1"):
        MLP(2, [1], seed=0)([1.0])
    with pytest.raises(TypeError, match="sequence of 2 inputs, got str"):
        Layer(2, 1, seed=0)("ab")
    with pytest.raises(TypeError, match="Neuron input 0 must be a real number or a Value, got str"):
        Neuron(1, seed=0)(["x"])
    with pytest.raises(TypeError, match="MLP input 1 must be a real number or a Value, got None"):
        MLP(2, [1], seed=0)([1.0, None])


def test_base_module_call_is_not_implemented():
    with pytest.raises(NotImplementedError, match="Module does not define __call__"):
        Module()()
