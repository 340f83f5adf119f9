"""render_steps: one picture per step of backprop, gradients filled in as far as it got."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from autograd.files import check_targets, write_files
from viz.drawing import draw_graph
from viz.ledger import backprop_steps


def render_steps(
    root: Any, folder: str | os.PathLike, fmt: str = "svg", renderer: str = "auto",
    **draw_options: Any,
) -> list[Path]:
    """Write one picture per backprop step into folder and return their paths in order.

    `step_000` shows the forward pass with only the seed d root / d root = 1; `step_k`
    highlights the node of the k-th ledger step and the edges to its parents, and shows
    every gradient the backward pass has produced so far (`grad ?` where it has not
    arrived yet). `fmt` is "svg", "png" or "dot"; `draw_options` go to `draw_graph`.
    The existing `.grad` values are not touched. The frames are written together by
    `autograd.files.write_files`: all of them, or (on an error) none.

    Example:
        >>> from autograd import Value
        >>> x = Value(2.0, "x")
        >>> y = (x * x).tanh()
        >>> [p.name for p in render_steps(y, "out/doctest_frames")]
        ['step_000.svg', 'step_001.svg', 'step_002.svg']
    """
    if fmt not in ("svg", "png", "dot"):
        raise ValueError(f"render_steps: fmt must be 'svg', 'png' or 'dot', got {fmt!r}")
    ledger = backprop_steps(root)
    folder = Path(folder)
    width = max(3, len(str(len(ledger))))
    paths = [folder / f"step_{k + 1:0{width}d}.{fmt}" for k in range(-1, len(ledger))]
    check_targets(paths)  # refuse a device or FIFO before the work of rendering
    frames = []
    for path, k in zip(paths, range(-1, len(ledger)), strict=True):
        highlight = ledger.root if k < 0 else ledger.steps[k].node
        drawing = draw_graph(
            root, grads=ledger.grads_after(k), highlight=highlight,
            title=_caption(ledger, k), **draw_options,
        )
        frames.append((path, drawing.pipe(fmt, renderer)))
    return write_files(frames)


def _caption(ledger: Any, k: int) -> str:
    root = ledger.name(ledger.root)
    if k < 0:
        return f"step 0 of {len(ledger)}: seed d{root}/d{root} = 1"
    step = ledger.steps[k]
    lines = [ledger.sentence(step, edge) for edge in step.edges]
    return f"step {k + 1} of {len(ledger)}\n" + "\n".join(lines)
