"""Jupyter: a real kernel (nbclient + ipykernel) shows drawings as SVG, the ledger as an
HTML table and the stepper inline in an iframe. One kernel run holds every check."""

import html
import json
import sys

import nbformat
from nbclient import NotebookClient

KERNEL = "gradledger-test-python"

CELLS = {
    "setup": (
        "from autograd import Value\n"
        "from viz import backprop_steps, draw_graph, stepper_html\n"
        'x1, w1 = Value(2.0, "x1"), Value(-3.0, "<i>w1</i>")\n'
        'b = Value(6.8813735870195432, "b")\n'
        "n = x1 * w1 + b\n"
        'n.label = "n"\n'
        "o = n.tanh()\n"
        'o.label = "o"'
    ),
    "before": "draw_graph(o)",
    "ledger": "backprop_steps(o)",
    "after": "o.backward()\ndraw_graph(o)",
    "stepper": "stepper_html(o)",
    "interpreter": "import sys\nsys.executable",
}


def install_kernel(folder):
    """A kernelspec for this interpreter (the .venv's), found through JUPYTER_PATH only."""
    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "gradledger tests", "language": "python",
    }))


def run_notebook(tmp_path, monkeypatch):
    install_kernel(tmp_path / "jupyter")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS.values()]
    client = NotebookClient(notebook, timeout=120, kernel_name=KERNEL,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = {}
    for name, cell in zip(CELLS, notebook.cells, strict=True):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, (name, errors)
        results = [o for o in cell.outputs if o.output_type == "execute_result"]
        outputs[name] = results[0]["data"] if results else {}
    return outputs


def test_a_kernel_shows_drawings_ledgers_and_the_stepper(tmp_path, monkeypatch):
    outputs = run_notebook(tmp_path, monkeypatch)
    assert outputs["setup"] == {}
    assert outputs["interpreter"]["text/plain"] == repr(sys.executable)

    before = outputs["before"]["image/svg+xml"]
    assert "<svg" in before and "grad: not computed" in before
    assert "0.0000" not in before and "&lt;i&gt;w1&lt;/i&gt;" in before and "<i>" not in before
    after = html.unescape(outputs["after"]["image/svg+xml"])  # dot writes - as &#45;
    assert "grad 1.0000" in after and "grad -1.5000" in after and "not computed" not in after

    ledger = outputs["ledger"]["text/html"]
    assert ledger.startswith("<table") and "<th>local formula</th>" in ledger
    assert "<td>&lt;i&gt;w1&lt;/i&gt;</td>" in ledger and "<i>" not in ledger
    assert "<td>1 - o**2</td>" in ledger
    assert outputs["ledger"]["text/plain"].startswith("<Ledger of 3 steps")

    stepper = outputs["stepper"]["text/html"]
    assert stepper.startswith("<iframe") and "srcdoc=" in stepper
    page = html.unescape(stepper.split('srcdoc="', 1)[1].split('"', 1)[0])
    assert page.lstrip().lower().startswith("<!doctype html") and "<svg" in page
