"""format_steps: the ledger as a text, Markdown or LaTeX table; print_steps with rich."""

import io
import re

import pytest

from autograd import Value
from viz import backprop_steps, format_steps, print_steps


def tanh_of_product():
    x, w = Value(2.0, "x"), Value(-0.5, "w")
    p = x * w
    p.label = "p"
    y = p.tanh()
    y.label = "y"
    return y


# tanh(-1) = -0.761594..., 1 - tanh(-1)**2 = 0.419974...; then dp/dx = w, dp/dw = x.
EXPECTED_TEXT = """\
step  node  upstream  parent  local    local formula  contribution  parent grad
----  ----  --------  ------  -------  -------------  ------------  -----------
0     y     seed                                                    1.0000
1     y     1.0000    p       0.4200   1 - y**2       0.4200        0.4200
2     p     0.4200    x       -0.5000  w              -0.2100       -0.2100
                      w       2.0000   x              0.8399        0.8399"""


def test_text_table():
    assert format_steps(tanh_of_product()) == EXPECTED_TEXT


def test_markdown_table_keeps_formulas_as_code():
    lines = format_steps(tanh_of_product(), style="markdown").splitlines()
    assert lines[0] == (
        "| step | node | upstream | parent | local | local formula | contribution | parent grad |"
    )
    assert lines[1] == "| --- | --- | --- | --- | --- | --- | --- | --- |"
    assert lines[3] == "| 1 | y | 1.0000 | p | 0.4200 | `1 - y**2` | 0.4200 | 0.4200 |"
    assert len(lines) == 6


def test_latex_table_escapes_special_characters():
    a = Value(1.0, "a_1")
    b = a * 2
    b.label = "50%"
    latex = format_steps(b, style="latex")
    assert latex.startswith(r"\begin{tabular}{llllllll}")
    assert latex.rstrip().endswith(r"\end{tabular}")
    assert r"1 & 50\% & 1.0000 & a\_1 & 2.0000" in latex


def test_unknown_style_is_refused():
    with pytest.raises(ValueError, match="style must be one of"):
        format_steps(tanh_of_product(), style="html")


def test_a_ledger_can_be_passed_instead_of_the_root():
    y = tanh_of_product()
    assert format_steps(backprop_steps(y)) == EXPECTED_TEXT


def test_print_steps_prints_every_row():
    out = io.StringIO()
    print_steps(tanh_of_product(), file=out)
    text = out.getvalue()
    for number in ("0.4200", "-0.2100", "0.8399", "1 - y**2"):
        assert number in text


# Issue 15, defects 13 and 14: labels are text in every format, never markup or escapes.


def labelled(*labels):
    """y = tanh(a * b) with the given labels for a, b and y."""
    a, b = Value(2.0, labels[0]), Value(-0.5, labels[1])
    y = (a * b).tanh()
    y.label = labels[2]
    return y


def rich_output(root, monkeypatch, width=400):
    monkeypatch.setenv("COLUMNS", str(width))  # one line per row: no wrapping to undo
    out = io.StringIO()
    print_steps(root, file=out)
    return out.getvalue()


def test_rich_shows_markup_in_labels_as_typed(monkeypatch):
    pytest.importorskip("rich")  # print_steps falls back to plain text without it
    y = labelled("[bold red]x[/]", "[link=https://example.com]w[/link]", "[/]")
    text = rich_output(y, monkeypatch)  # "[/]" used to raise rich's MarkupError
    assert "[bold red]x[/]" in text
    assert "[link=https://example.com]w[/link]" in text
    assert "\x1b" not in text  # no styling and no OSC 8 hyperlink


def test_rich_shows_emoji_codes_as_typed(monkeypatch):
    pytest.importorskip("rich")
    text = rich_output(labelled(":smile:", "w", "y"), monkeypatch)
    assert ":smile:" in text


def test_rich_on_a_terminal_styles_nothing_from_a_label(monkeypatch):
    pytest.importorskip("rich")
    from rich.console import Console

    out = io.StringIO()
    monkeypatch.setattr(Console, "is_terminal", property(lambda self: True))
    monkeypatch.setenv("COLUMNS", "400")
    print_steps(labelled("[bold red]x[/]", "\x1b[31mw", "y"), file=out)
    text = out.getvalue()
    assert "[bold red]x[/]" in text and "\\x1b[31mw" in text
    assert "\x1b[31mw" not in text and "\x1b]8;" not in text


NASTY = ["a\x1b[31mred\x1b[0m", "n\x00ul\rcr", "two\nlines", "<script>alert(1)</script>",
         "<img src=x onerror=alert(1)>", "b`ack`tick", "pi|pe", "\u202eevil"]


@pytest.mark.parametrize("label", NASTY)
def test_text_table_has_no_control_characters_and_keeps_its_rows(label):
    y = labelled(label, "w", "y")
    text = format_steps(y)
    assert all(ch == "\n" or ch >= " " and ch != "\x7f" for ch in text)
    assert len(text.splitlines()) == 2 + 1 + 1 + 2  # header, rule, seed, 2 steps, 2nd edge
    assert "\u202e" not in text


def test_text_table_shows_escapes_readably():
    text = format_steps(labelled("a\x1b[31m", "n\x00\r", "two\nlines"))
    assert "a\\x1b[31m" in text and "n\\x00\\r" in text and "two\\nlines" in text


@pytest.mark.parametrize("label", NASTY)
def test_markdown_shows_labels_as_typed_and_keeps_its_rows(label):
    from markdown_it import MarkdownIt

    y = labelled(label, "w", "y")
    markdown = format_steps(y, style="markdown")
    assert len(markdown.splitlines()) == 6
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert "<script" not in html and "<img" not in html
    assert html.count("<tr>") == 5
    assert all(row.count("<td>") + row.count("<th>") == 8 for row in html.split("<tr>")[1:])


def test_markdown_keeps_raw_html_out_and_fences_backticks():
    y = labelled("<script>x</script>", "<img src=x onerror=alert(1)>", "c`d")
    markdown = format_steps(y, style="markdown")
    assert not re.search(r"(?<!\\)[<>]", markdown)  # every < and > is escaped
    assert "\\<script\\>x\\</script\\>" in markdown
    assert "``1 - (c`d)**2``" in markdown  # the formula keeps the backtick, fenced by two


def test_latex_escapes_everything_a_label_can_hold():
    y = labelled("a\\b&c%d$e#f_g{h}i~j^k<l>m|n", "\x1b[1m", "y")
    latex = format_steps(y, style="latex")
    assert (r"a\textbackslash{}b\&c\%d\$e\#f\_g\{h\}i\textasciitilde{}j\textasciicircum{}k"
            r"\textless{}l\textgreater{}m\textbar{}n") in latex
    assert "\x1b" not in latex and r"\textbackslash{}x1b[1m" in latex
