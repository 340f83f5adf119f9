"""DOT text, written directly: quoting, node and edge statements, and the graphviz import.

Every label reaches the DOT text through `viz.naming.plain_text` and then `quoted` (or
drawing's `record_field`), never as DOT or HTML-like markup.
"""

from __future__ import annotations

from typing import Any

from viz.naming import plain_text

EDGE = {"fontname": "Helvetica", "fontsize": "9", "arrowsize": "0.7"}


class MissingGraphvizError(ImportError):
    """The graphviz Python package (the `viz` extra) is not installed."""


def import_graphviz() -> Any:
    """Import the graphviz package, or raise MissingGraphvizError saying how to install it."""
    try:
        import graphviz
    except ImportError:
        raise MissingGraphvizError(
            "drawing graphs needs the graphviz Python package: pip install 'gradledger[viz]'"
        ) from None
    return graphviz


def quoted(text: str) -> str:
    """A DOT double-quoted string showing text literally (for labels that are not records).

    Each line goes through plain_text and DOT's escaping (& as &amp;, which graphviz
    reads back as &); newlines stay line breaks.
    """
    lines = (plain_text(line).replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")
             for line in str(text).split("\n"))
    return '"' + "\\n".join(lines) + '"'


def attr_text(attrs: dict[str, str]) -> str:
    return " ".join(f'{key}="{value}"' for key, value in attrs.items())


# Statements go straight into the Digraph's body, its documented list of lines: the
# graphviz package's node() and edge() re-quote every attribute with regular
# expressions, which made drawing a 100k-node graph several times slower. Our attribute
# values are fixed strings, and labels are escaped by record_field or quoted().
def add_node(graph: Any, name: str, label: str, attrs: dict[str, str]) -> None:
    graph.body.append(f"\t{name} [label={label} {attr_text(attrs)}]\n")


def add_edge(graph: Any, tail: str, head: str, attrs: dict[str, str], label: str = "") -> None:
    label = f"label={label} " if label else ""
    graph.body.append(f"\t{tail} -> {head} [{label}{attr_text(attrs)}]\n")
