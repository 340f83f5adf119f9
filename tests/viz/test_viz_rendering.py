"""Rendering: system dot when on PATH, else graphviz-pure; formats, errors, atomic writes."""

import os
import shutil

import pytest

from autograd import Value
from viz import (
    GraphTooLargeError,
    draw_graph,
    render,
    rendering,
)
from viz import graph_drawing as graph_drawing_module
from viz.drawing import DEFAULT_MAX_NODES
from viz.rendering import (
    RendererNotFoundError,
    RenderError,
    find_renderer,
    graphviz_pure_executable,
    render_source,
)

PURE = graphviz_pure_executable()
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="no system Graphviz `dot` on PATH"
)


def small_graph():
    x = Value(2.0, "x")
    y = (x * x).tanh()
    y.label = "y"
    y.backward()
    return y


@pytest.fixture
def no_system_dot(monkeypatch):
    real_which = shutil.which
    monkeypatch.setattr(
        rendering.shutil, "which", lambda name: None if name == "dot" else real_which(name)
    )


def test_graphviz_pure_is_found_through_its_package_metadata():
    assert os.path.isfile(PURE) and os.access(PURE, os.X_OK)
    assert os.path.basename(PURE).startswith("graphviz-pure")


def test_without_system_dot_auto_uses_graphviz_pure(no_system_dot):
    assert find_renderer().name == "graphviz-pure"
    svg = render_source(draw_graph(small_graph()).source, "svg").decode()
    assert "graphviz-pure" in svg  # its generator comment
    assert "<svg" in svg and "grad 1.0000" in svg


def test_graphviz_pure_writes_svg_and_png_files(tmp_path):
    svg = render(small_graph(), tmp_path / "g.svg", renderer="graphviz-pure")
    png = render(small_graph(), tmp_path / "g.png", renderer="graphviz-pure")
    assert svg.read_text().lstrip().startswith("<?xml")
    assert "data 0.9993" in svg.read_text()  # tanh(4) = 0.99933
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_pdf_needs_the_system_dot(tmp_path):
    with pytest.raises(RendererNotFoundError, match="pdf output needs the system Graphviz"):
        render(small_graph(), tmp_path / "g.pdf", renderer="graphviz-pure")
    assert not (tmp_path / "g.pdf").exists()


@needs_dot
def test_system_dot_is_preferred_and_renders(tmp_path):
    assert find_renderer().name == "dot"
    svg = render(small_graph(), tmp_path / "g.svg", renderer="dot")
    assert "grad 1.0000" in svg.read_text()


def test_asking_for_dot_without_it_names_the_alternative(no_system_dot):
    with pytest.raises(RendererNotFoundError, match="renderer='graphviz-pure'"):
        find_renderer("dot")


def test_no_renderer_at_all_says_what_to_install(no_system_dot, monkeypatch):
    monkeypatch.setattr(rendering, "graphviz_pure_executable", lambda: None)
    with pytest.raises(RendererNotFoundError, match=r"pip install 'gradledger\[viz\]'"):
        find_renderer()


def test_unknown_renderer_name_is_refused():
    with pytest.raises(ValueError, match="renderer must be one of"):
        find_renderer("neato")


def test_dot_files_need_no_renderer(tmp_path, no_system_dot, monkeypatch):
    monkeypatch.setattr(rendering, "graphviz_pure_executable", lambda: None)
    path = render(small_graph(), tmp_path / "sub" / "g.dot")
    assert path.read_text() == draw_graph(small_graph()).source


def test_unknown_suffix_is_refused(tmp_path):
    with pytest.raises(ValueError, match="cannot tell the format"):
        render(small_graph(), tmp_path / "g.bmp")


def test_a_failed_render_leaves_no_file(tmp_path):
    with pytest.raises(RenderError, match="failed to render svg"):
        render_source("digraph { a -> }", "svg", renderer="graphviz-pure")
    drawing = draw_graph(small_graph())
    drawing.graph.body.append("\tthis is not dot ]]]\n")
    with pytest.raises(RenderError):
        drawing.render(tmp_path / "broken.svg", renderer="graphviz-pure")
    assert list(tmp_path.iterdir()) == []


def test_written_files_get_normal_permissions(tmp_path):
    path = render(small_graph(), tmp_path / "g.dot")
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_render_names_files_as_graphviz_does(tmp_path):
    drawing = draw_graph(small_graph())
    # render("name", format=...) writes name.<format>; a name with that suffix stays as is.
    assert drawing.render(tmp_path / "graph", format="svg") == tmp_path / "graph.svg"
    assert drawing.render(tmp_path / "same.svg", format="svg") == tmp_path / "same.svg"
    assert drawing.render("g", directory=tmp_path / "out", format="dot") == (
        tmp_path / "out" / "g.dot")
    assert drawing.render(outfile=tmp_path / "picture.png") == tmp_path / "picture.png"
    assert (tmp_path / "graph.svg").read_bytes().startswith(b"<?xml")
    assert (tmp_path / "out" / "g.dot").read_text() == drawing.source
    assert (tmp_path / "picture.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "graph.svg", "out", "picture.png", "same.svg"]  # no separate source files
    with pytest.raises(ValueError, match="format must be one of"):
        drawing.render(tmp_path / "graph", format="gif")
    with pytest.raises(ValueError, match="give a filename or an outfile"):
        drawing.render()


def test_pipe_gives_bytes_or_text_like_graphviz():
    drawing = draw_graph(small_graph())
    svg = drawing.pipe("svg")
    assert isinstance(svg, bytes) and b"<svg" in svg
    assert drawing.pipe(format="dot", encoding="utf-8") == drawing.source
    assert drawing.pipe("png")[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="pipe: format must be one of"):
        drawing.pipe("gif")


def test_view_renders_then_hands_the_file_to_the_system_viewer(tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(graph_drawing_module, "open_in_viewer",
                        lambda path, quiet=False: opened.append((path, quiet)))
    drawing = draw_graph(small_graph())
    path = drawing.view(tmp_path / "shown", quiet_view=True)
    assert path == tmp_path / "shown.svg" and opened == [(path, True)]
    assert path.read_bytes().startswith(b"<?xml")
    temporary = drawing.view()  # no name: a new temporary file
    assert temporary.suffix == ".svg" and temporary.is_file() and opened[-1] == (temporary, False)
    written = drawing.render(tmp_path / "then_view.svg", view=True)
    assert opened[-1] == (written, False)


def test_a_graph_past_the_default_limit_suggests_the_neuron_view():
    x = Value(0.5, "x")
    y = x
    for _ in range(DEFAULT_MAX_NODES):
        y = y * 1.0
    with pytest.raises(GraphTooLargeError) as info:
        draw_graph(y)
    message = str(info.value)
    assert f"{2 * DEFAULT_MAX_NODES + 1} values" in message
    assert "more than a minute" in message
    assert "draw_graph(root, modules=model, level='neuron')" in message
    assert "max_nodes=None" in message
    assert len(draw_graph(y, max_nodes=None, tooltips=False).node_ids) == 2 * DEFAULT_MAX_NODES + 1


def test_a_one_sample_2_16_16_1_network_draws_by_default():
    from nn import MLP, data, losses

    model = MLP(2, [16, 16, 1], seed=0)
    X, y = data.make_moons(2, noise=0.1, seed=0)
    loss = losses.hinge([model(X[0])[0]], data.signed(y)[:1])
    drawing = draw_graph(loss)  # what the stepper page draws for one sample
    assert 900 < len(drawing.node_ids) < DEFAULT_MAX_NODES
