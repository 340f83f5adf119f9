"""The README's demo: the lecture neuron's ledger, gradients, a checked derivation, and the
files it writes."""

import sys

from examples import demo


def test_demo_prints_the_ledger_and_writes_svg_and_stepper(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["demo.py", str(tmp_path / "pictures")])
    demo.main()
    out = capsys.readouterr().out
    assert "1 - o**2" in out  # the ledger's first chain-rule line
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.strip()}
    assert rows["x1"] == ["2.0000", "-1.5000"] and rows["w1"] == ["-3.0000", "1.0000"]
    assert rows["w2"] == ["1.0000", "0.0000"] and rows["b"] == ["6.8814", "0.5000"]
    assert "o -> n -> x1*w1 + x2*w2 -> x1*w1 -> w1" in out
    assert "no pictures written" not in out  # graphviz and graphviz-pure are test deps
    slip = out.index(f"checked derivation: do/dw1 = {demo.SLIP}?")
    diagnosis = out.index("diagnosis:   tanh's derivative 1 - out**2 applied to the node's "
                          "input", slip)
    assert "at:          x1 = 1.0, w1 = 0.0, x2 = 0.0, w2 = 0.0, b = 1.0" in out[slip:diagnosis]
    corrected = out.index(f"corrected: do/dw1 = {demo.CORRECTED}", diagnosis)
    assert out.index("with respect to w1 hold at 200 points (seed 0)", corrected) < out.index(
        "graph:   ")
    svg = tmp_path / "pictures" / "neuron.svg"
    page = tmp_path / "pictures" / "neuron_stepper.html"
    assert f"graph:   {svg}" in out and f"stepper: {page}" in out
    assert "<svg" in svg.read_text() and "const LEDGER" in page.read_text()


def test_demo_without_hypothesis_says_how_to_get_the_checked_derivation(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "hypothesis", None)  # import hypothesis raises ImportError
    demo.checked_derivation()
    assert capsys.readouterr().out == ("checked derivation skipped: hypothesis is not installed "
                                       "(pip install 'gradledger[check]')\n")
