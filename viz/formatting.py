"""The ledger as a table: plain text for the terminal, Markdown and LaTeX for worksheets."""

from __future__ import annotations

import sys
from typing import Any

from viz.ledger import Ledger, backprop_steps
from viz.number_format import format_number

STYLES = ("text", "markdown", "latex")


def ledger_rows(ledger: Ledger, digits: int = 4) -> tuple[list[str], list[list[str]]]:
    """The table's header and rows: one row per edge, the node's cells only on its first row."""
    header = [
        "step", "node", "upstream", "parent", "local", "local formula", "contribution",
        "parent grad",
    ]
    seed = format_number(ledger.seed, digits)
    rows = [["0", ledger.name(ledger.root), "seed", "", "", "", "", seed]]
    for number, step in enumerate(ledger.steps, start=1):
        for edge in step.edges:
            first = edge.index == 0
            rows.append([
                str(number) if first else "",
                ledger.name(step.node) if first else "",
                format_number(step.upstream, digits) if first else "",
                ledger.name(edge.parent),
                format_number(edge.local, digits),
                ledger.formula_in_names(step, edge),
                format_number(edge.contribution, digits),
                format_number(edge.parent_grad, digits),
            ])
    return header, rows


def _as_ledger(root_or_ledger: Any) -> Ledger:
    return root_or_ledger if isinstance(root_or_ledger, Ledger) else backprop_steps(root_or_ledger)


def format_steps(root_or_ledger: Any, style: str = "text", digits: int = 4) -> str:
    """The chain-rule ledger of a backward pass as a table.

    One row per edge: the node whose step it is, the gradient flowing into it from the
    root, the parent, the local derivative (value and formula in node names), the
    contribution (upstream * local) and the parent's gradient after adding it.
    `style` is "text" (aligned columns), "markdown" or "latex" (a tabular for worksheets).

    Example:
        >>> from autograd import Value
        >>> x = Value(2.0, "x")
        >>> y = x.tanh()
        >>> y.label = "y"
        >>> print(format_steps(y))
        step  node  upstream  parent  local   local formula  contribution  parent grad
        ----  ----  --------  ------  ------  -------------  ------------  -----------
        0     y     seed                                                   1.0000
        1     y     1.0000    x       0.0707  1 - y**2       0.0707        0.0707
    """
    if style not in STYLES:
        raise ValueError(f"format_steps: style must be one of {STYLES}, got {style!r}")
    header, rows = ledger_rows(_as_ledger(root_or_ledger), digits)
    if style == "markdown":
        return _markdown(header, rows)
    if style == "latex":
        return _latex(header, rows)
    return _text(header, rows)


def _text(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [header, ["-" * w for w in widths], *rows]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def _markdown(header: list[str], rows: list[list[str]]) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    formula = header.index("local formula")
    code = [[f"`{c}`" if i == formula and c else c for i, c in enumerate(r)] for r in rows]
    return "\n".join([line(header), line(["---"] * len(header)), *map(line, code)])


_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
    "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}


def _latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIALS.get(ch, ch) for ch in text)


def _latex(header: list[str], rows: list[list[str]]) -> str:
    body = [" & ".join(_latex_escape(c) for c in row) + r" \\" for row in rows]
    return "\n".join([
        r"\begin{tabular}{" + "l" * len(header) + "}",
        r"\hline",
        " & ".join(_latex_escape(c) for c in header) + r" \\",
        r"\hline",
        *body,
        r"\hline",
        r"\end{tabular}",
    ])


def print_steps(root_or_ledger: Any, digits: int = 4, file: Any = None) -> None:
    """Print the ledger table, with rich's styling when rich is installed.

    Example:
        >>> from autograd import Value
        >>> x = Value(2.0, "x")
        >>> import io
        >>> buffer = io.StringIO()
        >>> print_steps(x.exp(), file=buffer)
        >>> "7.3891" in buffer.getvalue()  # d exp(x) / dx = exp(2)
        True
    """
    ledger = _as_ledger(root_or_ledger)
    header, rows = ledger_rows(ledger, digits)
    file = sys.stdout if file is None else file
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        print(_text(header, rows), file=file)
        return
    root = ledger.name(ledger.root)
    table = Table(
        title=f"chain-rule ledger: upstream = d{root}/d(node), local = d(node)/d(parent),"
        " contribution = upstream * local"
    )
    for i, name in enumerate(header):
        table.add_column(name, justify="right" if i in (2, 4, 6, 7) else "left")
    for row in rows:
        table.add_row(*row)
    console = Console(file=file)
    if console.width < 110:
        console = Console(file=file, width=110)
    console.print(table)
