"""nn.to_torch / nn.from_torch: the same network in PyTorch, with equal outputs and gradients.

PyTorch is the optional extra `torch` (the `test` extra installs it too); the tests that
need it skip, saying so, where it is missing.
"""

import random
import subprocess
import sys

import pytest

import nn
from autograd import Value
from nn import MLP, Layer, Neuron, data, fit, losses, optim
from nn.torch_bridge import paired_parameters

TOLERANCE = 1e-12


@pytest.fixture
def torch():
    return pytest.importorskip(
        "torch", reason="PyTorch is not installed (extra `torch`; the `test` extra has it)"
    )


def outputs_as_list(out):
    if isinstance(out, Value):
        return [out]
    return list(out)


def close(a, b):
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))


def compare(torch, model, nin, seed=0, points=4):
    """Outputs, parameter gradients and input gradients of model and to_torch(model)."""
    rng = random.Random(seed)
    net = nn.to_torch(model)
    for _ in range(points):
        x = [rng.uniform(-2.0, 2.0) for _ in range(nin)]
        inputs = [Value(v) for v in x]
        ours = outputs_as_list(model(inputs))
        x_t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        theirs = net(x_t)
        assert theirs.dtype == torch.float64 and theirs.shape == (len(ours),)
        assert all(close(o.data, t) for o, t in zip(ours, theirs.tolist(), strict=True))
        weights = [rng.uniform(-1.0, 1.0) for _ in ours]  # a loss that uses every output
        sum(w * o for w, o in zip(weights, ours, strict=True)).backward()
        (theirs * torch.tensor(weights, dtype=torch.float64)).sum().backward()
        for name, value, tensor, index in paired_parameters(model, net):
            assert close(value.grad, tensor.grad[index].item()), name
        assert all(close(v.grad, g) for v, g in zip(inputs, x_t.grad.tolist(), strict=True))
        model.zero_grad()
        net.zero_grad()


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "linear"])
@pytest.mark.parametrize("output_activation", ["linear", "tanh", "softmax"])
def test_an_mlp_in_torch_has_equal_outputs_and_gradients(torch, activation, output_activation):
    model = MLP(3, [5, 4, 3], activation=activation, output_activation=output_activation, seed=1)
    compare(torch, model, 3)


def test_layers_neurons_biasless_and_micrograd_models_cross_too(torch):
    compare(torch, MLP(2, [3, 1], activation="relu", bias=False, seed=0), 2)
    compare(torch, Layer(3, 2, activation="sigmoid", seed=0), 3)
    compare(torch, Neuron(4, activation="tanh", seed=0), 4)
    random.seed(1337)
    micro = nn.micrograd.MLP(2, [16, 16, 1])
    assert str(nn.to_torch(micro)).count("ReLU()") == 2
    compare(torch, micro, 2)
    compare(torch, nn.micrograd.Layer(3, 2, nonlin=False), 3)
    compare(torch, nn.micrograd.Neuron(3), 3)


def test_the_torch_module_names_its_layers_and_runs_batches(torch):
    model = MLP(2, [3, 2], activation="tanh", output_activation="softmax", seed=4)
    net = nn.to_torch(model)
    assert [name for name, _ in net.named_children()] == ["layer1", "act1", "layer2", "act2"]
    assert net.layer1.weight[2, 1].item() == model.layers[0].neurons[2].w[1].data
    import numpy as np

    X = np.array([[0.5, -1.0], [2.0, 0.25], [0.0, 0.0]])
    theirs = net(torch.tensor(X)).tolist()
    ours = [[v.data for v in row] for row in model(X)]
    assert all(close(a, b) for r, s in zip(ours, theirs, strict=True)
               for a, b in zip(r, s, strict=True))


def test_from_torch_copies_a_sequential(torch):
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 4), torch.nn.ReLU(),
        torch.nn.Identity(), torch.nn.Linear(4, 2), torch.nn.Softmax(dim=-1),
    )  # float32, as torch makes it
    model = nn.from_torch(net)
    assert repr(model) == "MLP(3, [4, 4, 2], activation='relu', output_activation='softmax')"
    assert model.layers[1].neurons[3].w[2].data == net[2].weight[3, 2].item()  # exact
    compare(torch, model, 3)
    net64 = net.to(torch.float64)
    x = [0.3, -0.7, 1.1]
    theirs = net64(torch.tensor(x, dtype=torch.float64)).tolist()
    assert all(close(v.data, t) for v, t in zip(model(x), theirs, strict=True))
    single = nn.from_torch(torch.nn.Linear(2, 1, bias=False))
    assert repr(single) == "MLP(2, [1], activation='tanh', output_activation='linear')"
    assert single.layers[0].neurons[0].b is None


def test_a_trained_model_crosses_to_torch_and_back(torch, tmp_path):
    X, labels = data.make_moons(40, noise=0.1, seed=0)
    model = MLP(2, [8, 8, 1], activation="relu", seed=0)
    fit(model, X, data.signed(labels), losses.hinge,
        optim.SGD(model.parameters(), lr=0.5, momentum=0.9), epochs=10, progress=False)
    net = nn.to_torch(model)
    assert nn.from_torch(net).state_dict() == model.state_dict()
    torch.save(net.state_dict(), tmp_path / "net.pt")
    fresh = nn.to_torch(MLP(2, [8, 8, 1], activation="relu", seed=1))
    fresh.load_state_dict(torch.load(tmp_path / "net.pt"))
    back = nn.from_torch(fresh)
    assert back.state_dict() == model.state_dict()
    compare(torch, back, 2)


@pytest.mark.parametrize(
    "layers, message",
    [
        (lambda t: [t.nn.Linear(2, 3), t.nn.Tanh(), t.nn.Linear(3, 3), t.nn.ReLU(),
                    t.nn.Linear(3, 1)], "hidden layers use different activations"),
        (lambda t: [t.nn.Linear(2, 3), t.nn.Softmax(dim=-1), t.nn.Linear(3, 1)],
         "Softmax is only supported after the last Linear"),
        (lambda t: [t.nn.Linear(2, 3), t.nn.Softmax(dim=0)], r"only Softmax\(dim=-1\)"),
        (lambda t: [t.nn.Linear(2, 3), t.nn.Linear(3, 1, bias=False)], "some Linear layers"),
        (lambda t: [t.nn.ReLU(), t.nn.Linear(2, 3)], "comes before any Linear"),
        (lambda t: [t.nn.Linear(2, 3), t.nn.ReLU(), t.nn.Tanh()], "follows another activation"),
        (lambda t: [t.nn.Linear(2, 3), t.nn.Linear(4, 1)], "takes 4 inputs, but the layer"),
        (lambda t: [t.nn.Linear(2, 3), t.nn.Dropout()], "child '1' is a Dropout"),
        (lambda t: [t.nn.Linear(2, 3), t.nn.ReLU(inplace=True)], "inplace ReLU"),
        (lambda t: [], "has no Linear layer"),
    ],
)
def test_from_torch_refuses_what_it_cannot_copy_by_name(torch, layers, message):
    with pytest.raises(ValueError, match=message):
        nn.from_torch(torch.nn.Sequential(*layers(torch)))


def test_wrong_types_are_refused(torch):
    with pytest.raises(TypeError, match="from_torch takes a torch.nn.Sequential"):
        nn.from_torch(torch.nn.ReLU())
    with pytest.raises(TypeError, match="to_torch takes an nn.MLP, nn.Layer or nn.Neuron"):
        nn.to_torch(nn.micrograd.Module())


def test_importing_nn_does_not_import_torch():
    code = "import sys, nn; nn.MLP(2, [1], seed=0); print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_without_torch_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    with pytest.raises(ImportError, match=r"pip install 'gradledger\[torch\]'"):
        nn.to_torch(MLP(2, [1], seed=0))
