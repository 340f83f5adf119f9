"""The micrograd lecture's neuron, shared by the tests that draw, print and step through it."""

from autograd import Value


def lecture_neuron():
    """o = tanh(x1*w1 + x2*w2 + b) with the lecture's numbers; returns (o, its named nodes)."""
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "n": n}
