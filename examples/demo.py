"""The demo: one neuron from the micrograd lecture, forward values and every gradient."""

from autograd import Value


def neuron():
    """Build o = tanh(x1*w1 + x2*w2 + b) with the lecture's numbers; return (o, nodes)."""
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, [x1, w1, x2, w2, b, x1w1, x2w2, n, o]


def main() -> None:
    o, nodes = neuron()
    o.backward()
    print("o = tanh(x1*w1 + x2*w2 + b)")
    print(f"{'node':>8} {'data':>12} {'grad':>12}")
    for node in nodes:
        print(f"{node.label:>8} {node.data:12.6f} {node.grad:12.6f}")


if __name__ == "__main__":
    main()
