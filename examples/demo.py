"""The demo: the micrograd lecture's neuron end to end.

Prints the forward values and gradients, the chain-rule ledger of backprop and the path
sums behind one gradient, checks a hand derivation of do/dw1 (a seed-style slip caught and
diagnosed, then the corrected claim), and writes the graph as SVG, a page that steps
through backprop in a browser, and a page that steps neuron by neuron through micrograd's
2-16-16-1 network on ten moons points (default folder out/, or the first command-line
argument).
"""

import sys
from pathlib import Path

from autograd import Value
from autograd.testing import DerivationMismatch, check_derivation
from nn import MLP, data
from viz import (
    GraphTooLargeError,
    MissingGraphvizError,
    RendererNotFoundError,
    RenderError,
    draw_graph,
    explain,
    print_steps,
    stepper_html,
)


def neuron():
    """Build o = tanh(x1*w1 + x2*w2 + b) with the lecture's numbers; return (o, nodes)."""
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, [x1, w1, x2, w2, b, x1w1, x2w2, x1w1x2w2, n, o]


NEURON = "tanh(x1*w1 + x2*w2 + b)"
SLIP = "x1 * (1 - (x1*w1 + x2*w2 + b)**2)"  # tanh'(n) as 1 - n**2: the rule wants 1 - o**2
CORRECTED = "x1 * (1 - tanh(x1*w1 + x2*w2 + b)**2)"


def checked_derivation() -> None:
    """A hand derivation of do/dw1, property-tested: the slip with its diagnosis, then the fix."""
    try:
        import hypothesis  # noqa: F401 - check_derivation draws its points with hypothesis
    except ImportError:
        print("checked derivation skipped: hypothesis is not installed "
              "(pip install 'gradledger[check]')")
        return
    print(f"checked derivation: do/dw1 = {SLIP}?")
    try:
        check_derivation(NEURON, {"w1": SLIP})
    except DerivationMismatch as err:
        print(err)
    print(f"\ncorrected: do/dw1 = {CORRECTED}")
    print(check_derivation(NEURON, {"w1": CORRECTED}))


def moons_batch_loss(samples: int = 10) -> tuple[MLP, Value]:
    """micrograd's 2-16-16-1 ReLU network and its max-margin loss on a batch of moons."""
    model = MLP(2, [16, 16, 1], activation="relu", seed=0)
    points, labels = data.make_moons(samples, noise=0.1, seed=1)
    loss = Value(0.0)
    for x, label in zip(points, data.signed(labels), strict=True):
        loss = loss + (1 - label * model(x)[0]).relu()
    loss = loss * (1.0 / samples)
    loss.label = "loss"
    return model, loss


def write_pictures(o: Value, folder: Path) -> list[Path]:
    """Write the graph (SVG), the stepper (HTML) and a neuron-by-neuron stepper of a
    ten-sample moons batch into folder; return their paths."""
    graph = draw_graph(o, formulas=True).render(folder / "neuron.svg")
    page = stepper_html(o, folder / "neuron_stepper.html", title="The lecture's neuron")
    model, loss = moons_batch_loss()
    network = stepper_html(loss, folder / "moons_neuron_stepper.html", modules=model,
                           level="neuron")
    return [graph, page, network]


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out")
    o, nodes = neuron()
    print("o = tanh(x1*w1 + x2*w2 + b)\n")
    print_steps(o)  # the ledger comes from the engine's own backward loop
    o.backward()
    print(f"\n{'node':>14} {'data':>10} {'grad':>10}")
    for node in nodes:
        print(f"{node.label:>14} {node.data:10.4f} {node.grad:10.4f}")
    print()
    print(explain(o, nodes[1]))  # w1: one path, the product of its local derivatives
    print()
    checked_derivation()
    print()
    try:
        paths = write_pictures(o, folder)
    except (MissingGraphvizError, RendererNotFoundError, RenderError, GraphTooLargeError) as err:
        print(f"no pictures written: {err}")
        return
    print(f"graph:   {paths[0]}")
    print(f"stepper: {paths[1]}   (open it in a browser; arrow keys step through backprop)")
    print(f"network: {paths[2]}   (2-16-16-1 on ten moons points, one neuron per step: "
          "each delta_j = f'(z_j) * sum_k w_kj delta_k with its terms)")


if __name__ == "__main__":
    main()
