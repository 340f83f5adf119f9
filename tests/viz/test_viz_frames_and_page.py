"""render_steps frames and the stepper page's content (the browser test clicks through it)."""

import json
import re

import pytest

from autograd import Value
from tests.lecture import lecture_neuron
from viz import backprop_steps, render_steps, stepper_html
from viz.stepper_data import check_stepper_data


def neuron():
    return lecture_neuron()[0]


def test_frames_fill_in_gradients_step_by_step(tmp_path):
    o = neuron()
    paths = render_steps(o, tmp_path, fmt="dot")
    ledger = backprop_steps(o)
    assert [p.name for p in paths] == [f"step_{k:03d}.dot" for k in range(len(ledger) + 1)]
    unknown = [p.read_text().count("grad: not computed yet") for p in paths]
    # 10 values; the seed frame knows only o, and each step adds its parents' gradients.
    assert unknown == [9, 8, 6, 4, 2, 0]
    assert "{o | data 0.7071 | grad 1.0000}" in paths[0].read_text()
    assert "{n | data 0.8814 | grad 0.5000}" in paths[1].read_text()
    assert "{x1 | data 2.0000 | grad -1.5000}" in paths[-1].read_text()
    assert "step 1 of 5: o = tanh(n)<BR/>do/dn += seed * do/dn" in paths[1].read_text()
    assert all(node.grad == 0.0 for node in ledger.order)


def test_each_frame_highlights_its_step_node(tmp_path):
    o = neuron()
    ledger = backprop_steps(o)
    paths = render_steps(o, tmp_path, fmt="dot")
    for step, path in zip(ledger.steps, paths[1:], strict=True):
        name = ledger.name(step.node)
        highlighted = re.findall(r'label="\{([^ |]+) [^\n]*fillcolor="#ffd966"', path.read_text())
        assert highlighted == [name]


def test_frames_render_to_svg(tmp_path):
    paths = render_steps(neuron(), tmp_path / "frames")
    assert len(paths) == 6
    assert all(p.read_text().lstrip().startswith("<?xml") for p in paths)


def test_frames_reject_unknown_formats(tmp_path):
    with pytest.raises(ValueError, match="fmt must be"):
        render_steps(neuron(), tmp_path, fmt="gif")


def read_ledger_literal(page):
    literal = re.search(r"const LEDGER = (\{.*?\});\n", page).group(1)
    return json.loads(literal)


def test_stepper_page_is_self_contained_and_carries_the_engine_numbers(tmp_path):
    o = neuron()
    path = stepper_html(o, tmp_path / "step.html", title="neuron <demo>")
    page = path.read_text()
    assert "<title>neuron &lt;demo&gt;</title>" in page
    assert "<svg" in page and "<?xml" not in page
    # Nothing is fetched: no external scripts, styles, images or links.
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', page)
    assert "<link" not in page and "@import" not in page
    data = read_ledger_literal(page)
    check_stepper_data(data)
    ledger = backprop_steps(o)
    o.backward()  # the engine's own gradients, to compare with the page's numbers
    assert len(data["steps"]) == len(ledger.steps) == 5
    for entry, step in zip(data["steps"], ledger.steps, strict=True):
        assert len(entry["rows"]) == len(step.edges)
        for row, edge in zip(entry["rows"], step.edges, strict=True):
            upstream, local, contribution, parent_grad = (cell[1] for cell in row[2:])
            assert upstream == step.node.grad
            assert local == edge.local and contribution == upstream * local
            assert parent_grad == edge.parent_grad
        assert all(f'id="{node_id}"' in page for node_id in entry["nodes"])
        assert all(f'id="{edge_id}"' in page for edge_id in entry["edges"])
    by_name = {node["name"]: node for node in data["nodes"]}
    for node in ledger.order:  # each chain-rule sum ends at the engine's gradient
        terms = by_name[ledger.name(node)]["sum"]
        assert terms[-1]["total"] == node.grad
        assert sum(t["contribution"] for t in terms) == pytest.approx(node.grad, abs=1e-12)
    assert by_name["x1"]["grad"] == pytest.approx(-1.5)
    assert by_name["w1"]["grad"] == pytest.approx(1.0)


def test_the_root_step_says_seed_not_do_over_do(tmp_path):
    o = neuron()
    data = read_ledger_literal(stepper_html(o, tmp_path / "step.html").read_text())
    text = json.dumps(data)
    assert "do/do" not in text and "d(o)/d(o)" not in text
    assert data["steps"][0]["headline"] == "Step 1: o = tanh(n); upstream seed = 1.0000"
    assert "seed" in data["start"]["headline"]
    assert data["steps"][0]["lines"][0].startswith("do/dn += seed * do/dn = 1.0000 * 0.5000")
    assert data["nodes"][-1]["sum"][0]["text"] == "the seed: the gradient of o starts at 1.0000"


def test_steps_jump_targets_and_edges_follow_the_backward_order(tmp_path):
    o = neuron()
    data = read_ledger_literal(stepper_html(o, tmp_path / "step.html").read_text())
    by_name = {node["name"]: node for node in data["nodes"]}
    # Steps: 1 o=tanh(n), 2 n=%3+b, 3 %3=%1+%2, 4 %2=x2*w2, 5 %1=x1*w1.
    assert [(by_name[n]["step"], by_name[n]["first_step"]) for n in ("o", "n", "x1", "b")] == [
        (1, 1), (2, 1), (5, 5), (2, 2)]
    assert by_name["o"]["sum"][0]["from"] == "seed"
    signs = {edge["id"]: (edge["sign"], edge["magnitude"]) for edge in data["edges"]}
    ids = {name: node["id"] for name, node in by_name.items()}
    x1_edge = f"e{ids['%1'][1:]}_0"  # x1 -> x1*w1 carries 0.5 * w1 = -1.5 back
    assert signs[x1_edge] == (-1, pytest.approx(1.5))
    w1_edge = f"e{ids['%1'][1:]}_1"  # w1 -> x1*w1 carries 0.5 * x1 = 1.0
    assert signs[w1_edge] == (1, pytest.approx(1.0))


def test_stepper_page_escapes_script_breaking_labels(tmp_path):
    x = Value(1.0, "</script><b>")
    y = x.exp()
    y.label = "y"
    page = stepper_html(y, tmp_path / "p.html").read_text()
    assert page.count("</script>") == 1  # only the page's own closing tag


def test_stepper_with_a_collapsed_module_marks_folded_nodes_as_not_drawn(tmp_path):
    from nn import MLP

    model = MLP(2, [2, 1], seed=0)
    loss = (model([Value(0.5, "x0"), Value(-1.0, "x1")])[0] - 1.0) ** 2
    page = stepper_html(loss, tmp_path / "p.html", modules=model, collapse=["layer1"])
    text = page.read_text()
    data = read_ledger_literal(text)
    check_stepper_data(data)
    ledger = backprop_steps(loss)
    assert len(data["steps"]) == len(ledger.steps)
    drawn = {node["id"] for node in data["nodes"]}
    # layer1: 2 neurons x (2 products + 2 sums + tanh) = 10 steps whose node is folded:
    # each highlights the box of layer1 instead, and has no edge of its own.
    folded = [s for s in data["steps"] if not set(s["nodes"]) & drawn]
    assert len(folded) == 10 and all(s["edges"] == [] for s in folded)
    boxes = {box for s in folded for box in s["nodes"]}
    assert len(boxes) == 1 and f'<g id="{boxes.pop()}" class="node"' in text
    rows = [len(s["rows"]) for s in data["steps"]]
    assert rows == [len(step.edges) for step in ledger.steps]


def test_stepper_page_fills_placeholders_once_and_escapes_markup_in_labels(tmp_path):
    # A label that spells a template placeholder must stay text: before, the chained
    # replace() spliced the ledger's JSON (with the raw <img> label) into the SVG.
    x = Value(2.0, "{{LEDGER_JS}}")
    w = Value(-3.0, "<img src=x onerror=alert(1)>")
    y = (x * w).tanh()
    y.label = "{{SVG}} & {{TITLE}}"
    page = stepper_html(y, tmp_path / "p.html", title="{{LEDGER_JS}} {{SVG}} <b>").read_text()
    assert "<img" not in page and "<b>" not in page
    assert page.count("const LEDGER = ") == 1 and page.count("<svg") == 1
    assert "<title>{{LEDGER_JS}} {{SVG}} &lt;b&gt;</title>" in page
    literal = re.search(r"const LEDGER = (\{.*?\});\n", page).group(1)
    assert "<" not in literal and ">" not in literal and "&" not in literal
    data = json.loads(literal)  # \u003c and friends are plain JSON escapes
    names = {node["name"] for node in data["nodes"]}
    assert {"{{LEDGER_JS}}", "<img src=x onerror=alert(1)>", "{{SVG}} & {{TITLE}}"} <= names
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert "{{LEDGER_JS}}" in svg and "&lt;img src=x onerror=alert(1)&gt;" in svg
    assert "{{SVG}} &amp; {{TITLE}}" in svg


def test_the_default_title_escapes_the_root_label(tmp_path):
    x = Value(1.0, "x")
    y = x.exp()
    y.label = "<i>y</i>"
    page = stepper_html(y, tmp_path / "p.html").read_text()
    assert "<i>" not in page
    assert "<title>Backprop through &lt;i&gt;y&lt;/i&gt;, one chain-rule step" in page
