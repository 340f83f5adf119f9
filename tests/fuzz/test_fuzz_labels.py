"""Fuzzing labels through every output (issue 15): text, Markdown, LaTeX, rich, DOT, HTML.

Labels and titles are drawn from all of Unicode (control characters, lone surrogates,
bidi overrides, line separators included) mixed with pieces that mean something to one
of the formats: terminal escapes, rich markup, Markdown and HTML, LaTeX specials, DOT
quoting and HTML-like labels, the stepper's own placeholders. Each output is read back
with a reader of its format (markdown-it, an HTML parser, the real renderer's SVG, rich)
and must show every label as viz.naming.plain_text shows it, with no markup, no control
character, and the structure (rows, cells, nodes, one script) unchanged.

Example counts follow the hypothesis profile (tests/conftest.py): twice its count, so
80 by default (seconds in all) and 600 with HYPOTHESIS_PROFILE=dev.
"""

import html
import io
import json
import re
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from autograd import Value
from viz import backprop_steps, draw_graph, format_steps, print_steps, render_steps
from viz.naming import plain_text
from viz.rendering import render_source
from viz.stepper import stepper_page

EXAMPLES = settings.default.max_examples
FUZZ = settings(max_examples=EXAMPLES * 2, suppress_health_check=[HealthCheck.too_slow])

PIECES = [
    "\x1b[31m", "\x1b]8;;http://x\x07", "\x00", "\r", "\n", "\t", "\x7f", "\x85", "\ud800",
    "\udfff", "\u2028", "\u202e", "\u2066", "\ufeff", "[bold]", "[/]", "[link=http://x]",
    ":smile:", "`", "``", "|", "\\", "<script>", "</script>", "<img src=x onerror=alert(1)>",
    "&amp;", "&", "*", "_", "#", "~", "^", "%", "$", "{", "}", "\"", "'", "<", ">", "{{SVG}}",
    "{{LEDGER_JS}}", "{{TITLE}}", "]; x [label=<b>]", "\\N", "\\G", "\\l", "-->", "<!--",
    "]]>", "$$", "\\begin{x}", "x", "é", "∂", "😀", " ", "%1",
]
labels = st.lists(
    st.sampled_from(PIECES) | st.characters(codec=None, exclude_categories=()),
    max_size=6,
).map("".join)


def graph(a_label, b_label, product_label, root_label):
    """y = tanh(a * b) + a: a reaches the root twice, so its name is in four rows."""
    a, b = Value(2.0, a_label), Value(-0.5, b_label)
    p = a * b
    p.label = product_label
    y = p.tanh() + a
    y.label = root_label
    return y


graphs = st.tuples(labels, labels, labels, labels).map(lambda t: graph(*t))


def expected_rows(root):
    """The ledger's (node, parent, formula) cells as plain_text shows them."""
    ledger = backprop_steps(root)
    rows = [(ledger.name(root), "", "")]
    for step in ledger.steps:
        for edge in step.edges:
            node = ledger.name(step.node) if edge.index == 0 else ""
            rows.append((node, ledger.name(edge.parent), ledger.formula_in_names(step, edge)))
    return rows


def clean(text, layout="\n"):
    """True if text encodes as UTF-8 and holds no control character but those in layout
    (the format's own newlines, and tabs in DOT)."""
    text.encode("utf-8")
    for char in layout:
        text = text.replace(char, "")
    return not re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]", text)


@FUZZ
@given(graphs)
def test_labels_are_shown_as_plain_text_in_the_text_table(root):
    text = format_steps(root)
    assert clean(text)
    rows = expected_rows(root)
    lines = text.split("\n")
    assert len(lines) == 2 + len(rows)
    for line, (node, parent, formula) in zip(lines[2:], rows, strict=True):
        for cell in (node, parent, formula):
            assert cell in line


class _Cells(HTMLParser):
    """The tags and each table cell's text of markdown-it's HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.rows, self._cell = [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


@FUZZ
@given(graphs)
def test_labels_are_shown_as_typed_in_markdown(root):
    markdown = format_steps(root, style="markdown")
    assert clean(markdown)
    assert not re.search(r"(?<!\\)[<>]", markdown.replace("\\\\", ""))  # no tag, ever
    parser = _Cells()
    parser.feed(MarkdownIt("commonmark").enable("table").render(markdown))
    assert {tag for tag, _ in parser.tags} <= {"table", "thead", "tbody", "tr", "th", "td",
                                                "code"}
    assert all(attrs == [] for _, attrs in parser.tags)
    rows = expected_rows(root)
    assert len(parser.rows) == 1 + len(rows)
    assert all(len(row) == 8 for row in parser.rows)
    for cells, (node, parent, formula) in zip(parser.rows[1:], rows, strict=True):
        assert (cells[1], cells[3], cells[5]) == (node.strip(), parent.strip(), formula.strip())


_LATEX_TOKEN = re.compile(
    r"\\textbackslash\{\}|\\textasciitilde\{\}|\\textasciicircum\{\}|\\textless\{\}"
    r"|\\textgreater\{\}|\\textbar\{\}|\\[&%$#_{}]|[^\\&%$#_{}~^<>|]"
)
_LATEX_MEANING = {
    r"\textbackslash{}": "\\", r"\textasciitilde{}": "~", r"\textasciicircum{}": "^",
    r"\textless{}": "<", r"\textgreater{}": ">", r"\textbar{}": "|",
}


def latex_cell_text(cell):
    tokens = _LATEX_TOKEN.findall(cell)
    assert "".join(tokens) == cell, f"an unescaped special character in {cell!r}"
    return "".join(_LATEX_MEANING.get(t, t[-1] if t.startswith("\\") else t) for t in tokens)


@FUZZ
@given(graphs)
def test_labels_are_escaped_in_latex(root):
    latex = format_steps(root, style="latex")
    assert clean(latex)
    lines = latex.split("\n")
    rows = expected_rows(root)
    body = lines[4:-2]
    assert len(body) == len(rows)
    for line, (node, parent, formula) in zip(body, rows, strict=True):
        assert line.endswith(r" \\")
        cells = line[: -len(r" \\")].split(" & ")  # a cell's own & is always \&
        assert len(cells) == 8
        assert [latex_cell_text(cells[i]) for i in (1, 3, 5)] == [node, parent, formula]


@FUZZ
@given(graphs)
def test_labels_are_never_markup_in_rich(root):
    import os

    out = io.StringIO()
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "2000"  # one line per row
    try:
        print_steps(root, file=out)  # raised MarkupError for "[/]" before
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old
    text = out.getvalue()
    assert clean(text)
    for node, parent, formula in expected_rows(root):
        for cell in (node, parent, formula):
            assert cell.strip() in text


def svg_nodes(svg):
    root = ElementTree.fromstring(svg)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    nodes = root.findall(".//svg:g[@class='node']", ns)
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    return {g.get("id") for g in nodes}, texts


@FUZZ
@given(graphs, labels, st.booleans())
def test_labels_and_titles_stay_labels_in_dot_and_svg(root, title, formulas):
    drawing = draw_graph(root, title=title, formulas=formulas)
    source = drawing.source
    assert clean(source, "\n\t")
    outside_strings = re.sub(r'"(?:[^"\\]|\\.)*"', '""', source)
    assert "<" not in outside_strings  # no HTML-like label, no statement from a label
    statements = [line for line in outside_strings.split("\n")[1:-2] if line]
    assert all(re.fullmatch(r'\t(graph|node|edge) \[.*\]|\t\w+ \[.*\]|\t\w+ -> \w+ \[.*\]', s)
               for s in statements), statements
    ids, texts = svg_nodes(render_source(source, "svg").decode("utf-8"))
    assert ids == set(drawing.node_ids.values()) | {f"{v}_op" for v in drawing.node_ids.values()
                                                    if f'\t{v}_op [' in source}
    shown = " ".join(texts)
    for name in backprop_steps(root).names.values():
        assert all(word in shown for word in name.split())  # record fields lose edge spaces


@FUZZ
@given(graphs, labels)
def test_the_stepper_page_keeps_one_script_and_shows_labels_as_text(root, title):
    page = stepper_page(root, title=title or None)
    page.encode("utf-8")

    class Tags(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.tags, self.title, self._in_title = [], "", False

        def handle_starttag(self, tag, attrs):
            self.tags.append((tag, dict(attrs)))
            self._in_title = tag == "title" and not self.title  # the page's, not the SVG's

        def handle_endtag(self, tag):
            self._in_title = False

        def handle_data(self, data):
            if self._in_title:
                self.title += data

    tags = Tags()
    tags.feed(page)
    names = [tag for tag, _ in tags.tags]
    assert names.count("script") == 1 and "img" not in names and "iframe" not in names
    assert not any(key.startswith("on") for _, attrs in tags.tags for key in attrs)
    assert all(not (attrs.get("href") or "").startswith(("http", "javascript", "//"))
               for _, attrs in tags.tags)
    if title:
        assert tags.title == plain_text(title)
    literal = re.search(r"const LEDGER = (\{.*?\});\n", page).group(1)
    assert not re.search("[<>&]", literal)
    data = json.loads(literal)
    ledger = backprop_steps(root)
    assert [node["name"] for node in data["nodes"]] == [ledger.name(n) for n in ledger.order]
    svg = page[page.index("<svg"):page.index("</svg>") + len("</svg>")]
    ElementTree.fromstring(svg)  # the inlined picture is well-formed XML
    assert html.unescape(svg).count("{{LEDGER_JS}}") == sum(
        ledger.name(n).count("{{LEDGER_JS}}") for n in ledger.order)


@FUZZ
@given(graphs)
def test_frame_captions_are_labels_too(root):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        paths = render_steps(root, folder, fmt="dot")
        for path in paths:
            source = path.read_text(encoding="utf-8")
            assert clean(source, "\n\t")
            # The caption is the one HTML-like label: a fixed table whose cell holds the
            # text, escaped, with <BR/> between lines and no other markup.
            cells = re.findall(r'<TD [^>]*>(.*?)</TD></TR></TABLE>>', source)
            assert len(cells) == 1
            assert not re.search("[<>]", cells[0].replace("<BR/>", ""))
            rest = re.sub(r'label=<<TABLE .*?</TABLE>>', "label=x", source)
            assert "<" not in re.sub(r'"(?:[^"\\]|\\.)*"', '""', rest)
