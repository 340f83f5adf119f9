"""The stepper page without a browser: the inline StepperPage, levels, and the data schema.

The browser tests (test_viz_browser.py) drive the page itself; here the Python side.
"""

import copy
import html
import json
import re

import pytest

from autograd import Value
from autograd.files import UnsafeTargetError
from viz import backprop_steps, stepper_html
from viz.stepper import StepperPage, stepper_page
from viz.stepper_data import StepperDataError, check_stepper_data


def neuron():
    x1, w1 = Value(2.0, "x1"), Value(-3.0, "w1")
    b = Value(6.8813735870195432, "b")
    n = x1 * w1 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def literal(page_text):
    return json.loads(re.search(r"const LEDGER = (\{.*?\});\n", page_text).group(1))


def test_without_a_path_the_page_stays_in_memory_and_shows_in_an_iframe(tmp_path):
    o = neuron()
    inline = stepper_html(o, title="inline <demo>")
    assert isinstance(inline, StepperPage)
    assert not list(tmp_path.iterdir())
    shown = inline._repr_html_()
    match = re.fullmatch(r'<iframe srcdoc="([^"]*)" sandbox="allow-scripts" [^<>]*></iframe>',
                         shown)
    assert match, shown[:200]
    assert html.unescape(match.group(1)) == inline.html  # the whole page, escaped once
    assert "<title>inline &lt;demo&gt;</title>" in inline.html
    written = stepper_html(o, tmp_path / "written.html", title="inline <demo>")
    saved = inline.save(tmp_path / "saved.html")
    assert saved == tmp_path / "saved.html"
    assert saved.read_text(encoding="utf-8") == written.read_text(encoding="utf-8")
    assert "StepperPage" in repr(inline) and ".save(path)" in repr(inline)


def test_saving_refuses_a_directory_and_leaves_it_alone(tmp_path):
    folder = tmp_path / "a folder"
    folder.mkdir()
    with pytest.raises(UnsafeTargetError):
        stepper_html(neuron()).save(folder)
    assert folder.is_dir() and not list(folder.iterdir())


def test_the_level_is_checked_and_network_levels_take_no_drawing_options():
    with pytest.raises(ValueError, match="level must be one of value, neuron, layer, got 'atom'"):
        stepper_html(neuron(), level="atom")
    from nn import MLP

    model = MLP(2, [2, 1], seed=0)
    loss = (model([Value(0.5), Value(-1.0)])[0] - 1.0) ** 2
    with pytest.raises(TypeError, match="takes no drawing options, got collapse"):
        stepper_html(loss, modules=model, level="neuron", collapse=["layer1"])


@pytest.mark.parametrize("level", ["neuron", "layer"])
def test_network_levels_fill_the_same_page_with_data_in_the_schema(level):
    from nn import MLP

    model = MLP(2, [3, 1], seed=0)
    loss = Value(0.0)
    for point in ([0.5, -1.0], [1.5, 0.25]):
        loss = loss + (model([Value(v) for v in point])[0] - 1.0) ** 2
    loss.label = "loss"
    page = stepper_page(loss, modules=model, level=level, play_seconds=0.25)
    data = literal(page)
    check_stepper_data(data)
    assert data["level"] == level and data["play_interval_ms"] == 250
    assert page.count("<svg") == 1 and page.count("<script>") == 1
    svg_ids = set(re.findall(r'<g id="([^"]+)"', page))
    assert {node_id for step in data["steps"] for node_id in step["nodes"]} <= svg_ids
    assert f"({level} by {level})" in page


def test_value_data_follows_the_schema_and_the_checker_names_each_break(tmp_path):
    data = literal(stepper_page(neuron(), play_seconds=0.5))
    check_stepper_data(data)
    assert data["play_interval_ms"] == 500

    def broken(change):
        bad = copy.deepcopy(data)
        change(bad)
        with pytest.raises(StepperDataError) as caught:
            check_stepper_data(bad)
        return str(caught.value)

    assert "missing keys ['hover']" in broken(lambda d: d["nodes"][0].pop("hover"))
    assert "steps[0]: unknown keys ['extra']" in broken(lambda d: d["steps"][0].update(extra=1))
    assert "nodes[1].step must be a step number from 0 to 3" in broken(
        lambda d: d["nodes"][1].update(step=4))
    assert "steps[2].nodes is empty" in broken(lambda d: d["steps"][2].update(nodes=[]))
    assert "steps[0].rows[0] has 5 cells for 6 columns" in broken(
        lambda d: d["steps"][0]["rows"][0].pop())
    assert "is used twice" in broken(lambda d: d["edges"][1].update(id=d["edges"][0]["id"]))
    assert "edges[0].sign must be 1, -1 or 0" in broken(lambda d: d["edges"][0].update(sign=2))
    assert "nodes[0].step must be a step number from 0 to 0 or None, got 3" in broken(
        lambda d: d.update(steps=[]))
    assert "version must be 1" in broken(lambda d: d.update(version=2))
    assert "start.known[0] must be [id, grad_text]" in broken(
        lambda d: d["start"].update(known=[["v0"]]))


def test_a_lone_leaf_makes_a_page_of_no_steps():
    data = literal(stepper_page(Value(1.0, "lonely")))
    check_stepper_data(data)
    assert data["steps"] == [] and data["nodes"][0]["sum"][0]["from"] == "seed"


def test_every_node_sum_and_step_agrees_with_the_engine():
    o = neuron()
    data = literal(stepper_page(o))
    ledger = backprop_steps(o)
    o.backward()
    by_name = {node["name"]: node for node in data["nodes"]}
    for node in ledger.order:
        entry = by_name[ledger.name(node)]
        assert entry["grad"] == node.grad
        assert entry["sum"][-1]["total"] == node.grad
        assert entry["data_text"] in entry["hover"] and entry["grad_text"] in entry["hover"]
    assert data["steps"][0]["known"] == [[by_name["n"]["id"], "0.5000"]]
