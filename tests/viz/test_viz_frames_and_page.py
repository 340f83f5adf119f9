"""render_steps frames and the stepper page's content (the browser test clicks through it)."""

import json
import re

import pytest

from autograd import Value
from viz import backprop_steps, render_steps, stepper_html


def neuron():
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def test_frames_fill_in_gradients_step_by_step(tmp_path):
    o = neuron()
    paths = render_steps(o, tmp_path, fmt="dot")
    ledger = backprop_steps(o)
    assert [p.name for p in paths] == [f"step_{k:03d}.dot" for k in range(len(ledger) + 1)]
    unknown = [p.read_text().count("grad ?") for p in paths]
    # 10 values; the seed frame knows only o, and each step adds its parents' gradients.
    assert unknown == [9, 8, 6, 4, 2, 0]
    assert "{o | data 0.7071 | grad 1.0000}" in paths[0].read_text()
    assert "{n | data 0.8814 | grad 0.5000}" in paths[1].read_text()
    assert "{x1 | data 2.0000 | grad -1.5000}" in paths[-1].read_text()
    assert 'label="step 1 of 5\\ndo/dn += do/do * do/dn' in paths[1].read_text()
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
    ledger = backprop_steps(o)
    o.backward()
    assert len(data["steps"]) == len(ledger.steps) == 5
    for entry, step in zip(data["steps"], ledger.steps, strict=True):
        assert entry["upstream"] == step.upstream == step.node.grad
        for e, edge in zip(entry["edges"], step.edges, strict=True):
            assert e["local"] == edge.local
            assert e["contribution"] == edge.contribution
            assert e["parent_grad"] == edge.parent_grad
            assert f'id="{e["parent"]}"' in page and f'id="{e["edge"]}"' in page
    finals = {e["parent_name"]: e["parent_grad"] for s in data["steps"] for e in s["edges"]}
    assert finals["x1"] == pytest.approx(-1.5) and finals["w1"] == pytest.approx(1.0)


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
    data = read_ledger_literal(page.read_text())
    ledger = backprop_steps(loss)
    assert len(data["steps"]) == len(ledger.steps)
    folded = [s for s in data["steps"] if s["node"] is None]
    # layer1: 2 neurons x (2 products + 2 sums + tanh) = 10 steps with no drawn node.
    assert len(folded) == 10 and all(s["out_edge"] is None for s in folded)
    drawn = {node["id"] for node in data["nodes"]}
    parents = [e["parent"] for s in data["steps"] for e in s["edges"]]
    assert all(parent in drawn or parent is None for parent in parents)


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
