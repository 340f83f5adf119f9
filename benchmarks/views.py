"""How long each view takes: python3 benchmarks/views.py [--samples 1 10 100]

micrograd's 2-16-16-1 ReLU network (nn.MLP(2, [16, 16, 1], seed=0)) on a batch of moons
points with micrograd's max-margin loss, for batches of 1, 10 and 100 samples. For each
level of detail ("value": every value; "neuron": a box per neuron; "layer": a box per
layer) it times, in seconds, the three things a learner waits for:

- source:  draw_graph(...) building the DOT text,
- svg:     rendering that text to SVG (the system `dot` if on PATH, else graphviz-pure),
- stepper: viz.stepper.stepper_page(...), the whole stepper page (backprop record, drawing,
           rendering, page data).

The value level is rendered only up to --value-samples samples (default 1): its layout
grows much faster than the graph (the issue measured 37 minutes for a ten-sample batch),
so larger batches print its DOT time only, and "skipped" for the rest. Each figure is one
run in this process, after one untimed warm-up of the smallest case. Uses the current
interpreter (with the `viz` extra installed).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script too

from autograd import Value  # noqa: E402
from autograd.graph import topological_order  # noqa: E402
from examples.demo import moons_batch_loss  # noqa: E402
from nn import MLP  # noqa: E402
from viz import draw_graph, find_renderer  # noqa: E402
from viz.stepper import stepper_page  # noqa: E402

LEVELS = ("value", "neuron", "layer")


def moons_loss(samples: int) -> tuple[MLP, Value]:
    """The demo's 2-16-16-1 model and mean max-margin loss over `samples` moons points,
    backpropagated."""
    model, loss = moons_batch_loss(samples)
    loss.backward()
    return model, loss


def seconds(work) -> tuple[float, object]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def time_views(samples: int, value_samples: int, renderer: str) -> list[tuple]:
    """(level, samples, values in the graph, source s, svg s or None, stepper s or None)."""
    model, loss = moons_loss(samples)
    values = len(topological_order(loss))
    rows = []
    for level in LEVELS:
        options = {"max_nodes": None} if level == "value" else {"modules": model, "level": level}
        source_time, drawing = seconds(lambda options=options: draw_graph(loss, **options))
        if level == "value" and samples > value_samples:
            rows.append((level, samples, values, source_time, None, None))
            continue
        svg_time, _ = seconds(lambda drawing=drawing: drawing.svg(renderer))
        page_options = {"max_nodes": None} if level == "value" else {"modules": model,
                                                                     "level": level}
        stepper_time, _ = seconds(
            lambda page_options=page_options: stepper_page(loss, renderer=renderer,
                                                           **page_options))
        rows.append((level, samples, values, source_time, svg_time, stepper_time))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--value-samples", type=int, default=1,
                        help="largest batch whose full value-level graph is rendered")
    parser.add_argument("--renderer", default="auto", choices=["auto", "dot", "graphviz-pure"])
    args = parser.parse_args(argv)

    renderer = find_renderer(args.renderer)
    print(f"renderer: {renderer.name} ({renderer.executable}); Python {sys.version.split()[0]}")
    print("model: nn.MLP(2, [16, 16, 1], activation='relu', seed=0), mean max-margin loss "
          "on nn.data.make_moons(noise=0.1, seed=1)")
    moons_loss(1)  # warm-up, untimed
    time_views(1, 0, args.renderer)

    def cell(x: float | None) -> str:
        return "skipped" if x is None else f"{x:.3f}"

    header = f"{'level':<7} {'samples':>7} {'values':>7} {'source s':>9} {'svg s':>9} " \
             f"{'stepper s':>9}"
    print(header)
    print("-" * len(header))
    for samples in args.samples:
        for level, n, values, source, svg, stepper in time_views(
                samples, args.value_samples, args.renderer):
            print(f"{level:<7} {n:>7} {values:>7} {cell(source):>9} {cell(svg):>9} "
                  f"{cell(stepper):>9}", flush=True)


if __name__ == "__main__":
    main()
