"""render_steps: one picture per step of backprop, gradients filled in as far as it got.

Every frame has the same layout and size, so the pictures can be flipped through or
joined into an animation: each value's box gets the least width that fits every text it
shows in any frame, and the caption a box that fits every frame's caption. Those sizes
are measured once, by laying out all the texts with the same renderer (`-Tplain`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from autograd.files import check_targets, write_files
from viz.drawing import (
    NOT_COMPUTED_YET,
    VALUE_NODE,
    attr_text,
    boxed_html,
    draw_graph,
    value_label,
)
from viz.ledger import Ledger, backprop_steps
from viz.number_format import format_number
from viz.rendering import render_source

CAPTION_FONT = {"fontname": "Helvetica", "fontsize": "14"}  # graphviz's default for a title


def render_steps(
    root: Any, folder: str | os.PathLike, fmt: str = "svg", renderer: str = "auto",
    **draw_options: Any,
) -> list[Path]:
    """Write one picture per backprop step into folder and return their paths in order.

    `step_000` shows the forward pass, the whole expression and the seed (only the root
    is highlighted, its gradient the only one known); `step_k` highlights the node of the
    k-th ledger step and the edges to its parents, and shows every gradient the backward
    pass has produced so far ("grad: not computed yet" where it has not arrived). Every
    frame has the same size and layout. `fmt` is "svg", "png" or "dot"; `draw_options`
    go to `draw_graph`. The existing `.grad` values are not touched. The frames are
    written together by `autograd.files.write_files`: all of them, or (on an error) none.

    Example:
        >>> from autograd import Value
        >>> x = Value(2.0, "x")
        >>> y = (x * x).tanh()
        >>> [p.name for p in render_steps(y, "out/doctest_frames")]
        ['step_000.svg', 'step_001.svg', 'step_002.svg']
    """
    if fmt not in ("svg", "png", "dot"):
        raise ValueError(f"render_steps: fmt must be 'svg', 'png' or 'dot', got {fmt!r}")
    taken = {"grads", "highlight", "highlight_inputs", "title", "node_widths", "title_box"}
    if taken & draw_options.keys():
        raise TypeError(f"render_steps sets {', '.join(sorted(taken & draw_options.keys()))} "
                        "for each frame itself")
    ledger = backprop_steps(root)
    folder = Path(folder)
    width = max(3, len(str(len(ledger))))
    paths = [folder / f"step_{k + 1:0{width}d}.{fmt}" for k in range(-1, len(ledger))]
    check_targets(paths)  # refuse a device or FIFO before the work of rendering
    draw_graph(root, grads={}, **draw_options)  # a bad option or a graph too big fails here
    captions = [_caption(ledger, k) for k in range(-1, len(ledger))]
    digits = draw_options.get("digits", 4)
    node_widths, title_box = _frame_sizes(ledger, captions, digits,
                                          draw_options.get("rankdir", "LR"), renderer)
    frames = []
    known = {id(ledger.root): ledger.seed}
    for k, (path, caption) in enumerate(zip(paths, captions, strict=True), start=-1):
        if k >= 0:
            for edge in ledger.steps[k].edges:
                known[id(edge.parent)] = edge.parent_grad
        drawing = draw_graph(
            root, grads=known, highlight=ledger.root if k < 0 else ledger.steps[k].node,
            highlight_inputs=k >= 0, title=caption, node_widths=node_widths,
            title_box=title_box, **draw_options,
        )
        frames.append((path, drawing.pipe(fmt, renderer)))
    return write_files(frames)


def _caption(ledger: Ledger, k: int) -> str:
    root = ledger.name(ledger.root)
    if k < 0:
        whole = f"{root} = {ledger.expression(ledger.root)}" if ledger.root.parents else root
        return (f"step 0 of {len(ledger)}: {whole}\n"
                f"the seed: {root}.grad = {format_number(ledger.seed)} (backprop starts here)")
    step = ledger.steps[k]
    lines = [ledger.sentence(step, edge) for edge in step.edges]
    return f"step {k + 1} of {len(ledger)}: {ledger.equation(step)}\n" + "\n".join(lines)


def _frame_sizes(ledger: Ledger, captions: list[str], digits: int, rankdir: str,
                 renderer: str) -> tuple[dict[int, float], tuple[float, float]]:
    """The least width (inches) of each value's box over every frame, and the caption box
    (points) that fits every caption, measured by laying out all their texts at once."""
    shown: dict[int, set[float | None]] = {id(node): {None} for node in ledger.order}
    shown[id(ledger.root)] = {ledger.seed}
    for step in ledger.steps:
        for edge in step.edges:
            shown[id(edge.parent)].add(edge.parent_grad)
    statements = [f"\tgraph [rankdir={rankdir}]\n",
                  f"\tnode [{attr_text(VALUE_NODE)}]\n"]
    owners = {}
    for node in ledger.order:
        name = ledger.name(node)
        for grad in shown[id(node)]:
            label = value_label(name, node.data, grad, digits, NOT_COMPUTED_YET)
            owners[f"m{len(owners)}"] = id(node)
            statements.append(f"\tm{len(owners) - 1} [label={label}]\n")
    caption_style = attr_text({"shape": "plaintext", "margin": "0", **CAPTION_FONT})
    for k, caption in enumerate(captions):
        statements.append(f"\tc{k} [label={boxed_html(caption, 0, 0)} {caption_style}]\n")
    plain = render_source("digraph {\n" + "".join(statements) + "}\n", "plain", renderer)
    widths: dict[int, float] = {}
    box = (0.0, 0.0)
    for line in plain.decode("utf-8", "replace").splitlines():
        fields = line.split(" ", 6)
        if fields[0] != "node":
            continue
        name, width, height = fields[1], float(fields[4]), float(fields[5])
        if name.startswith("c"):
            box = (max(box[0], width * 72), max(box[1], height * 72))
        else:
            key = owners[name]
            widths[key] = max(widths.get(key, 0.0), width)
    # -Tplain rounds to a few decimals: a little more keeps every text inside its box.
    return {key: width + 0.001 for key, width in widths.items()}, (box[0] + 1, box[1] + 1)
