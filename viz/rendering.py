"""Turning DOT text into SVG or PNG: the system `dot` if on PATH, else graphviz-pure.

graphviz-pure (a package on the package index) installs a self-contained port of `dot`
named `graphviz-pure` into the environment's scripts folder, so rendering works after a
plain `pip install` without root or system packages. It writes svg and png, not pdf.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from autograd.files import check_target, write_file

RENDERERS = ("auto", "dot", "graphviz-pure")
FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}
NEEDS_SYSTEM_DOT = {"pdf"}


class RendererNotFoundError(RuntimeError):
    """Neither the system `dot` nor graphviz-pure can be found."""


class RenderError(RuntimeError):
    """The renderer ran but failed (its first error line is in the message)."""


@dataclass(frozen=True)
class Renderer:
    """A dot-compatible program: its name ("dot" or "graphviz-pure") and executable path."""

    name: str
    executable: str


def graphviz_pure_executable() -> str | None:
    """Path of the `graphviz-pure` program installed by the graphviz-pure package, or None."""
    try:
        files = metadata.distribution("graphviz-pure").files or []
    except metadata.PackageNotFoundError:
        files = []
    for file in files:
        if Path(str(file)).stem == "graphviz-pure":
            path = Path(str(file.locate())).resolve()
            if path.is_file() and os.access(path, os.X_OK):
                return str(path)
    scripts = Path(sysconfig.get_path("scripts"))
    for candidate in (scripts / "graphviz-pure", scripts / "graphviz-pure.exe"):
        if candidate.is_file():
            return str(candidate)
    return shutil.which("graphviz-pure")


def find_renderer(prefer: str = "auto") -> Renderer:
    """The renderer to use: `prefer` is "auto" (system dot first), "dot" or "graphviz-pure".

    Example:
        >>> find_renderer().name in ("dot", "graphviz-pure")
        True
    """
    if prefer not in RENDERERS:
        raise ValueError(f"renderer must be one of {RENDERERS}, got {prefer!r}")
    if prefer in ("auto", "dot"):
        dot = shutil.which("dot")
        if dot:
            return Renderer("dot", dot)
        if prefer == "dot":
            raise RendererNotFoundError(
                "renderer='dot' asked for, but no `dot` program is on PATH; install Graphviz "
                "or use renderer='graphviz-pure' (pip install graphviz-pure)"
            )
    pure = graphviz_pure_executable()
    if pure:
        return Renderer("graphviz-pure", pure)
    raise RendererNotFoundError(
        "no graph renderer found: neither `dot` (Graphviz) on PATH nor the graphviz-pure "
        "package; run: pip install 'gradledger[viz]'"
    )


def render_source(source: str, fmt: str = "svg", renderer: str = "auto") -> bytes:
    """Run the renderer on DOT text and return the output bytes in format `fmt`.

    Example:
        >>> render_source("digraph { a -> b }")[:5]
        b'<?xml'
    """
    program = find_renderer(renderer)
    if fmt in NEEDS_SYSTEM_DOT and program.name != "dot":
        raise RendererNotFoundError(
            f"{fmt} output needs the system Graphviz `dot` (graphviz-pure writes svg and png); "
            "install Graphviz or write .svg or .png"
        )
    result = subprocess.run(
        [program.executable, f"-T{fmt}"], input=source.encode("utf-8", "backslashreplace"),
        capture_output=True,
    )
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        first = message[0] if message else f"exit status {result.returncode}"
        raise RenderError(f"{program.name} failed to render {fmt}: {first}")
    return result.stdout


def format_for_path(path: str | os.PathLike) -> str:
    """The output format named by a file's suffix (.svg, .png, .pdf, .dot or .gv)."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"cannot tell the format of {str(path)!r}: use one of {', '.join(FORMATS)}"
        )
    return FORMATS[suffix]


def write_graph(source: str, path: str | os.PathLike, renderer: str = "auto",
                fmt: str | None = None) -> Path:
    """Write DOT text to path as .svg, .png, .pdf or .dot; `fmt` overrides the suffix.

    A .dot file is the DOT text itself and needs no renderer; .svg and .png use the
    system `dot` when it is on PATH, else graphviz-pure; .pdf needs the system `dot`.
    The file is written by `autograd.files.write_file` (a device, FIFO or directory
    is refused, a link written through, an existing file's mode kept). Returns the
    written path.

    Example:
        >>> write_graph("digraph { x -> y }", "out/doctest_graph.dot").name
        'doctest_graph.dot'
    """
    fmt = fmt or format_for_path(path)
    if fmt not in FORMATS.values():
        raise ValueError(f"render: fmt must be one of svg, png, pdf, dot; got {fmt!r}")
    check_target(path)  # refuse a device or FIFO before the work of rendering
    if fmt == "dot":
        data = source.encode("utf-8")
    else:
        data = render_source(source, fmt, renderer)
    return write_file(path, data)
