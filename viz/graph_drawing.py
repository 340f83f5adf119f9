"""GraphDrawing: a drawn graph's DOT text, with render, pipe, view and Jupyter's SVG display."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from viz.dot import import_graphviz
from viz.rendering import FORMATS, render_source, write_graph


class GraphDrawing:
    """A drawn graph: `.source` is the DOT text; `.render`, `.pipe` and `.view` as graphviz's.

    In Jupyter the drawing displays itself as SVG. `.graph` is the graphviz.Digraph.
    `render(filename, format=...)`, `pipe(format)` and `view()` take graphviz.Digraph's
    arguments; the renderer is the system `dot` when on PATH, else graphviz-pure.

    Example:
        >>> from autograd import Value
        >>> from viz import draw_graph
        >>> x = Value(2.0, "x")
        >>> drawing = draw_graph((x * x).tanh())
        >>> drawing.source.startswith("digraph")
        True
        >>> drawing.pipe("svg")[:5], drawing.render("out/doctest_tanh", format="svg").name
        (b'<?xml', 'doctest_tanh.svg')
    """

    def __init__(self, graph: Any, node_ids: dict[int, str], copies: int = 0,
                 boxes: dict[int, str] | None = None) -> None:
        self.graph = graph
        self.node_ids = node_ids
        self.copies = copies  # edges drawn from a copy of their value (see max_edge_span)
        self.boxes = boxes or {}  # id(node) -> the collapsed module box it is folded into

    @property
    def source(self) -> str:
        """The DOT text."""
        return self.graph.source

    def render(self, filename: str | os.PathLike | None = None,
               directory: str | os.PathLike | None = None, view: bool = False,
               cleanup: bool = False, format: str | None = None, renderer: str = "auto", *,
               outfile: str | os.PathLike | None = None, fmt: str | None = None,
               quiet_view: bool = False) -> Path:
        """Write the drawing to a file and return its path; `view=True` then opens it.

        As graphviz.Digraph.render: `render("graph", format="png")` writes graph.png
        (a filename that already ends in the format's suffix is kept as it is);
        `directory` goes in front of filename; `outfile="graph.svg"` names the output
        itself. Without `format` the suffix picks svg, png, pdf or dot; `fmt` writes
        exactly `filename` in that format, whatever its suffix. Unlike graphviz no
        separate DOT source file is written, so `cleanup` has nothing to remove (write a
        .dot file for the source).
        `renderer` is "auto", "dot" or "graphviz-pure".
        """
        if fmt is not None and format is not None:
            raise ValueError("render: give format= (graphviz's naming) or fmt=, not both")
        if (filename is None) == (outfile is None):
            raise ValueError("render: give a filename or an outfile (one of them)")
        path = Path(outfile if outfile is not None else filename)
        if directory is not None:
            path = Path(directory) / path
        if format is not None and FORMATS.get(path.suffix.lower()) != format:
            if format not in FORMATS.values():
                raise ValueError(f"render: format must be one of svg, png, pdf, dot; "
                                 f"got {format!r}")
            path = path.with_name(f"{path.name}.{format}")
        written = write_graph(self.source, path, renderer, format or fmt)
        if view:
            open_in_viewer(written, quiet_view)
        return written

    def pipe(self, format: str = "svg", renderer: str = "auto", *,
             encoding: str | None = None) -> bytes | str:
        """The drawing as bytes in `format` ("svg", "png", "pdf" or "dot"), as graphviz's pipe.

        With `encoding` (e.g. "utf-8") the result is decoded to text.
        """
        if format not in FORMATS.values():
            raise ValueError(f"pipe: format must be one of svg, png, pdf, dot; got {format!r}")
        if format == "dot":
            data = self.source.encode("utf-8")
        else:
            data = render_source(self.source, format, renderer)
        return data.decode(encoding) if encoding is not None else data

    def view(self, filename: str | os.PathLike | None = None,
             directory: str | os.PathLike | None = None, cleanup: bool = False,
             quiet: bool = False, quiet_view: bool = False, *, format: str = "svg",
             renderer: str = "auto") -> Path:
        """Render to a file (a new temporary one unless `filename` is given) and open it
        with the system's viewer, as graphviz.Digraph.view; returns the file's path.

        `quiet_view` hides the viewer's error output; `cleanup` and `quiet` are accepted
        as graphviz accepts them (no source file is written, the renderer is quiet).
        """
        if filename is None and directory is None:
            directory = tempfile.mkdtemp(prefix="gradledger-")
        return self.render(filename or "graph", directory, view=True, format=format,
                           renderer=renderer, quiet_view=quiet_view)

    def svg(self, renderer: str = "auto") -> str:
        """The drawing rendered as SVG text."""
        return render_source(self.source, "svg", renderer).decode("utf-8")

    def _repr_svg_(self) -> str:
        return self.svg()

    def __repr__(self) -> str:
        return f"<GraphDrawing of {len(self.node_ids)} values; .source has the DOT text>"


def open_in_viewer(path: str | os.PathLike, quiet: bool = False) -> None:
    """Open a file with the system's viewer (xdg-open, open or startfile), via graphviz.view."""
    import_graphviz().view(os.fspath(path), quiet=quiet)
