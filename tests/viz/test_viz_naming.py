"""node_names: labels, constants and %k names never collide; DOT labels survive any text."""

import math

import pytest

from autograd import Value, topological_order
from viz import draw_graph, explain
from viz.drawing import quoted, record_field
from viz.naming import node_names
from viz.rendering import render_source


def names_by_node(root):
    return node_names(topological_order(root))


def test_automatic_names_skip_the_percent_names_users_chose():
    x = Value(1.0, "%1")
    a = x * x  # unlabelled: must not be called %1 too
    b = a.exp()  # unlabelled
    names = names_by_node(b)
    assert names[id(x)] == "%1"
    assert names[id(a)] == "%2" and names[id(b)] == "%3"
    assert len(set(names.values())) == 3


def test_constants_that_round_alike_get_names_that_differ():
    x = Value(1.0, "x")
    two, nearly_two = Value(2.0), Value(2.0000001)
    y = x * two + nearly_two
    names = names_by_node(y)
    assert names[id(two)] == "2"
    assert names[id(nearly_two)] == "2.0000001"


def test_short_constants_keep_their_short_names():
    x = Value(1.0, "x")
    half, big, tiny = Value(0.5), Value(1e300), Value(-2.5e-07)
    y = (x + half) * big + tiny
    names = names_by_node(y)
    assert [names[id(v)] for v in (half, big, tiny)] == ["0.5", "1e+300", "-2.5e-07"]
    third = Value(1 / 3)
    names = names_by_node(x * third)
    assert names[id(third)] == "0.3333333333333333"


def test_explain_tells_apart_constants_that_round_alike():
    x = Value(1.0, "x")
    y = x * 2.0 + x * 2.0000001
    y.label = "y"
    text = str(explain(y, x))
    assert "y -> %1 -> x : 1.0000 * 2.0000 = 2.0000" in text
    assert "y -> %2 -> x : 1.0000 * 2.0000 = 2.0000" in text
    assert sorted(names_by_node(y).values()) == ["%1", "%2", "2", "2.0000001", "x", "y"]


def test_control_characters_in_labels_are_shown_escaped():
    assert record_field("a\x00b\x1bc") == "a\\\\x00b\\\\x1bc"
    assert quoted("tab\there") == '"tab\\\\there"'
    assert quoted("two\nlines") == '"two\\nlines"'  # a newline stays a DOT line break


def test_a_label_with_control_characters_renders():
    x = Value(2.0, "a\x00b")
    y = (x * x).tanh()
    y.label = "y\x07"
    source = draw_graph(y, title="t\x01").source
    assert "\x00" not in source and "\x07" not in source and "\x01" not in source
    svg = render_source(source, "svg").decode("utf-8")
    assert "a\\x00b" in svg and "y\\x07" in svg


# Issue 15, defect 15: a lone surrogate in a label used to raise UnicodeEncodeError.


def test_plain_text_escapes_what_cannot_be_shown_and_is_idempotent():
    from viz.naming import plain_text

    nasty = "a\x00b\x1b[31mc\rd\ne\tf\x7fg\x85h\ud800i\udcffj\u2028k\u202el\u2066m"
    shown = plain_text(nasty)
    assert shown == ("a\\x00b\\x1b[31mc\\rd\\ne\\tf\\x7fg\\x85h\\ud800i\\udcffj\\u2028k"
                     "\\u202el\\u2066m")
    assert plain_text(shown) == shown
    shown.encode("utf-8")  # no lone surrogate left
    assert plain_text("café ∂y/∂x 😀 ℌ") == "café ∂y/∂x 😀 ℌ"


def test_a_lone_surrogate_renders_and_steps(tmp_path):
    from viz import render, stepper_html

    x = Value(2.0, "x\ud800")
    y = (x * x).tanh()
    y.label = "y\udcff"
    svg = render(y, tmp_path / "g.svg").read_text(encoding="utf-8")
    assert "x\\ud800" in svg and "y\\udcff" in svg
    page = stepper_html(y, tmp_path / "p.html", title="t\ud800").read_text(encoding="utf-8")
    assert "<title>t\\ud800</title>" in page
    assert "\\\\ud800" in page  # the name in the script's JSON: backslash, then ud800
    dot = draw_graph(y, title="\ud800").source
    dot.encode("utf-8")


def test_expressions_are_infix_with_parentheses_only_where_python_needs_them():
    import autograd
    from viz.naming import expression_texts, infix_text

    x, y = Value(2.0, "x"), Value(3.0, "y")
    cases = {
        "-(x + y)": -(x + y), "-x**2": -(x**2), "(-x)**2": (-x) ** 2,
        "x - (y - x)": x - (y - x), "x - y - x": (x - y) - x, "x / (y * x)": x / (y * x),
        "x**y**x": x ** (y**x), "(x**y)**x": (x**y) ** x, "clip(x, 0, 1)": autograd.clip(x, 0, 1),
        "x * (-2)": x * -2, "(x + y)**-1": (x + y) ** -1, "2**x": 2**x,
        "tanh(x) * (y + 1)": x.tanh() * (y + 1),
    }
    for text, node in cases.items():
        order = topological_order(node)
        assert expression_texts(order, node_names(order))[id(node)] == text
        # Each text is Python that computes the same number from the leaves.
        assert eval(text, {"tanh": math.tanh, "clip": lambda v, lo, hi: min(max(v, lo), hi)},
                    {"x": 2.0, "y": 3.0}) == pytest.approx(node.data)
    z = x * y + 1
    names = names_by_node(z)
    assert infix_text(z, names) == "%1 + 1" and infix_text(x, names) == "x"


def test_long_parts_of_an_expression_are_written_as_their_names():
    from viz.naming import expression_texts

    x = Value(1.0, "x")
    y = x
    for _ in range(100_000):  # no recursion, and no text grows past the bound
        y = y + x
    order = topological_order(y)
    texts = expression_texts(order, node_names(order), max_length=40)
    assert max(len(text) for text in texts.values()) <= 2 * 40 + 10
    assert texts[id(order[2])] == "x + x + x"
    assert texts[id(y)] == "%99991" + " + x" * 9  # %99991 is named: its text was too long
