"""The stepper page in a real headless Chromium: click through every step, read the numbers.

Small graphs check every number the page shows; micrograd's 2-16-16-1 network on one
sample (982 values) checks navigation: slider, search, keys, zoom, pan, click, hover and
the current step kept in view. One browser and one page serve the whole module.

Needs a Chromium (Debian's `chromium` package; .ci/run installs it) and the playwright
Python package, which drives the installed browser and never downloads one.
"""

import math
import os
import shutil
import tempfile

import pytest
from playwright import sync_api

from autograd import Value
from viz import backprop_steps, stepper_html
from viz.number_format import format_number

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]


def find_browser():
    explicit = os.environ.get("GRADLEDGER_CHROMIUM")
    if explicit:
        return explicit
    for name in BROWSER_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


BROWSER = find_browser()
if BROWSER is None:
    pytest.skip(
        "no Chromium installed (apt-get install chromium, or set GRADLEDGER_CHROMIUM)",
        allow_module_level=True,
    )


def neuron_with_a_shared_input():
    """The lecture neuron, plus x1 used twice so one parent collects two contributions."""
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    n = x1 * w1 + x2 * w2 + b + x1 * 0.25
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


@pytest.fixture(scope="module")
def browser_page():
    with sync_api.sync_playwright() as playwright:
        profile = tempfile.mkdtemp(prefix="gradledger-chromium-")
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=BROWSER, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield context.new_page()
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def open_page(page, path):
    problems, requests = [], []
    page.on("pageerror", lambda err: problems.append(str(err)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    return problems, requests


def current_fill(page):
    """The fill the browser paints on the first shape of each node of class current."""
    return page.eval_on_selector_all(
        "#graph g.node.current",
        "gs => gs.map(g => getComputedStyle(g.querySelector('polygon, ellipse')).fill)",
    )


def node_fill(page, node_id):
    return page.eval_on_selector(
        f'#graph svg [id="{node_id}"] polygon', "p => getComputedStyle(p).fill"
    )


YELLOW, RED = "rgb(255, 217, 102)", "rgb(246, 176, 176)"
GREEN, WHITE = "rgb(227, 241, 227)", "rgb(255, 255, 255)"


def svg_grad_text(page, node_id):
    return page.eval_on_selector(
        f'#graph svg [id="{node_id}"]',
        "g => [...g.querySelectorAll('text')].map(t => t.textContent)"
        ".find(t => t.startsWith('grad '))",
    )


def read_rows(page):
    return page.eval_on_selector_all(
        "#chain-rows tr",
        """rows => rows.map(r => ({
            cells: [...r.cells].map(c => c.textContent),
            values: [...r.querySelectorAll('td.number')].map(c => c.dataset.value),
        }))""",
    )


def test_clicking_through_every_step_shows_the_engine_numbers(browser_page, tmp_path):
    page = browser_page
    o = neuron_with_a_shared_input()
    path = stepper_html(o, tmp_path / "stepper.html", play_seconds=0.05)
    ledger = backprop_steps(o)
    o.backward()  # the engine's own gradients, to compare with what the page shows
    ids = {id(node): f"v{i}" for i, node in enumerate(ledger.order)}
    problems, requests = open_page(page, path)

    total = len(ledger.steps)
    assert page.inner_text("#step-counter") == f"step 0 of {total}"
    assert page.evaluate("document.body.dataset.step") == "0"
    assert page.get_attribute("#slider", "max") == str(total)
    assert svg_grad_text(page, ids[id(o)]) == "grad 1.0000"
    for node in ledger.order:
        if node is not o:
            assert svg_grad_text(page, ids[id(node)]) == "grad ?"

    for k, step in enumerate(ledger.steps, start=1):
        page.click("#next")
        assert page.inner_text("#step-counter") == f"step {k} of {total}"
        title = page.inner_text("#chain-title")
        assert title.startswith(f"Step {k}: {ledger.equation(step)}; upstream ")
        assert title.endswith(f"= {format_number(step.node.grad)}")
        rows = read_rows(page)
        assert len(rows) == len(step.edges)
        for row, edge in zip(rows, step.edges, strict=True):
            numbers = [step.upstream, edge.local, edge.contribution, edge.parent_grad]
            assert [float(v) for v in row["values"]] == numbers
            assert row["cells"][0] == ledger.name(edge.parent)
            assert row["cells"][2:] == [format_number(x) for x in numbers]
            assert svg_grad_text(page, ids[id(edge.parent)]) == (
                f"grad {format_number(edge.parent_grad)}"
            )
        assert page.evaluate("document.body.dataset.step") == str(k)
        current = page.eval_on_selector_all("#graph g.node.current", "gs => gs.map(g => g.id)")
        assert sorted(current) == [ids[id(step.node)], ids[id(step.node)] + "_op"]
        assert current_fill(page) == [YELLOW, YELLOW]
        fills = {node_id: node_fill(page, node_id) for node_id in ids.values()}
        known = {ids[id(n)] for n in ledger.order if n is o or any(
            e.parent is n for s in ledger.steps[:k] for e in s.edges)}
        for node_id, fill in fills.items():
            if node_id != ids[id(step.node)]:
                assert fill == (GREEN if node_id in known else WHITE), (k, node_id)

    assert page.inner_text("#step-counter") == f"step {total} of {total}"
    for node in ledger.order:  # after the last step every gradient is the engine's .grad
        assert svg_grad_text(page, ids[id(node)]) == f"grad {format_number(node.grad)}"
    x1 = next(node for node in ledger.order if node.label == "x1")
    n = 2.0 * -3.0 + 0.0 * 1.0 + 6.8813735870195432 + 2.0 * 0.25
    assert x1.grad == pytest.approx((1 - math.tanh(n) ** 2) * (-3.0 + 0.25), abs=1e-12)
    page.click("#next")  # past the end stays at the end
    assert page.inner_text("#step-counter") == f"step {total} of {total}"

    assert problems == []
    assert all(url.startswith(("file:", "data:", "about:")) for url in requests), requests


def test_keys_and_buttons_move_and_play_runs_to_the_end(browser_page, tmp_path):
    page = browser_page
    o = neuron_with_a_shared_input()
    total = len(backprop_steps(o).steps)
    path = stepper_html(o, tmp_path / "keys.html", play_seconds=0.05)
    open_page(page, path)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.inner_text("#step-counter") == f"step 2 of {total}"
    page.keyboard.press("ArrowLeft")
    assert page.inner_text("#step-counter") == f"step 1 of {total}"
    page.keyboard.press("End")
    assert page.inner_text("#step-counter") == f"step {total} of {total}"
    page.click("#prev")
    assert page.inner_text("#step-counter") == f"step {total - 1} of {total}"
    page.click("#first")
    assert page.inner_text("#step-counter") == f"step 0 of {total}"
    page.click("#last")
    assert page.inner_text("#step-counter") == f"step {total} of {total}"
    page.click("#first")
    page.click("#play")
    page.wait_for_function(
        f"document.getElementById('step-counter').textContent === 'step {total} of {total}'",
        timeout=30_000,
    )
    assert page.inner_text("#play") == "\u25b6 play"


def test_non_finite_values_stay_red_while_stepping(browser_page, tmp_path):
    page = browser_page
    x = Value(float("inf"), "x")
    y = x * 0.0
    y.label = "y"
    z = y + Value(1.0, "one")
    z.label = "z"
    path = stepper_html(z, tmp_path / "nan.html")
    open_page(page, path)
    ids = {node.label: f"v{i}" for i, node in enumerate(backprop_steps(z).order)}

    for _ in range(3):
        assert node_fill(page, ids["x"]) == RED and node_fill(page, ids["y"]) == RED
        assert node_fill(page, ids["one"]) != RED
        page.click("#next")


def test_hostile_labels_stay_text_in_the_browser(browser_page, tmp_path):
    from viz.naming import plain_text

    page = browser_page
    x = Value(2.0, "</script><script>window.pwned = 1</script>")
    w = Value(-3.0, '<img src=x onerror="window.pwned = 2">')
    p = x * w
    p.label = "{{LEDGER_JS}}\u2028\ud800\x1b[31m&amp;"
    y = p.tanh()
    y.label = "[bold]y[/]\r\n`"
    title = "<script>window.pwned = 3</script>\x00"
    path = stepper_html(y, tmp_path / "hostile.html", title=title)
    problems, requests = open_page(page, path)
    ledger = backprop_steps(y)
    assert page.title() == plain_text(title)
    for step_number, step in enumerate(ledger.steps, start=1):
        page.click("#next")
        rows = read_rows(page)
        assert [row["cells"][0] for row in rows] == [ledger.name(e.parent) for e in step.edges]
        title = page.inner_text("#chain-title")
        assert title.startswith(f"Step {step_number}: {ledger.equation(step)}")
    assert page.evaluate("window.pwned") is None
    assert page.eval_on_selector_all("img, iframe, object", "els => els.length") == 0
    assert page.eval_on_selector_all("script", "els => els.length") == 1
    assert problems == []
    assert all(url.startswith(("file:", "data:", "about:")) for url in requests), requests


# micrograd's 2-16-16-1 network on one sample: 982 values, 642 steps, a picture about
# 24,000 x 7,200 px at actual size.


def mlp_loss():
    from nn import MLP

    model = MLP(2, [16, 16, 1], seed=0)
    y_hat = model([Value(0.5, "x[0]"), Value(-1.0, "x[1]")])[0]
    loss = (y_hat - 1.0) ** 2
    loss.label = "loss"
    return model, loss


@pytest.fixture(scope="module")
def mlp_page(browser_page, tmp_path_factory):
    """The big page opened once; each test leaves it at some step (tests re-anchor)."""
    model, loss = mlp_loss()
    path = stepper_html(loss, tmp_path_factory.mktemp("mlp") / "mlp.html")
    ledger = backprop_steps(loss)
    loss.backward()  # the engine's .grad, to compare with the page
    problems, requests = open_page(browser_page, path)
    ids = {ledger.name(node): f"v{i}" for i, node in enumerate(ledger.order)}
    yield browser_page, ledger, ids
    assert problems == []
    assert all(url.startswith(("file:", "data:", "about:")) for url in requests), requests


def step_of(page):
    return int(page.evaluate("document.body.dataset.step"))


def zoom_of(page):
    return float(page.get_attribute("#graph", "data-zoom"))


def translation(page):
    return page.evaluate(
        "(() => { const m = new DOMMatrix(getComputedStyle("
        "document.getElementById('canvas')).transform); return [m.e, m.f]; })()"
    )


def assert_current_in_view(page):
    """Every node of class current lies inside the graph pane, and the pane in the window."""
    pane, boxes = page.evaluate(
        """() => {
            const box = (el) => { const r = el.getBoundingClientRect();
                                  return [r.left, r.top, r.right, r.bottom]; };
            return [box(document.getElementById('graph')),
                    [...document.querySelectorAll('#graph g.node.current')].map(box)];
        }"""
    )
    window = page.evaluate("[window.innerWidth, window.innerHeight]")
    assert boxes
    for left, top, right, bottom in boxes + [pane]:
        inside = (left >= pane[0] and top >= pane[1] and right <= pane[2]
                  and bottom <= pane[3] and right <= window[0] and bottom <= window[1])
        assert inside, (pane, boxes, window)


def first_step_touching(ledger, name):
    """1-based number of the first step that adds to the node's gradient or processes it."""
    for number, step in enumerate(ledger.steps, start=1):
        touched = [ledger.name(step.node)] + [ledger.name(e.parent) for e in step.edges]
        if name in touched:
            return number
    raise AssertionError(f"no step touches {name}")


def test_big_page_starts_readable_with_the_seed_in_view(mlp_page):
    page, ledger, ids = mlp_page
    page.keyboard.press("Home")
    assert step_of(page) == 0
    assert page.get_attribute("#slider", "max") == str(len(ledger.steps))
    fits = page.evaluate(
        "document.getElementById('graph').clientWidth"
        " / document.querySelector('#graph svg').width.baseVal.value"
    )
    assert fits < 0.2  # fitting the width would shrink the text five-fold or more
    assert zoom_of(page) >= 0.8
    assert page.eval_on_selector_all("#graph g.node.current", "gs => gs.map(g => g.id)") == [
        ids["loss"]]
    assert_current_in_view(page)


def test_the_slider_moves_to_any_step(mlp_page):
    page, ledger, ids = mlp_page
    for target in (300, len(ledger.steps), 1, 0, 457):
        page.fill("#slider", str(target))
        assert step_of(page) == target
        assert page.inner_text("#step-counter") == f"step {target} of {len(ledger.steps)}"
        if target:
            step = ledger.steps[target - 1]
            assert page.inner_text("#chain-title").startswith(
                f"Step {target}: {ledger.equation(step)}; ")
            assert ids[ledger.name(step.node)] in page.eval_on_selector_all(
                "#graph g.node.current", "gs => gs.map(g => g.id)")
        assert_current_in_view(page)


@pytest.mark.parametrize("name", ["W1[3,1]", "loss", "w1[3, 1]"])
def test_search_jumps_to_the_first_step_touching_the_node(mlp_page, name):
    page, ledger, ids = mlp_page
    page.keyboard.press("End")
    page.fill("#search", name)
    page.press("#search", "Enter")
    found = {"w1[3, 1]": "W1[3,1]"}.get(name, name)
    assert step_of(page) == first_step_touching(ledger, found)
    assert page.input_value("#slider") == str(step_of(page))
    assert page.eval_on_selector("#graph g.node.selected", "g => g.id") == ids[found]
    assert_current_in_view(page)
    selected_box = page.eval_on_selector(
        "#graph g.node.selected", "g => { const r = g.getBoundingClientRect(); "
        "const p = document.getElementById('graph').getBoundingClientRect(); "
        "return r.left >= p.left && r.right <= p.right && r.top >= p.top "
        "&& r.bottom <= p.bottom; }")
    assert selected_box
    page.fill("#search", "no such node")
    page.press("#search", "Enter")
    assert "no node named" in page.inner_text("#search-status")


def test_keys_step_and_zoom(mlp_page):
    page, ledger, ids = mlp_page
    page.click("h1")  # focus on the page, not the search field
    page.keyboard.press("Home")
    assert step_of(page) == 0
    for expected in (1, 2, 3):
        page.keyboard.press("ArrowRight")
        assert step_of(page) == expected
        assert_current_in_view(page)
    page.keyboard.press("ArrowLeft")
    assert step_of(page) == 2
    page.keyboard.press("End")
    assert step_of(page) == len(ledger.steps)
    assert_current_in_view(page)
    page.keyboard.press("ArrowRight")  # past the end stays at the end
    assert step_of(page) == len(ledger.steps)

    before = zoom_of(page)
    page.keyboard.press("+")
    assert zoom_of(page) == pytest.approx(before * 1.25)
    page.keyboard.press("-")
    page.keyboard.press("-")
    assert zoom_of(page) == pytest.approx(before * 0.8)
    page.keyboard.press("0")
    fit = page.evaluate(
        "(() => { const g = document.getElementById('graph'); const s = g.querySelector('svg');"
        " return Math.min(g.clientWidth / s.width.baseVal.value,"
        " g.clientHeight / s.height.baseVal.value); })()"
    )
    assert zoom_of(page) == pytest.approx(fit, rel=1e-3) and fit < 0.2
    whole = page.evaluate(
        "(() => { const p = document.getElementById('graph').getBoundingClientRect();"
        " const r = document.querySelector('#graph svg').getBoundingClientRect();"
        " return r.left >= p.left - 1 && r.right <= p.right + 1 && r.top >= p.top - 1"
        " && r.bottom <= p.bottom + 1; })()"
    )
    assert whole  # fit shows the whole graph
    page.click("#zoom-actual")
    assert zoom_of(page) == pytest.approx(1.0)


def test_wheel_zooms_and_drag_pans(mlp_page):
    page, ledger, ids = mlp_page
    page.fill("#slider", "100")
    box = page.locator("#graph").bounding_box()
    centre_x, centre_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(centre_x, centre_y)
    before = zoom_of(page)
    page.mouse.wheel(0, -300)
    page.wait_for_function(f"Number(document.getElementById('graph').dataset.zoom) > {before}")
    larger = zoom_of(page)
    page.mouse.wheel(0, 600)
    page.wait_for_function(f"Number(document.getElementById('graph').dataset.zoom) < {larger}")
    assert zoom_of(page) < before

    start_x, start_y = translation(page)
    page.mouse.move(centre_x, centre_y)
    page.mouse.down()
    page.mouse.move(centre_x - 120, centre_y + 40, steps=5)
    page.mouse.up()
    moved_x, moved_y = translation(page)
    assert moved_x == pytest.approx(start_x - 120) and moved_y == pytest.approx(start_y + 40)
    assert step_of(page) == 100  # a drag is not a click on a node


def pan_to(page, node_id):
    """Drag the picture so the node sits in the middle of the pane, as a user would."""
    pane = page.locator("#graph").bounding_box()
    node = page.locator(f'#graph [id="{node_id}"]').bounding_box()
    x, y = pane["x"] + pane["width"] / 2, pane["y"] + pane["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - (node["x"] + node["width"] / 2 - x) / 2,
                    y - (node["y"] + node["height"] / 2 - y) / 2, steps=2)
    page.mouse.move(2 * x - node["x"] - node["width"] / 2,
                    2 * y - node["y"] - node["height"] / 2, steps=2)
    page.mouse.up()


def click_node(page, node_id):
    """Click the node's first text: its name, inside the record, away from edges."""
    page.click(f'#graph [id="{node_id}"] text')


def test_clicking_a_node_shows_its_chain_rule_sum(mlp_page):
    page, ledger, ids = mlp_page
    counts = {}
    for step in ledger.steps:
        for edge in step.edges:
            counts[id(edge.parent)] = counts.get(id(edge.parent), 0) + 1
    hidden = next(node for node in ledger.order if counts.get(id(node)) == 16)  # layer 1 out
    w = next(node for node in ledger.order if node.label == "W1[3,1]")
    for node in (hidden, w):
        name = ledger.name(node)
        page.keyboard.press("End")
        pan_to(page, ids[name])
        assert step_of(page) == len(ledger.steps)  # panning is no click
        click_node(page, ids[name])
        if node.parents:
            expected = 1 + next(k for k, s in enumerate(ledger.steps) if s.node is node)
        else:
            expected = first_step_touching(ledger, name)
        assert step_of(page) == expected
        assert_current_in_view(page)
        assert page.inner_text("#sum-title").startswith(f"Chain-rule sum for {name} ")
        contributions = [float(v) for v in page.eval_on_selector_all(
            "#sum-rows td.contribution", "cs => cs.map(c => c.dataset.value)")]
        totals = [float(v) for v in page.eval_on_selector_all(
            "#sum-rows td.running-total", "cs => cs.map(c => c.dataset.value)")]
        assert len(contributions) == counts[id(node)]
        total = float(page.get_attribute("#sum-total", "data-value"))
        assert total == node.grad  # the engine's own gradient, after backward()
        assert totals[-1] == node.grad
        assert sum(contributions) == pytest.approx(node.grad, rel=1e-9, abs=1e-15)
        running = 0.0
        for contribution, shown in zip(contributions, totals, strict=True):
            running += contribution
            assert shown == pytest.approx(running, rel=1e-12, abs=1e-15)
    page.click("#sum-rows tr")  # a term's row goes to the step that added it
    assert step_of(page) == first_step_touching(ledger, "W1[3,1]")


def test_hover_shows_data_grad_and_op(mlp_page):
    page, ledger, ids = mlp_page
    page.fill("#search", "loss")
    page.press("#search", "Enter")
    page.hover(f'#graph [id="{ids["loss"]}"] text')
    tip = page.inner_text("#tip")
    loss = ledger.root
    assert page.is_visible("#tip")
    assert f"data: {format_number(loss.data)}" in tip
    assert f"grad: {format_number(loss.grad)}" in tip
    assert f"loss = {ledger.expression(loss)}" in tip
    page.mouse.move(1, 1)
    assert not page.is_visible("#tip")
    root_input = ids["loss"].replace("v", "e") + "_0"  # the edge into loss's op
    page.hover(f'#graph [id="{root_input}"] text')
    contribution = loss.grad * float(loss.local_grads[0])
    assert "\u2192 loss: seed * " in page.inner_text("#tip")
    assert page.inner_text("#tip").endswith(f"= {format_number(contribution)}")


def test_edges_are_coloured_by_sign_and_sized_by_magnitude(mlp_page):
    page, ledger, ids = mlp_page
    page.keyboard.press("End")
    flows = []  # (edge id, gradient flowing back along it) from the engine's .grad
    for i, node in enumerate(ledger.order):
        for k, local in enumerate(node.local_grads):
            flows.append((f"e{i}_{k}", node.grad * float(local)))
    styles = dict(page.eval_on_selector_all(
        "#graph g.edge",
        "gs => gs.map(g => [g.id, [getComputedStyle(g.querySelector('path')).stroke,"
        " parseFloat(getComputedStyle(g.querySelector('path')).strokeWidth)]])",
    ))
    positive = {styles[e][0] for e, flow in flows if flow > 0}
    negative = {styles[e][0] for e, flow in flows if flow < 0}
    assert len(positive) == 1 and len(negative) == 1 and positive != negative
    ordered = sorted((abs(flow), styles[e][1]) for e, flow in flows if flow != 0)
    widths = [width for _, width in ordered]
    assert widths == sorted(widths) and widths[-1] > 3 * widths[0]
    page.keyboard.press("Home")  # before its step an edge is grey
    greys = {styles_now for styles_now in page.eval_on_selector_all(
        "#graph g.edge.pending", "gs => gs.map(g => getComputedStyle(g.querySelector('path'))"
        ".stroke)")}
    assert greys == {"rgb(200, 200, 200)"}


def test_a_collapsed_step_highlights_the_module_box(browser_page, tmp_path):
    from nn import MLP

    page = browser_page
    model = MLP(2, [2, 1], seed=0)
    loss = (model([Value(0.5, "x0"), Value(-1.0, "x1")])[0] - 1.0) ** 2
    path = stepper_html(loss, tmp_path / "collapsed.html", modules=model, collapse=["layer1"])
    open_page(page, path)
    ledger = backprop_steps(loss)
    drawn = set(page.eval_on_selector_all("#graph g.node.has-entry", "gs => gs.map(g => g.id)"))
    seen_box = False
    for number in range(1, len(ledger.steps) + 1):
        page.fill("#slider", str(number))
        current = page.eval_on_selector_all("#graph g.node.current", "gs => gs.map(g => g.id)")
        assert current, f"step {number} highlights nothing"
        if not set(current) & drawn:
            seen_box = True
            assert current == [page.eval_on_selector("#graph g.node[id^=m]", "g => g.id")]
            assert current_fill(page) == [YELLOW]
    assert seen_box


def test_the_inline_page_runs_in_its_iframe(browser_page):
    page = browser_page
    o = neuron_with_a_shared_input()
    inline = stepper_html(o)
    page.set_content(f"<html><body><h1>notebook</h1>{inline._repr_html_()}</body></html>")
    frame = page.frame_locator("iframe")
    frame.locator("#next").click()
    frame.locator("#next").click()
    assert frame.locator("body").get_attribute("data-step") == "2"
    assert frame.locator("#step-counter").inner_text() == (
        f"step 2 of {len(backprop_steps(o).steps)}")
    assert page.evaluate("document.body.dataset.step") is None  # the notebook is untouched
