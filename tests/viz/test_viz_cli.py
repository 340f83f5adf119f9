"""`gradledger` (viz.cli): value, gradients, ledger, files, and one-line errors with exit 2."""

import math
import os
import re
import stat
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from autograd import Value
from autograd.expr import FUNCTIONS
from viz.cli import main, run
from viz.drawing import GraphDrawing
from viz.rendering import RenderError

ROOT = Path(__file__).resolve().parents[2]


def cli(capsys, *argv):
    try:
        status = run(list(argv))
    except SystemExit as exit_:  # argparse's own usage errors
        status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


def test_the_issue_example_prints_value_gradients_and_ledger(capsys):
    status, out, err = cli(capsys, "tanh(w*x + b)", "--at", "w=-3", "x=2", "b=6.88")
    assert status == 0 and err == ""
    lines = out.splitlines()
    o = math.tanh(-3.0 * 2.0 + 6.88)
    value = float(lines[0].split(" = ")[1].split()[0])
    assert lines[0].startswith("tanh(w*x + b) = ") and value == pytest.approx(o, rel=1e-15)
    assert lines[0].endswith("at w=-3.0, x=2.0, b=6.88")
    assert lines[1] == "gradients:"
    grads = {}
    for line in lines[2:5]:
        name, number = line.split(" = ")
        grads[name.strip()] = float(number)
    assert grads["d/dw"] == pytest.approx((1 - o * o) * 2.0, rel=1e-12)
    assert grads["d/dx"] == pytest.approx((1 - o * o) * -3.0, rel=1e-12)
    assert grads["d/db"] == pytest.approx(1 - o * o, rel=1e-12)
    assert "chain-rule ledger" in out
    ledger_rows = [line for line in lines if line.startswith(("0 ", "1 ", "2 ", "3 "))]
    assert len(ledger_rows) == 4
    assert "1 - (tanh(w*x + b))**2" in out


def test_ledger_styles(capsys):
    _, markdown, _ = cli(capsys, "x*y", "--at", "x=2", "y=3", "--ledger", "markdown")
    assert "| 1 | x\\*y | 1.0000 | x | 3.0000 | `y` | 3.0000 | 3.0000 |" in markdown
    _, latex, _ = cli(capsys, "x*y", "--at", "x=2", "y=3", "--ledger", "latex")
    assert r"\begin{tabular}" in latex
    _, none, _ = cli(capsys, "x*y", "--at", "x=2", "y=3", "--ledger", "none")
    assert "ledger" not in none and "d/dx = 3.0" in none


def test_writes_svg_png_dot_and_html(capsys, tmp_path):
    paths = {kind: tmp_path / f"out/g.{kind}" for kind in ("svg", "png", "dot", "html")}
    argv = ["tanh(w*x + b)", "--at", "w=-3", "x=2", "b=6.88", "--formulas"]
    for kind, path in paths.items():
        argv += [f"--{kind}", str(path)]
    status, out, err = cli(capsys, *argv)
    assert status == 0, err
    for path in paths.values():
        assert f"wrote {path}" in out
    assert paths["svg"].read_text().lstrip().startswith("<?xml")
    assert paths["png"].read_bytes()[:4] == b"\x89PNG"
    assert "x = 2.0000" in paths["dot"].read_text()  # d(w*x)/dw with its formula
    assert "const LEDGER" in paths["html"].read_text()


def test_missing_graphviz_is_one_line_and_exit_1(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # import graphviz now fails
    status, out, err = cli(capsys, "x*2", "--at", "x=1", "--svg", str(tmp_path / "g.svg"))
    assert status == 1
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "pip install 'gradledger[viz]'" in err
    assert not (tmp_path / "g.svg").exists()
    assert "d/dx = 2.0" in out  # the printed part still ran


def test_a_graph_over_the_size_guard_is_a_one_line_error(capsys, tmp_path):
    argv = ["x*2", "--at", "x=1", "--max-nodes", "2", "--dot", str(tmp_path / "g.dot")]
    status, _, err = cli(capsys, *argv)
    assert status == 2 and "max_nodes=2" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "argv, message",
    [
        (["x.__class__", "--at", "x=1"], "attribute access is not allowed (at column 1)"),
        (["__import__('os').system('true')"], "calling an expression is not allowed"),
        (["__import__('os')"], "calling '__import__' is not allowed (at column 1)"),
        (["(lambda: 1)()"], "calling an expression is not allowed"),
        (["[x for x in (1, 2)]"], "a list comprehension is not allowed"),
        (["w*x + b", "--at", "w=1", "x=2"], "no value for 'b': give it with --at b=NUMBER"),
        (["x*2", "--at", "x=1", "q=3"], "'q' does not appear in the expression (its names: x)"),
        (["x*2", "--at", "x=abc"], "'abc' is not a number"),
        (["x*2", "--at", "x"], "write NAME=NUMBER"),
        (["x*2", "--at", "x=1", "x=2"], "'x' is given twice"),
        (["x" * 5000], "the expression is 5000 characters long; the limit is 2000"),
        (["x +", "--at", "x=1"], "not a valid expression"),
        (["log(x)", "--at", "x=-1"], "log(x) needs x > 0"),
        (["1/x", "--at", "x=0"], "division by zero"),
        (["exp(x)", "--at", "x=1000"], "overflows"),
        ([], "the following arguments are required: expression"),
        (["x", "--at", "x=1", "--bogus"], "unrecognized arguments: --bogus"),
        (["x", "--ledger", "html", "--at", "x=1"], "argument --ledger: invalid choice"),
        (["x", "--at", "x=1", "--max-nodes", "0"], "--max-nodes must be at least 1"),
    ],
)
def test_bad_input_is_one_line_exit_2_no_traceback(capsys, argv, message):
    status, out, err = cli(capsys, *argv)
    assert status == 2
    assert message in err
    assert err.count("\n") == 1 and err.startswith("gradledger: error: ")
    assert "Traceback" not in err and out == ""


def run_module(*argv, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "viz", *argv],
        capture_output=True, text=True, cwd=ROOT, timeout=timeout,
    )


def test_as_a_real_process():
    done = run_module("tanh(w*x + b)", "--at", "w=-3", "x=2", "b=6.88")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("tanh(w*x + b) = 0.70641932039723")
    refused = run_module("__import__('os').system('echo hacked')")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr


def test_help_names_the_program_and_every_function_of_the_expression_language(capsys):
    status, out, _ = cli(capsys, "--help")
    assert status == 0
    assert out.startswith("usage: gradledger ")
    assert ", ".join(FUNCTIONS) in " ".join(out.split())  # argparse wraps the help lines


def test_gradledger_is_the_console_script_of_viz_cli_main():
    scripts = metadata.entry_points(group="console_scripts", name="gradledger")
    assert {script.value for script in scripts} == {"viz.cli:main"}
    assert next(iter(scripts)).load() is main


SCRIPT = Path(sys.executable).with_name("gradledger")


@pytest.mark.skipif(not SCRIPT.exists(), reason="pip install -e . puts gradledger beside python")
def test_the_installed_console_script_runs():
    done = subprocess.run([str(SCRIPT), "x*y", "--at", "x=2", "y=3", "--ledger", "none"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:4] == ["x*y = 6.0   at x=2.0, y=3.0", "gradients:",
                                            "  d/dx = 3.0", "  d/dy = 2.0"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["exp*2"], "'exp' is a function; call it as exp(...) (at column 1)"),
        (["tanh(tanh)"], "'tanh' is a function; call it as tanh(...) (at column 6)"),
        (["x + relu", "--at", "x=1"], "'relu' is a function; call it as relu(...) (at column 5)"),
        (["1" + "0" * 400 + "*x", "--at", "x=1"], "is too large (at column 1)"),
        (["x*2", "--at", "x=1e999"], "--at 'x=1e999': 1e999 is not a finite number"),
        (["x*2", "--at", "x=nan"], "--at 'x=nan': nan is not a finite number"),
        (["x*2", "--at", "x=-inf"], "--at 'x=-inf': -inf is not a finite number"),
        (["  x.y", "--at", "x=1"], "attribute access is not allowed (at column 3)"),
        (["  x +* 2", "--at", "x=1"], "at column 6"),
        (["x*2", "--at", "x=1", "--dot", "c.svg"], "--dot c.svg: the name ends in .svg"),
        (["x*2", "--at", "x=1", "--svg", "c.png"], "--svg c.png: the name ends in .png"),
        (["x*2", "--at", "x=1", "--html", "c.dot"], "--html c.dot: the name ends in .dot"),
    ],
)
def test_more_bad_input_is_one_line_exit_2(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    status, out, err = cli(capsys, *argv)
    assert status == 2, err
    assert message in err
    assert err.count("\n") == 1 and err.startswith("gradledger: error: ")
    assert "Traceback" not in err and out == ""
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_syntax_error_column_counts_leading_spaces(capsys):
    _, _, without = cli(capsys, "x +* 2", "--at", "x=1")
    _, _, with_spaces = cli(capsys, "   x +* 2", "--at", "x=1")
    column = int(without.rsplit("at column ", 1)[1].split()[0].rstrip(")"))
    assert f"at column {column + 3}" in with_spaces


def test_at_names_are_nfkc_normalised_like_python_identifiers(capsys):
    status, out, err = cli(capsys, "ℌ*2", "--at", "ℌ=2")
    assert status == 0, err
    assert "d/dH = 2.0" in out


def test_matching_or_unknown_suffixes_are_written(capsys, tmp_path):
    argv = ["x*2", "--at", "x=1", "--dot", str(tmp_path / "g.gv"), "--svg", str(tmp_path / "g")]
    status, out, err = cli(capsys, *argv)
    assert status == 0, err
    assert "digraph" in (tmp_path / "g.gv").read_text()
    assert "<svg" in (tmp_path / "g").read_text()


def test_an_unexpected_error_is_one_line_exit_1(capsys, monkeypatch):
    import viz.cli as cli_module

    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(cli_module, "parse_bindings", broken)
    status, out, err = cli(capsys, "x*2", "--at", "x=1")
    assert status == 1
    assert err == "gradledger: internal error: KeyError: 'boom' (please report it)\n"


def test_an_unexpected_arithmetic_error_is_bad_input_exit_2(capsys, monkeypatch):
    import viz.cli as cli_module

    def overflowing(*args, **kwargs):
        raise OverflowError("int too large to convert to float")

    monkeypatch.setattr(cli_module, "parse_bindings", overflowing)
    status, out, err = cli(capsys, "x*2", "--at", "x=1")
    assert status == 2
    assert err == "gradledger: error: OverflowError: int too large to convert to float\n"


# Issue 15, defects 1, 3 and 4: the CLI's outputs are checked up front, written all or
# nothing, never over a device or FIFO, and a value used 100 times draws quickly.


def snapshot_folder(folder):
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() and not p.is_symlink()
                                     else None, stat.S_IFMT(os.lstat(p).st_mode))
        for p in sorted(Path(folder).rglob("*"))
    }


def test_a_failing_output_leaves_no_file_new_or_changed(capsys, tmp_path, monkeypatch):
    import viz.cli as cli_module

    (tmp_path / "ok.svg").write_text("the old picture")
    before = snapshot_folder(tmp_path)
    real_pipe = cli_module.draw_graph(Value(1.0)).pipe.__func__

    def pipe(self, fmt="svg", renderer="auto"):
        if fmt == "png":
            raise RenderError("graphviz-pure failed to render png: out of memory (simulated)")
        return real_pipe(self, fmt, renderer)

    monkeypatch.setattr(GraphDrawing, "pipe", pipe)
    argv = ["x*2", "--at", "x=1", "--svg", str(tmp_path / "ok.svg"),
            "--dot", str(tmp_path / "new" / "g.dot"), "--png", str(tmp_path / "g.png")]
    status, out, err = cli(capsys, *argv)
    assert status == 1, err
    assert "simulated" in err and "no file written" in err and err.count("\n") == 1
    assert "wrote" not in out
    assert snapshot_folder(tmp_path) == before  # ok.svg untouched, no new/ folder


def test_a_failing_rename_puts_every_file_back(capsys, tmp_path, monkeypatch):
    from nn import serialization

    (tmp_path / "ok.svg").write_text("the old picture")
    (tmp_path / "ok.svg").chmod(0o600)
    before = snapshot_folder(tmp_path)
    real_replace = os.replace

    def replace(src, dst):
        if str(dst).endswith(".html"):
            raise OSError("disk full (simulated)")
        return real_replace(src, dst)

    monkeypatch.setattr(serialization.os, "replace", replace)
    argv = ["x*2", "--at", "x=1", "--svg", str(tmp_path / "ok.svg"),
            "--html", str(tmp_path / "missing" / "dir" / "x.html")]
    status, out, err = cli(capsys, *argv)
    assert status == 1
    assert "none was written or changed" in err and "simulated" in err
    assert snapshot_folder(tmp_path) == before
    assert stat.S_IMODE((tmp_path / "ok.svg").stat().st_mode) == 0o600


def test_the_same_file_for_two_outputs_is_refused_up_front(capsys, tmp_path):
    (tmp_path / "real").write_text("keep")
    (tmp_path / "link").symlink_to("real")
    cases = [
        ["--svg", "same", "--html", "same"],
        ["--svg", "a", "--png", "sub/../a"],
        ["--png", "real", "--html", "link"],
    ]
    for flags in cases:
        before = snapshot_folder(tmp_path)
        status, out, err = cli(capsys, "x*2", "--at", "x=1",
                               *[str(tmp_path / f) if not f.startswith("--") else f
                                 for f in flags])
        assert status == 2, flags
        assert "name the same file" in err and err.count("\n") == 1
        assert out == ""  # refused before anything is computed or printed
        assert snapshot_folder(tmp_path) == before


def test_a_fifo_device_or_directory_output_is_refused_up_front(capsys, tmp_path):
    os.mkfifo(tmp_path / "pipe.svg")
    if os.geteuid() == 0:
        device = tmp_path / "null"
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    else:
        device = Path("/dev/null")  # a non-root process cannot replace it
    (tmp_path / "folder").mkdir()
    (tmp_path / "dangling.svg").symlink_to("nowhere.svg")
    cases = {
        "pipe.svg": "a named pipe (FIFO)",
        str(device): "a character device",
        "folder": "a directory",
        "dangling.svg": "which does not exist",
    }
    before = snapshot_folder(tmp_path)
    for path, kind in cases.items():
        status, out, err = cli(capsys, "x*2", "--at", "x=1", "--svg", str(tmp_path / path))
        assert status == 2 and out == "", path
        assert kind in err and err.count("\n") == 1
    assert snapshot_folder(tmp_path) == before
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_a_path_under_a_file_is_refused_up_front(capsys, tmp_path):
    (tmp_path / "blocked").write_text("a file")
    status, out, err = cli(capsys, "x*2", "--at", "x=1", "--svg", str(tmp_path / "ok.svg"),
                           "--html", str(tmp_path / "blocked" / "x.html"))
    assert status == 2 and out == ""
    assert "--html" in err and "cannot write there: Not a directory" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocked"]


def test_outputs_keep_the_mode_of_the_files_they_replace(capsys, tmp_path):
    for name in ("g.svg", "g.dot", "g.html"):
        (tmp_path / name).write_text("old")
        (tmp_path / name).chmod(0o600)
    argv = ["x*2", "--at", "x=1"]
    for flag in ("svg", "dot", "html"):
        argv += [f"--{flag}", str(tmp_path / f"g.{flag}")]
    status, _, err = cli(capsys, *argv)
    assert status == 0, err
    for name in ("g.svg", "g.dot", "g.html"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
        assert (tmp_path / name).read_text() != "old"


HUNDRED_XS = "+".join(["x"] * 100)


def test_a_value_used_a_hundred_times_draws_from_copies(capsys, tmp_path):
    status, out, err = cli(capsys, HUNDRED_XS, "--at", "x=1", "--ledger", "none",
                           "--dot", str(tmp_path / "g.dot"))
    assert status == 0, err
    assert "d/dx = 100.0" in out
    assert "drawn from a dashed copy" in out
    source = (tmp_path / "g.dot").read_text()
    # x+x is op 1, and op k is 2k - 1 ranks from x: ops 1 to 8 (9 edges, span <= 16) are
    # drawn from x itself, the other 91 uses from copies.
    assert len(re.findall(r"\tv0_copy\d+_\d+ \[", source)) == 91
    assert "note: 91 far use(s) of a value are drawn from a dashed copy" in out


def test_a_value_used_a_hundred_times_renders(tmp_path):
    # Before the bound, graphviz-pure ran for minutes on this; the timeout only stops a hang.
    done = run_module(HUNDRED_XS, "--at", "x=1", "--ledger", "none",
                      "--svg", str(tmp_path / "g.svg"), timeout=600)
    assert done.returncode == 0, done.stderr
    assert "<svg" in (tmp_path / "g.svg").read_text()


def test_printed_text_carries_no_escape_codes(capsys):
    status, out, err = cli(capsys, "x # \x1b[2J\x1b]8;;http://x\x07", "--at", "x=1",
                           "--ledger", "none")
    assert status == 0, err
    assert "\x1b" not in out and "\x07" not in out
    assert out.startswith("x # \\x1b[2J\\x1b]8;;http://x\\x07 = 1.0")
    status, out, err = cli(capsys, "x", "--at", "x=1", "--bogus\x1b[31m")
    assert status == 2 and "\x1b" not in err and "--bogus\\x1b[31m" in err


def test_bytes_that_are_not_utf8_are_named(capsys):
    status, out, err = cli(capsys, "x\udcff", "--at", "x=1")
    assert status == 2 and out == ""
    assert err == ("gradledger: error: the expression holds bytes that are not valid UTF-8 "
                   "(at column 2)\n")
