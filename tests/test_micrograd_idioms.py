"""micrograd's idioms on Value (`_op`, `_prev`, `_backward`) and no silent gradient loss.

The helpers below are written for these tests in the style of a learner following the
micrograd lecture: a walk over `v._prev`, a graphviz picture keyed on `v._op`, chain-rule
steps called one node at a time with `v._backward()`, and tanh neurons trained by hand.
They check that such code gets the lecture's numbers on this project's Value.
"""

import math
import random

import numpy as np
import pytest

from autograd import Value
from autograd.testing import check_parameter_grads


def reachable(root):
    """The values `root` depends on (itself included) and the (input, result) pairs joining them.

    An explicit stack, so no recursion; `_prev` is a set, as in micrograd.
    """
    seen, links = set(), set()
    stack = [root]
    while stack:
        value = stack.pop()
        if value in seen:
            continue
        seen.add(value)
        for source in value._prev:
            links.add((source, value))
            stack.append(source)
    return seen, links


def labelled_picture(root):
    """A left-to-right Digraph: a record box per value, a small box per op that made one."""
    from graphviz import Digraph

    seen, links = reachable(root)
    picture = Digraph(format="svg", graph_attr={"rankdir": "LR"})
    for value in seen:
        box = str(id(value))
        text = f"{{ {value.label} | data {value.data:.4f} | grad {value.grad:.4f} }}"
        picture.node(box, text, shape="record")
        if value._op:  # leaves have no op, so no op box
            picture.node(box + value._op, value._op)
            picture.edge(box + value._op, box)
    for source, result in links:
        picture.edge(str(id(source)), str(id(result)) + result._op)
    return picture


B = 6.8813735870195432  # the lecture's bias: it makes n = atanh(1/sqrt(2))


def tanh_neuron():
    """o = tanh(x1*w1 + x2*w2 + b) typed out value by value, every value labelled.

    Returns the values keyed by their labels.
    """
    inputs = [Value(2.0, label="x1"), Value(0.0, label="x2")]
    weights = [Value(-3.0, label="w1"), Value(1.0, label="w2")]
    bias = Value(B, label="b")
    terms = []
    for x, w in zip(inputs, weights, strict=True):
        term = x * w
        term.label = f"{x.label}*{w.label}"
        terms.append(term)
    total = terms[0] + terms[1]
    total.label = "x1*w1 + x2*w2"
    n = total + bias
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return {v.label: v for v in (*inputs, *weights, bias, *terms, total, n, o)}


class TanhNeuron:
    """sum(w_i * x_i) + b through tanh; weights and bias from random.uniform(-1, 1)."""

    def __init__(self, fan_in):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(fan_in)]
        self.b = Value(random.uniform(-1, 1))

    def __call__(self, x):
        return sum((wi * xi for wi, xi in zip(self.w, x, strict=True)), self.b).tanh()

    def parameters(self):
        return [*self.w, self.b]


class TanhLayer:
    def __init__(self, fan_in, width):
        self.neurons = [TanhNeuron(fan_in) for _ in range(width)]

    def __call__(self, x):
        outs = [neuron(x) for neuron in self.neurons]
        return outs if len(outs) > 1 else outs[0]  # one neuron: a bare Value

    def parameters(self):
        return [p for neuron in self.neurons for p in neuron.parameters()]


class TanhMLP:
    def __init__(self, fan_in, widths):
        sizes = [fan_in, *widths]
        self.layers = [TanhLayer(a, b) for a, b in zip(sizes, sizes[1:], strict=False)]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


def train_by_hand(net, xs, ys, steps, rate):
    """Forward, zero the grads, backward, nudge each parameter; the loss at each step."""
    history = []
    for _ in range(steps):
        predictions = [net(x) for x in xs]
        loss = sum((guess - target) ** 2 for guess, target in zip(predictions, ys, strict=True))
        for p in net.parameters():
            p.grad = 0.0
        loss.backward()
        for p in net.parameters():
            p.data += -rate * p.grad
        history.append(loss.data)
    return history


@pytest.mark.parametrize(
    "make, symbol",
    [
        (lambda x, y: x, ""),
        (lambda x, y: x + y, "+"),
        (lambda x, y: x + 1, "+"),
        (lambda x, y: 2 * x, "*"),
        (lambda x, y: x * y, "*"),
        (lambda x, y: x**2, "**2"),
        (lambda x, y: x**-1, "**-1"),
        (lambda x, y: x**0.5, "**0.5"),
        (lambda x, y: x.relu(), "ReLU"),
        (lambda x, y: x.tanh(), "tanh"),
        (lambda x, y: x.exp(), "exp"),
        # ops micrograd writes with others (a - b is a + (-b) there) keep their own symbol
        (lambda x, y: x - y, "-"),
        (lambda x, y: x / y, "/"),
        (lambda x, y: -x, "neg"),
        (lambda x, y: x.sigmoid(), "sigmoid"),
        (lambda x, y: x**2.0, "**2"),  # micrograd writes '**2.0'
    ],
)
def test_op_is_the_symbol_micrograd_writes(make, symbol):
    assert make(Value(1.5), Value(2.5))._op == symbol


def test_prev_is_the_set_of_parents():
    x, y = Value(1.0), Value(2.0)
    z = x * y
    assert type(z._prev) is set and z._prev == {x, y}
    assert (x + x)._prev == {x}
    assert x._prev == set()
    assert z.parents == (x, y)  # the ordered tuple stays the engine's own name


def test_idioms_are_read_only():
    z = Value(1.0) + 2.0
    with pytest.raises(AttributeError):
        z._op = "*"
    with pytest.raises(AttributeError):
        z._prev = set()
    assert z._op == "+" and z.op_record.name == "add"


def test_a_lecture_style_walk_and_drawing_show_every_value_and_op():
    pytest.importorskip("graphviz", reason="the graphviz package (extra `viz`) is not installed")
    values = tanh_neuron()
    values["o"].backward()
    seen, links = reachable(values["o"])
    assert seen == set(values.values()) and len(seen) == 10 and len(links) == 9
    assert (values["n"], values["o"]) in links and (values["b"], values["n"]) in links
    source = labelled_picture(values["o"]).source
    assert "{ o | data 0.7071 | grad 1.0000 }" in source
    assert "{ n | data 0.8814 | grad 0.5000 }" in source
    assert "{ x1 | data 2.0000 | grad -1.5000 }" in source
    assert "{ w2 | data 1.0000 | grad 0.0000 }" in source
    op_labels = sorted(line.split("label=")[1].rstrip("]") for line in source.splitlines()
                       if "label=" in line and "{" not in line)
    assert op_labels == ["\"*\"", "\"*\"", "\"+\"", "\"+\"", "tanh"]


def test_backward_steps_called_by_hand_give_the_chain_rule():
    values = tanh_neuron()
    values["o"].grad = 1.0
    # reverse topological order, typed out: each value steps before the values it came from
    for label in ("o", "n", "x1*w1 + x2*w2", "x2*w2", "x1*w1"):
        values[label]._backward()
    do_dn = 1 - math.tanh(0.8813735870195432) ** 2  # n.data is 0.8813735870195432; do/dn ~ 0.5
    assert values["n"].grad == do_dn and values["b"].grad == do_dn
    assert values["x1"].grad == -3.0 * do_dn and values["w1"].grad == 2.0 * do_dn
    assert values["x2"].grad == 1.0 * do_dn and values["w2"].grad == 0.0
    again = tanh_neuron()
    again["o"].backward()
    assert {k: v.grad for k, v in values.items()} == {k: v.grad for k, v in again.items()}


def test_lecture_style_neuron_layer_and_mlp_classes_train():
    random.seed(0)
    net = TanhMLP(3, [4, 4, 1])
    assert len(net.parameters()) == 41
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]

    def loss():
        return sum((net(x) - y) ** 2 for x, y in zip(xs, ys, strict=True))

    check_parameter_grads(loss, net.parameters())  # backprop against differences of the loss
    losses = train_by_hand(net, xs, ys, steps=20, rate=0.05)
    assert len(losses) == 20
    assert all(later < earlier for earlier, later in zip(losses, losses[1:], strict=False))


def test_float_int_and_math_on_a_value_fail_loudly():
    v = Value(2.0, "v")
    for convert in (float, int, round, math.exp, math.tanh, math.floor, complex,
                    lambda v: np.array([v], dtype=float), np.float64):
        with pytest.raises(TypeError) as caught:
            convert(v)
        message = str(caught.value)
        assert "v.data" in message and "v.exp()" in message and "'v'" in message


def test_a_port_that_used_math_exp_fails_instead_of_training_nothing():
    x = Value(0.5, "x")
    with pytest.raises(TypeError, match="drop its gradient"):
        (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
    e = (2 * x).exp()
    t = (e - 1) / (e + 1)
    t.backward()
    assert abs(x.grad - (1 - math.tanh(0.5) ** 2)) < 1e-15


def test_formatting_and_numpy_object_arrays_keep_working():
    v = Value(2.0, "v")
    assert f"{v:.3f}" == "2.000" and f"{v:>10.2e}" == "  2.00e+00" and format(v, "") == str(v)
    assert f"{v}" == repr(v) == "Value(data=2.0, grad=0.0, label='v')"
    s = np.sin(v)
    assert isinstance(s, Value) and s.data == math.sin(2.0)
    doubled = np.array([v, Value(-1.0)]) * 2
    assert [d.data for d in doubled] == [4.0, -2.0]
    assert np.array([v, 3.0], dtype=object).dtype == object
