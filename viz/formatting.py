"""The ledger as a table: plain text for the terminal, Markdown and LaTeX for worksheets.

Every cell goes through `viz.naming.plain_text` (no control character, escape code or
lone surrogate survives), then through its format's escaping: Markdown backslash-escapes
its punctuation (so `<script>` and `*x*` show as typed) and fences code spans with more
backticks than they hold, LaTeX escapes its specials, and rich gets Text objects, which
it never reads as markup.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from viz.ledger import LEDGER_HEADER, Ledger, backprop_steps
from viz.naming import plain_text

STYLES = ("text", "markdown", "latex")


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
    header, rows = _plain_rows(_as_ledger(root_or_ledger), digits)
    if style == "markdown":
        return _markdown(header, rows)
    if style == "latex":
        return _latex(header, rows)
    return _text(header, rows)


def _plain_rows(ledger: Ledger, digits: int) -> tuple[list[str], list[list[str]]]:
    rows = [[plain_text(cell) for cell in row] for row in ledger.rows(digits)]
    return list(LEDGER_HEADER), rows


def _text(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [header, ["-" * w for w in widths], *rows]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that can
# start emphasis, code, links, raw HTML, entities, strikethrough or a table cell.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>&|~!#^])")


def markdown_text(text: str) -> str:
    """A table cell's text for Markdown: shown literally, never as markup or HTML.

    Example:
        >>> print(markdown_text("<b>*x*</b> | a_1"))
        \\<b\\>\\*x\\*\\</b\\> \\| a\\_1
    """
    return _MARKDOWN_SPECIALS.sub(r"\\\1", plain_text(text))


def markdown_code(text: str) -> str:
    """A code span holding text exactly: fenced by more backticks than any run inside.

    Text with a `|` is written as escaped plain text instead, since a table would split a
    code span at it (and readers disagree on escaping it there); so is text with `<` or
    `>`, so that no tag ever stands unescaped in the Markdown, even for a reader that
    does not know code spans.

    Example:
        >>> print(markdown_code("a`b"), markdown_code("`x`"), markdown_code("a|b"))
        ``a`b`` `` `x` `` a\\|b
    """
    text = plain_text(text)
    if "|" in text or "<" in text or ">" in text:
        return markdown_text(text)
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    # One space inside each fence is dropped by the reader when both are there.
    both_spaced = text.startswith(" ") and text.endswith(" ") and text.strip(" ")
    pad = " " if text.startswith("`") or text.endswith("`") or both_spaced else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _markdown(header: list[str], rows: list[list[str]]) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    formula = header.index("local formula")
    cells = [
        [markdown_code(c) if i == formula and c else markdown_text(c) for i, c in enumerate(r)]
        for r in rows
    ]
    return "\n".join([line(header), line(["---"] * len(header)), *map(line, cells)])


_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
    "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}


def latex_text(text: str) -> str:
    r"""Text for a LaTeX table cell: plain_text, then every special character escaped.

    Example:
        >>> print(latex_text("50% of a_1 & {b}"))
        50\% of a\_1 \& \{b\}
    """
    return "".join(_LATEX_SPECIALS.get(ch, ch) for ch in plain_text(text))


def _latex(header: list[str], rows: list[list[str]]) -> str:
    body = [" & ".join(latex_text(c) for c in row) + r" \\" for row in rows]
    return "\n".join([
        r"\begin{tabular}{" + "l" * len(header) + "}",
        r"\hline",
        " & ".join(latex_text(c) for c in header) + r" \\",
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
    header, rows = _plain_rows(ledger, digits)
    file = sys.stdout if file is None else file
    try:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text
    except ImportError:
        print(_text(header, rows), file=file)
        return
    root = ledger.name(ledger.root)
    # Text objects, never str: rich would read "[bold]" or "[link=...]" in a label as markup.
    table = Table(
        title=Text(
            f"chain-rule ledger: upstream = d{root}/d(node), local = d(node)/d(parent),"
            " contribution = upstream * local"
        )
    )
    for i, name in enumerate(header):
        table.add_column(name, justify="right" if i in (2, 4, 6, 7) else "left")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    console = Console(file=file)
    if console.width < 110:
        console = Console(file=file, width=110)
    console.print(table)
