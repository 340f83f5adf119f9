"""The neuron-level stepper page of a ten-sample batch in headless Chromium.

micrograd's 2-16-16-1 network on ten moons points, one step per neuron: the slider, the
search (a neuron by name, a weight by its label), clicking a neuron for its chain-rule
sum, and each sample's delta line, all read back from the page and compared with the
gradients autograd's backward() puts in .grad. Needs Chromium (Debian's `chromium`) and
the playwright package, which drives the installed browser and downloads none.
"""

import os
import shutil
import tempfile

import pytest
from playwright import sync_api

from autograd import Value
from nn import MLP, data
from viz import stepper_html
from viz.number_format import format_number

BROWSER = os.environ.get("GRADLEDGER_CHROMIUM") or next(
    (shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome",
                                     "google-chrome-stable") if shutil.which(name)), None)
if BROWSER is None:
    pytest.skip("no Chromium installed (apt-get install chromium, or set GRADLEDGER_CHROMIUM)",
                allow_module_level=True)
FLAGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-gpu"]
SAMPLES = 10


def moons_batch():
    """2-16-16-1 relu on ten moons points, built through each neuron's weighted_sum so
    the test keeps every pre-activation z (its .grad is delta)."""
    model = MLP(2, [16, 16, 1], activation="relu", seed=0)
    points, labels = data.make_moons(SAMPLES, noise=0.1, seed=1)
    zs = {}
    loss = Value(0.0)
    for s, (x, label) in enumerate(zip(points, data.signed(labels), strict=True)):
        h = x
        for l, layer in enumerate(model.layers, start=1):  # noqa: E741
            outputs = []
            for j, neuron in enumerate(layer.neurons):
                zs[(l, j, s)] = z = neuron.weighted_sum(h)
                outputs.append(z.relu() if l < 3 else z)
            h = outputs
        loss = loss + (1 - label * h[0]).relu()
    loss = loss * (1.0 / SAMPLES)
    loss.label = "loss"
    return model, loss, zs


@pytest.fixture(scope="module")
def network_page(tmp_path_factory):
    model, loss, zs = moons_batch()
    path = stepper_html(loss, tmp_path_factory.mktemp("net") / "neurons.html",
                        modules=model, level="neuron")
    loss.backward()  # autograd's own gradients, to compare with the page
    with sync_api.sync_playwright() as playwright:
        profile = tempfile.mkdtemp(prefix="gradledger-chromium-")
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=BROWSER, headless=True, args=FLAGS)
        try:
            page = context.new_page()
            problems = []
            page.on("pageerror", lambda err: problems.append(str(err)))
            page.on("console",
                    lambda msg: problems.append(msg.text) if msg.type == "error" else None)
            page.goto(path.as_uri())
            ids = page.evaluate("Object.fromEntries(LEDGER.nodes.map(n => [n.name, n.id]))")
            yield page, model, zs, ids
            assert problems == []
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def factor(x):
    return f"({format_number(x)})" if x < 0 else format_number(x)


def step_of(page):
    return int(page.evaluate("document.body.dataset.step"))


def current_ids(page):
    return page.eval_on_selector_all("#graph g.node.current", "gs => gs.map(g => g.id)")


def neuron_step(page, box_id):
    return page.evaluate(f"LEDGER.steps.findIndex(s => s.nodes[0] === '{box_id}') + 1")


def test_the_page_has_a_step_per_neuron_and_the_slider_reaches_each(network_page):
    page, _, _, ids = network_page
    assert page.inner_text("#step-counter") == "step 0 of 34"  # the loss, then 33 neurons
    assert page.get_attribute("#slider", "max") == "34"
    for k in (34, 1, 2, 18):
        page.eval_on_selector(
            "#slider", "(s, k) => { s.value = k; s.dispatchEvent(new Event('input')); }", k)
        assert step_of(page) == k
    assert current_ids(page) == [ids["layer2.neuron15"]]  # step 18: the last of layer 2
    page.keyboard.press("End")
    assert current_ids(page) == [ids["layer1.neuron15"]]


@pytest.mark.parametrize("text, neuron", [("layer2.neuron3", "layer2.neuron3"),
                                          ("W1[3,1]", "layer1.neuron3")])
def test_search_finds_a_neuron_by_name_or_weight(network_page, text, neuron):
    page, _, _, ids = network_page
    page.keyboard.press("Home")
    page.fill("#search", text)
    page.press("#search", "Enter")
    assert step_of(page) == neuron_step(page, ids[neuron])
    assert current_ids(page) == [ids[neuron]]
    fill = page.eval_on_selector(f'#graph [id="{ids[neuron]}"] polygon',
                                 "p => getComputedStyle(p).fill")
    assert fill == "rgb(255, 217, 102)"  # the current step's yellow
    assert page.inner_text("#search-status").startswith(f"{neuron}: first touched at step ")


def test_clicking_a_neuron_shows_its_sum_over_samples(network_page):
    page, model, zs, ids = network_page
    neuron = model.layers[0].neurons[5]
    box = ids["layer1.neuron5"]
    page.fill("#search", "layer1.neuron5")  # bring it into view, step away, click it
    page.press("#search", "Enter")
    page.keyboard.press("ArrowLeft")
    assert current_ids(page) == [ids["layer1.neuron4"]]
    page.click("h1")
    page.click(f'#graph [id="{box}"] text')
    assert step_of(page) == neuron_step(page, box)
    assert page.inner_text("#sum-title").startswith("Chain-rule sum for layer1.neuron5 ")
    contributions = [float(v) for v in page.eval_on_selector_all(
        "#sum-rows td.contribution", "cs => cs.map(c => c.dataset.value)")]
    deltas = [zs[(1, 5, s)].grad for s in range(SAMPLES)]
    assert contributions == pytest.approx(deltas, rel=1e-12, abs=1e-15)
    total = float(page.get_attribute("#sum-total", "data-value"))
    assert total == pytest.approx(neuron.b.grad, rel=1e-12, abs=1e-15)  # dL/db = sum of deltas
    grad_line = page.eval_on_selector(
        f'#graph [id="{box}"]',
        "g => [...g.querySelectorAll('text')].map(t => t.textContent)"
        ".find(t => t.startsWith('grad '))")
    assert grad_line == f"grad {format_number(neuron.b.grad)}"


def test_the_delta_lines_show_every_term_of_the_sum(network_page):
    page, model, zs, ids = network_page
    page.fill("#search", "layer2.neuron7")
    page.press("#search", "Enter")
    lines = page.eval_on_selector_all("#chain-sentences p", "ps => ps.map(p => p.textContent)")
    w_out = model.layers[2].neurons[0].w[7]  # W3[0,7], the only k reading layer2.neuron7
    for s in range(SAMPLES):
        line = next(x for x in lines if x.startswith(f"sample {s}: "))
        z, delta_k = zs[(2, 7, s)], zs[(3, 0, s)].grad
        f_prime = 1.0 if z.data > 0 else 0.0
        assert line == (f"sample {s}: δ_j = f'(z_j)·(Σ_k w_kj δ_k) = "
                        f"{format_number(f_prime)}·({factor(w_out.data)}·{factor(delta_k)})"
                        f" = {format_number(z.grad)}")
    for i, weight in enumerate(model.layers[1].neurons[7].w):
        line = next(x for x in lines if x.startswith(f"dL/dW2[7,{i}] = Σ_s δ_j·x_i = "))
        assert line.endswith(f"= {format_number(weight.grad)}")
