"""micrograd's idioms on Value (`_op`, `_prev`, `_backward`) and no silent gradient loss.

The lecture cells below are quoted unchanged from Andrej Karpathy's nn-zero-to-hero
notebooks (micrograd lecture, MIT licence): the point of these tests is that a learner's
code runs on this project's Value as written. They are run with exec so that they stay
byte for byte as the lecture has them (two-space indents and all).
"""

import math
import random

import numpy as np
import pytest

from autograd import Value
from autograd.testing import check_parameter_grads

LECTURE_TRACE_AND_DRAW_DOT = '''
from graphviz import Digraph

def trace(root):
  # builds a set of all nodes and edges in a graph
  nodes, edges = set(), set()
  def build(v):
    if v not in nodes:
      nodes.add(v)
      for child in v._prev:
        edges.add((child, v))
        build(child)
  build(root)
  return nodes, edges

def draw_dot(root):
  dot = Digraph(format='svg', graph_attr={'rankdir': 'LR'}) # LR = left to right

  nodes, edges = trace(root)
  for n in nodes:
    uid = str(id(n))
    # for any value in the graph, create a rectangular ('record') node for it
    dot.node(name = uid, label = "{ %s | data %.4f | grad %.4f }" % (n.label, n.data, n.grad), shape='record')
    if n._op:
      # if this value is a result of some operation, create an op node for it
      dot.node(name = uid + n._op, label = n._op)
      # and connect this node to it
      dot.edge(uid + n._op, uid)

  for n1, n2 in edges:
    # connect n1 to the op node of n2
    dot.edge(str(id(n1)), str(id(n2)) + n2._op)

  return dot
'''  # noqa: E501 (the lecture's own line lengths)

LECTURE_NEURON = '''
x1 = Value(2.0, label='x1')
x2 = Value(0.0, label='x2')
w1 = Value(-3.0, label='w1')
w2 = Value(1.0, label='w2')
b = Value(6.8813735870195432, label='b')
x1w1 = x1*w1; x1w1.label = 'x1*w1'
x2w2 = x2*w2; x2w2.label = 'x2*w2'
x1w1x2w2 = x1w1 + x2w2; x1w1x2w2.label = 'x1*w1 + x2*w2'
n = x1w1x2w2 + b; n.label = 'n'
o = n.tanh(); o.label = 'o'
'''

LECTURE_MANUAL_BACKWARD = '''
o.grad = 1.0
o._backward()
n._backward()
b._backward()
x1w1x2w2._backward()
x2w2._backward()
x1w1._backward()
'''

LECTURE_MLP = '''
class Neuron:

  def __init__(self, nin):
    self.w = [Value(random.uniform(-1,1)) for _ in range(nin)]
    self.b = Value(random.uniform(-1,1))

  def __call__(self, x):
    # w * x + b
    act = sum((wi*xi for wi, xi in zip(self.w, x)), self.b)
    out = act.tanh()
    return out

  def parameters(self):
    return self.w + [self.b]

class Layer:

  def __init__(self, nin, nout):
    self.neurons = [Neuron(nin) for _ in range(nout)]

  def __call__(self, x):
    outs = [n(x) for n in self.neurons]
    return outs[0] if len(outs) == 1 else outs

  def parameters(self):
    return [p for neuron in self.neurons for p in neuron.parameters()]

class MLP:

  def __init__(self, nin, nouts):
    sz = [nin] + nouts
    self.layers = [Layer(sz[i], sz[i+1]) for i in range(len(nouts))]

  def __call__(self, x):
    for layer in self.layers:
      x = layer(x)
    return x

  def parameters(self):
    return [p for layer in self.layers for p in layer.parameters()]
'''

LECTURE_TRAINING = '''
xs = [
  [2.0, 3.0, -1.0],
  [3.0, -1.0, 0.5],
  [0.5, 1.0, 1.0],
  [1.0, 1.0, -1.0],
]
ys = [1.0, -1.0, -1.0, 1.0] # desired targets

for k in range(20):

  # forward pass
  ypred = [n(x) for x in xs]
  loss = sum((yout - ygt)**2 for ygt, yout in zip(ys, ypred))

  # backward pass
  for p in n.parameters():
    p.grad = 0.0
  loss.backward()

  # update
  for p in n.parameters():
    p.data += -0.1 * p.grad

  print(k, loss.data)
'''


def run(*cells, **names):
    """Run lecture cells in one namespace with this project's Value; return the namespace."""
    namespace = {"Value": Value, "random": random, "math": math, **names}
    for cell in cells:
        exec(cell, namespace)
    return namespace


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


def test_the_lectures_trace_and_draw_dot_run_unchanged():
    pytest.importorskip("graphviz", reason="the graphviz package (extra `viz`) is not installed")
    ns = run(LECTURE_TRACE_AND_DRAW_DOT, LECTURE_NEURON)
    ns["o"].backward()
    nodes, edges = ns["trace"](ns["o"])
    assert len(nodes) == 10 and len(edges) == 9
    source = ns["draw_dot"](ns["o"]).source
    assert "{ o | data 0.7071 | grad 1.0000 }" in source
    assert "{ n | data 0.8814 | grad 0.5000 }" in source
    assert "{ x1 | data 2.0000 | grad -1.5000 }" in source
    assert "{ w2 | data 1.0000 | grad 0.0000 }" in source
    op_labels = sorted(line.split("label=")[1].rstrip("]") for line in source.splitlines()
                       if "label=" in line and "{" not in line)
    assert op_labels == ["\"*\"", "\"*\"", "\"+\"", "\"+\"", "tanh"]


def test_the_lectures_manual_backward_steps_give_its_gradients():
    ns = run(LECTURE_NEURON, LECTURE_MANUAL_BACKWARD)
    do_dn = 1 - math.tanh(0.8813735870195432) ** 2  # the lecture's 0.4999999999999999
    assert ns["n"].grad == do_dn and ns["b"].grad == do_dn
    assert ns["x1"].grad == -3.0 * do_dn and ns["w1"].grad == 2.0 * do_dn
    assert ns["x2"].grad == 1.0 * do_dn and ns["w2"].grad == 0.0


def test_the_lectures_neuron_layer_and_mlp_classes_run_unchanged(capsys):
    random.seed(0)
    ns = run(LECTURE_MLP)
    n = ns["MLP"](3, [4, 4, 1])
    assert len(n.parameters()) == 41
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]

    def loss():
        return sum((n(x) - y) ** 2 for x, y in zip(xs, ys, strict=True))

    check_parameter_grads(loss, n.parameters())  # backprop against differences of the loss
    run(LECTURE_TRAINING, n=n)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [str(k) for k in range(20)]
    losses = [float(line.split()[1]) for line in lines]
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
