"""format_steps: the ledger as a text, Markdown or LaTeX table; print_steps with rich."""

import io

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
