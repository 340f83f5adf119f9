"""draw_graph: DOT snapshot (hand-written fixture), determinism, structure, highlighting."""

import math
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value
from viz import GraphTooLargeError, draw_graph
from viz.drawing import NONFINITE_EDGE, NONFINITE_FILL, record_field

FIXTURES = Path(__file__).parent / "fixtures"


def a_times_b_plus_a():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    e = a * b + a
    e.label = "e"
    e.backward()
    return e


def node_lines(source):
    return [line for line in source.splitlines() if re.match(r"\tv\d+(_op)? \[", line)]


def edge_lines(source):
    return [line for line in source.splitlines() if " -> " in line]


def test_dot_matches_the_hand_written_fixture():
    # The fixture was written by hand from the arithmetic: a.grad = b + 1 = -2, b.grad = a = 2,
    # d(a*b)/da = b = -3, d(a*b)/db = a = 2, both inputs of + have local derivative 1.
    expected = (FIXTURES / "a_times_b_plus_a.dot").read_text()
    assert draw_graph(a_times_b_plus_a(), tooltips=False).source == expected


def test_same_graph_gives_byte_identical_dot():
    first = draw_graph(a_times_b_plus_a(), formulas=True).source
    second = draw_graph(a_times_b_plus_a(), formulas=True).source
    assert first == second


def test_formulas_name_the_other_input():
    source = draw_graph(a_times_b_plus_a(), formulas=True).source
    assert '\tv0 -> v2_op [label="b = -3.0000" id="e2_0"]' in source
    assert '\tv1 -> v2_op [label="a = 2.0000" id="e2_1"]' in source
    assert '\tv2 -> v3_op [label="1.0000" id="e3_0"]' in source


def test_counts_labels_and_edge_derivatives_of_the_lecture_neuron():
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.label = "o"
    o.backward()
    source = draw_graph(o).source
    values = [line for line in node_lines(source) if "_op" not in line.split()[0]]
    ops = [line for line in node_lines(source) if "_op" in line.split()[0]]
    assert len(values) == 10 and len(ops) == 5
    # 5 op->output edges, 2 inputs for each of the 4 binary ops, 1 for tanh.
    assert len(edge_lines(source)) == 5 + 8 + 1
    assert '{o | data 0.7071 | grad 1.0000}' in source
    assert '{x1 | data 2.0000 | grad -1.5000}' in source
    labels = {}
    for line in edge_lines(source):
        match = re.search(r'label="([^"]+)" id="(e\d+_\d+)"', line)
        if match:
            labels[match.group(2)] = float(match.group(1))
    from autograd.graph import topological_order

    order = topological_order(o)
    for i, node in enumerate(order):
        for k, local in enumerate(node.local_grads):
            assert labels[f"e{i}_{k}"] == pytest.approx(local, abs=5e-5)


def test_non_finite_values_and_their_path_to_the_root_are_red():
    x = Value(float("inf"), "x")
    y = Value(1.0, "y")
    z = x * 0.0  # inf * 0 = nan
    z.label = "z"
    safe = y * 2.0
    safe.label = "safe"
    out = z + safe
    out.label = "out"
    assert math.isnan(out.data)
    source = draw_graph(out).source
    line = {ln.split()[0]: ln for ln in node_lines(source)}
    by_label = {re.search(r"\{([^ |]+)", ln).group(1): ln for ln in line.values() if "{" in ln}
    assert f'fillcolor="{NONFINITE_FILL}"' in by_label["x"]
    assert f'fillcolor="{NONFINITE_FILL}"' in by_label["out"]  # nan itself
    assert NONFINITE_EDGE not in by_label["safe"] and NONFINITE_EDGE not in by_label["y"]


def test_highlight_marks_the_node_and_the_edges_to_its_parents():
    e = a_times_b_plus_a()
    source = draw_graph(e, highlight=e.parents[0]).source
    assert re.search(r'\tv2 \[label="[^"]+" id="v2" fillcolor="#ffd966"', source)
    assert 'v0 -> v2_op [label="-3.0000" id="e2_0" color="#c27c0e"' in source
    assert 'v2 -> v3_op [label="1.0000" id="e3_0"]' in source


def test_grads_mapping_says_which_gradients_are_not_computed_yet():
    e = a_times_b_plus_a()
    source = draw_graph(e, grads={id(e): 1.0}).source
    assert "{e | data -4.0000 | grad 1.0000}" in source
    assert "{a | data 2.0000 | grad: not computed yet}" in source
    assert "0.0000" not in source


def test_gradients_before_backward_read_not_computed_never_zero():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    e = a * b + a
    e.label = "e"
    before = draw_graph(e).source
    assert "{a | data 2.0000 | grad: not computed}" in before
    assert before.count("grad: not computed}") == 4 and "grad 0" not in before
    e.backward()
    after = draw_graph(e).source
    assert "not computed" not in after
    assert "{a | data 2.0000 | grad -2.0000}" in after
    # A gradient that is zero after backward reads as zero: x2 * w2 with x2 = 0.
    x2, w2 = Value(0.0, "x2"), Value(1.0, "w2")
    y = x2 * w2
    y.backward()
    assert "{w2 | data 1.0000 | grad 0.0000}" in draw_graph(y).source


def test_tooltips_hold_the_whole_expression_and_the_numbers_in_full():
    x1, w1, b = Value(2.0, "x1"), Value(-3.0, "w1"), Value(0.5, "b")
    n = x1 * w1 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    source = draw_graph(o).source
    line = next(ln for ln in source.splitlines() if '[label="{o |' in ln)
    expected = (f'tooltip="o = tanh(x1 * w1 + b)\\ndata {o.data!r}\\ngrad 1.0"')
    assert line.endswith(expected + "]")
    assert f'tooltip="x1\\ndata 2.0\\ngrad {x1.grad!r}"' in source
    assert "tooltip" not in draw_graph(o, tooltips=False).source
    x = Value(1.0, '"<x>"')
    quoted_source = draw_graph(x.exp()).source
    assert 'tooltip="\\"<x>\\"\\ndata 1.0\\ngrad not computed"' in quoted_source


def test_highlight_without_inputs_marks_only_the_node():
    e = a_times_b_plus_a()
    source = draw_graph(e, highlight=e, highlight_inputs=False).source
    assert re.search(r'\tv3 \[label="[^"]+" id="v3" fillcolor="#ffd966"', source)
    assert "#c27c0e" not in source and source.count("#ffd966") == 1


def test_labels_with_record_characters_are_escaped():
    assert record_field('a|b{c}<d>"e\\') == 'a\\|b\\{c\\}\\<d\\>\\"e\\\\'
    x = Value(1.0, "x|{y}")
    source = draw_graph(x.exp()).source
    assert '{x\\|\\{y\\} | data 1.0000' in source


def test_max_nodes_guard_says_how_to_collapse():
    x = Value(0.1, "x")
    y = x
    for _ in range(30):
        y = y.tanh()
    with pytest.raises(GraphTooLargeError) as info:
        draw_graph(y, max_nodes=10)
    message = str(info.value)
    assert "31 values" in message and "max_nodes=10" in message
    assert "collapse=" in message and "max_nodes=None" in message
    assert "level='neuron'" in message and "modules=model" in message
    assert draw_graph(y, max_nodes=31, tooltips=False).source.count("tanh") == 30


def test_drawing_a_100k_node_graph_does_not_recurse():
    x = Value(0.5, "x")
    y = x
    for _ in range(99_999):
        y = -y
    drawing = draw_graph(y, max_nodes=None)
    assert len(drawing.node_ids) == 100_000
    assert drawing.source.count(" -> ") == 2 * 99_999


def test_jupyter_display_is_svg():
    svg = draw_graph(a_times_b_plus_a())._repr_svg_()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "grad &#45;2.0000" in svg or "grad -2.0000" in svg


def test_dot_is_identical_across_processes_and_hash_seeds():
    import os
    import subprocess
    import sys

    code = (
        "from nn import MLP\n"
        "from autograd import Value\n"
        "from viz import draw_graph\n"
        "m = MLP(2, [3, 1], seed=0)\n"
        "loss = (m([Value(0.5, 'x0'), Value(-1.0, 'x1')])[0] - 1.0) ** 2\n"
        "loss.backward()\n"
        "print(draw_graph(loss, modules=m, collapse=['layer1.neuron1'], formulas=True).source)\n"
    )
    root = Path(__file__).resolve().parents[2]
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, env=env,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] and "subgraph cluster_" in outputs[0]


def test_rankdir_is_checked_and_used():
    assert "rankdir=TB" in draw_graph(a_times_b_plus_a(), "TB").source
    with pytest.raises(ValueError, match="rankdir must be LR, RL, TB or BT"):
        draw_graph(a_times_b_plus_a(), "sideways")


# Issue 15, defect 4: a node with very many edges must not stall the renderer.


def sum_of(x, terms):
    y = x
    for _ in range(terms - 1):
        y = y + x
    y.label = "y"
    return y


def edge_spans(source):
    """Each edge's span (ranks crossed) when every node sits as close to its first use as it
    can, read from the DOT text alone: dot's layout makes the total no longer."""
    edges = re.findall(r"^\t(\w+) -> (\w+) \[", source, re.MULTILINE)
    heads_of = {}
    for tail, head in edges:
        heads_of.setdefault(tail, []).append(head)
    height = {}
    pending = [node for node in {t for t, _ in edges} | {h for _, h in edges}]
    while pending:  # longest path to a sink, iteratively
        node = pending.pop()
        heads = heads_of.get(node, [])
        missing = [h for h in heads if h not in height]
        if missing:
            pending += [node, *missing]
            continue
        height[node] = max((height[h] + 1 for h in heads), default=0)
    return [height[tail] - height[head] for tail, head in edges]


def test_a_value_used_a_hundred_times_is_drawn_with_short_edges():
    x = Value(1.0, "x")
    y = sum_of(x, 100)
    unbounded = draw_graph(y, max_edge_span=None)
    assert unbounded.copies == 0
    assert max(edge_spans(unbounded.source)) == 197  # x -> the last +: minutes of layout
    assert sum(edge_spans(unbounded.source)) > 9_000
    drawing = draw_graph(y)
    # x+x is op 1, and op k is 2k - 1 ranks from x: ops 1 to 8 (9 edges, span <= 16) are
    # drawn from x itself, the other 91 uses from copies.
    assert drawing.copies == 91
    assert max(edge_spans(drawing.source)) <= 16
    copies = re.findall(r'\t(v0_copy\d+_\d+) \[label="x" id="\1" shape="box"', drawing.source)
    assert len(copies) == 91
    # Every use keeps its edge id and local derivative, so the stepper still finds it.
    uses = re.findall(r'\t(v0|v0_copy\d+_\d+) -> v\d+_op \[label="1.0000" id="e\d+_\d"',
                      drawing.source)
    assert len(uses) == 100


def test_the_edge_bound_is_a_parameter_and_checked():
    y = sum_of(Value(1.0, "x"), 20)
    assert draw_graph(y, max_edge_span=100).copies == draw_graph(y).copies - 11 == 0
    assert max(edge_spans(draw_graph(y, max_edge_span=3).source)) <= 3
    for bad in (0, -1, 2.5, True, "8"):
        with pytest.raises(ValueError, match="max_edge_span must be an int >= 1 or None"):
            draw_graph(y, max_edge_span=bad)


def test_small_graphs_draw_no_copies():
    from nn import MLP

    model = MLP(3, [8, 8, 1], seed=0)  # layers of up to 8 neurons: every edge is short
    loss = (model([Value(0.5, "x0"), Value(-1.0, "x1"), Value(2.0, "x2")])[0] - 1.0) ** 2
    assert draw_graph(loss, max_nodes=None).copies == 0
    assert draw_graph(a_times_b_plus_a()).copies == 0


# Issue 15, defect 16: a title is text, never DOT or an HTML-like label.

INJECTING_TITLE = "<x>]; injected [shape=box label=pwned]; graph [label=<y>"


def test_a_title_cannot_add_nodes_to_the_drawing():
    from viz.rendering import render_source

    x = Value(1.0, "x")
    drawing = draw_graph(x.exp(), title=INJECTING_TITLE)
    assert "injected [" not in drawing.source.replace(f'"{INJECTING_TITLE}"', "")
    assert f'\tgraph [label="{INJECTING_TITLE}" labelloc="t"' in drawing.source
    svg = render_source(drawing.source, "svg").decode()
    assert svg.count('class="node"') == 3  # x, exp(x) and its op: no "injected" node
    assert "pwned" not in svg.replace("label=pwned", "")
    assert "&lt;x&gt;]; injected" in svg  # the title, shown as typed


def test_a_module_name_like_html_stays_text():
    from nn import Module, Neuron

    class Odd(Module):
        def __init__(self):
            self.inner = Neuron(1, seed=0)

        def named_children(self):
            yield INJECTING_TITLE, self.inner

        def __call__(self, x):
            return self.inner(x)

    model = Odd()
    y = model([Value(1.0, "x0")])
    source = draw_graph(y, modules=model).source
    assert f'\tlabel="{INJECTING_TITLE}"\n' in source
    assert "label=<" not in source.replace(INJECTING_TITLE, "")


@st.composite
def random_graphs(draw):
    """A random DAG of + * tanh and negation over a few leaves; inputs may come from any
    earlier node, so values are often used again far from where they were made."""
    nodes = [Value(draw(st.floats(-2, 2)), f"x{i}") for i in range(draw(st.integers(1, 4)))]
    for _ in range(draw(st.integers(1, 60))):
        kind = draw(st.sampled_from(["+", "*", "tanh", "neg"]))
        first = nodes[draw(st.integers(0, len(nodes) - 1))]
        if kind in ("+", "*"):
            second = nodes[draw(st.integers(0, len(nodes) - 1))]
            nodes.append(first + second if kind == "+" else first * second)
        else:
            nodes.append(first.tanh() if kind == "tanh" else -first)
    return nodes[-1]


@settings(max_examples=settings.default.max_examples * 2)
@given(random_graphs(), st.sampled_from([1, 4, 16, None]))
def test_every_edge_of_any_graph_is_short_and_every_edge_is_drawn(root, max_span):
    drawing = draw_graph(root, max_nodes=None, max_edge_span=max_span)
    source = drawing.source
    if max_span is not None:
        assert max(edge_spans(source), default=0) <= max_span
    from autograd.graph import topological_order

    order = topological_order(root)
    for i, node in enumerate(order):
        for k in range(len(node.parents)):
            assert source.count(f' id="e{i}_{k}"') == 1
    assert len(re.findall(r"\tv\d+_copy\d+_\d+ \[", source)) == drawing.copies
