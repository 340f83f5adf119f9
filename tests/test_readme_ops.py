"""The README's op list is the op table: a row added to the table must appear there too."""

import re
from pathlib import Path

from autograd import ops

README = Path(__file__).resolve().parent.parent / "README.md"
START = (
    "<!-- op table: generated from autograd.ops.ROWS; tests/test_readme_ops.py keeps it equal -->"
)
END = "<!-- end of op table -->"


def _call(row):
    inputs = ["x", "y"][: row.arity]
    padded = (None,) * (len(row.parameters) - len(row.defaults)) + tuple(row.defaults)
    parameters = [
        name if default is None else f"{name}={ops.number_text(default)}"
        for name, default in zip(row.parameters, padded, strict=True)
    ]
    return f"{row.name}({', '.join(inputs + parameters)})"


def _formulas(row):
    if row.parameters:
        sample = row.bind(*row.samples[0])
        names = ", ".join(f"{p}={ops.number_text(v)}" for p, v in zip(row.parameters,
                                                                       sample.bound, strict=True))
        texts = sample.formulas
        return "; ".join(f"`{t}`" for t in texts) + f" (at {names})"
    return "; ".join(f"`{t}`" for t in row.formulas)


def expected_lines():
    """The op table as markdown: call, also-called, derivative per input, doc and kink."""
    lines = [
        "| op | also | d/d input (formula text) | what it is; at a kink |",
        "|---|---|---|---|",
    ]
    for row in ops.ROWS:
        also = ", ".join([f"`{d}`" for d in row.dunders] + [f"`{a}`" for a in row.aliases])
        note = row.doc + (f" At a kink: {row.kink}." if row.kink else "")
        lines.append(f"| `{_call(row)}` | {also} | {_formulas(row)} | {note} |")
    return lines


def test_the_readme_lists_every_op_of_the_table():
    text = README.read_text()
    assert START in text and END in text, f"the README needs the markers {START!r} ... {END!r}"
    listed = text.split(START, 1)[1].split(END, 1)[0].strip().splitlines()
    expected = expected_lines()
    assert listed == expected, "replace the README's op table with:\n" + "\n".join(expected)


def test_the_table_names_every_row_once():
    text = README.read_text().split(START, 1)[1].split(END, 1)[0]
    names = re.findall(r"^\| `(\w+)\(", text, flags=re.MULTILINE)
    assert names == [row.name for row in ops.ROWS]
