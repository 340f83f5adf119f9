"""The stepper page in a real headless Chromium: click through every step, read the numbers.

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
    assert svg_grad_text(page, ids[id(o)]) == "grad 1.0000"
    for node in ledger.order:
        if node is not o:
            assert svg_grad_text(page, ids[id(node)]) == "grad ?"

    for k, step in enumerate(ledger.steps, start=1):
        page.click("#next")
        assert page.inner_text("#step-counter") == f"step {k} of {total}"
        title = page.inner_text("#chain-title")
        assert f"node {ledger.name(step.node)} = {step.node.op}(" in title
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
        fill = page.eval_on_selector(
            f'#graph svg [id="{ids[id(step.node)]}"] polygon', "p => p.getAttribute('fill')"
        )
        assert fill == "#ffd966"

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
    page.click("#zoom")
    assert page.get_attribute("#graph", "class") == "actual-size"
    assert page.inner_text("#zoom") == "fit to width"


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

    def fill(label):
        return page.eval_on_selector(
            f'#graph svg [id="{ids[label]}"] polygon', "p => p.getAttribute('fill')"
        )

    for _ in range(3):
        assert fill("x") == "#f6b0b0" and fill("y") == "#f6b0b0"
        assert fill("one") != "#f6b0b0"
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
    for step in ledger.steps:
        page.click("#next")
        rows = read_rows(page)
        assert [row["cells"][0] for row in rows] == [ledger.name(e.parent) for e in step.edges]
        assert f"node {ledger.name(step.node)} = " in page.inner_text("#chain-title")
    assert page.evaluate("window.pwned") is None
    assert page.eval_on_selector_all("img, iframe, object", "els => els.length") == 0
    assert page.eval_on_selector_all("script", "els => els.length") == 1
    assert problems == []
    assert all(url.startswith(("file:", "data:", "about:")) for url in requests), requests
