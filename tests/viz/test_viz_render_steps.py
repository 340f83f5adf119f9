"""render_steps: frames of one size and layout, the right highlight, honest captions."""

import re
import struct

import pytest

from autograd import Value
from tests.lecture import lecture_neuron
from viz import GraphTooLargeError, backprop_steps, frames, render_steps

HIGHLIGHT_FILL = 'fillcolor="#ffd966"'
HIGHLIGHT_EDGE = ' color="#c27c0e"'  # not fontcolor


def neuron():
    return lecture_neuron()[0]


def svg_size(text):
    return re.search(r'<svg width="([^"]+)" height="([^"]+)"\s+viewBox="([^"]+)"', text).groups()


def box_positions(text):
    """The outline of every value and op node, by its id: where the layout put it."""
    found = re.findall(r'<g id="(v\d+(?:_op)?)" class="node">.*?(?:points|cx)="([^"]+)"', text,
                       re.DOTALL)
    return dict(found)


def test_every_svg_frame_has_the_same_size_and_layout(tmp_path):
    paths = render_steps(neuron(), tmp_path)
    texts = [p.read_text() for p in paths]
    assert len(texts) == 6
    assert len({svg_size(t) for t in texts}) == 1
    layouts = [box_positions(t) for t in texts]
    assert len(layouts[0]) == 10 + 5
    assert all(layout == layouts[0] for layout in layouts)


def test_frames_of_a_graph_narrower_than_its_captions_match_too(tmp_path):
    x = Value(3.0, "x")
    y = x * x + x  # captions far wider than the three-op graph, and of different widths
    y.label = "y"
    svg = [p.read_text() for p in render_steps(y, tmp_path / "svg")]
    assert len({svg_size(t) for t in svg}) == 1
    png = [p.read_bytes() for p in render_steps(y, tmp_path / "png", fmt="png")]
    sizes = {struct.unpack(">II", data[16:24]) for data in png}
    assert all(data[12:16] == b"IHDR" for data in png) and len(sizes) == 1


def test_frame_zero_highlights_the_root_alone_and_later_frames_their_step(tmp_path):
    o = neuron()
    ledger = backprop_steps(o)
    texts = [p.read_text() for p in render_steps(o, tmp_path, fmt="dot")]
    first = texts[0]
    assert first.count(HIGHLIGHT_FILL) == 1 and HIGHLIGHT_EDGE not in first
    assert re.search(r'label="\{o \| [^\n]*fillcolor="#ffd966"', first)
    for step, text in zip(ledger.steps, texts[1:], strict=True):
        name = ledger.name(step.node)
        highlighted = re.findall(r'label="\{([^ |]+) [^\n]*fillcolor="#ffd966"', text)
        assert highlighted == [name]
        assert text.count(HIGHLIGHT_EDGE) == 1 + len(step.edges)  # out edge and inputs


def test_captions_and_unknown_gradients_read_honestly(tmp_path):
    o = neuron()
    texts = [p.read_text() for p in render_steps(o, tmp_path, fmt="dot")]
    unknown = [t.count("grad: not computed yet") for t in texts]
    # 10 values; the seed frame knows only o, and each step adds its parents' gradients.
    assert unknown == [9, 8, 6, 4, 2, 0]
    assert "step 0 of 5: o = tanh(x1 * w1 + x2 * w2 + b)<BR/>the seed: o.grad = 1.0000" in (
        texts[0])
    assert "step 1 of 5: o = tanh(n)<BR/>do/dn += seed * do/dn = 1.0000 * 0.5000" in texts[1]
    assert "step 2 of 5: n = %3 + b<BR/>" in texts[2]
    assert not any("do/do" in t or "0.0000 |" in t.split("grad")[0] for t in texts)
    assert all(node.grad == 0.0 for node in backprop_steps(o).order)


def test_captions_are_text_never_markup(tmp_path):
    x = Value(2.0, "<b>x</b> & y")
    text = render_steps(x.exp(), tmp_path, fmt="dot")[1].read_text()
    caption = next(line for line in text.splitlines() if line.startswith("\tgraph [label=<"))
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in caption and "<b>x" not in caption


def test_options_the_frames_set_themselves_are_refused(tmp_path):
    with pytest.raises(TypeError, match="render_steps sets highlight"):
        render_steps(neuron(), tmp_path, highlight=None)
    assert list(tmp_path.iterdir()) == []


def test_a_graph_too_big_to_draw_fails_before_any_rendering(tmp_path, monkeypatch):
    def no_rendering(*args, **kwargs):
        raise AssertionError("rendered before the size check")

    monkeypatch.setattr(frames, "render_source", no_rendering)
    with pytest.raises(GraphTooLargeError, match="more than max_nodes=3"):
        render_steps(neuron(), tmp_path, max_nodes=3)
    assert list(tmp_path.iterdir()) == []
