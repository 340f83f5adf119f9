"""Fuzzing the command line (issue 15): hostile argv in, one clean line or clean output out.

Random argv: expressions from a small grammar or junk, --at pairs good and bad, every
flag, and output paths among a prepared folder's regular files, a 0600 file, a FIFO, a
directory, a symlink, a broken link, a path under a file, a new folder and one path used
twice. The renderer is replaced by a stand-in that can fail, so the property is about
the command line and its files, not about graphviz (tests/viz covers real rendering).

Properties: the exit status is 0, 1 or 2 and never an internal error; a failure prints
exactly one line on stderr; nothing printed holds a control character or a lone
surrogate; a failed run leaves every file as it was (nothing new, nothing changed, the
FIFO still a FIFO); a successful run wrote every requested file and touched nothing else,
keeping the 0600 file 0600.

Example counts follow the hypothesis profile (tests/conftest.py): twice its count, so
80 by default (seconds in all) and 600 with HYPOTHESIS_PROFILE=dev.
"""

import contextlib
import io
import os
import stat
import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import viz.graph_drawing
import viz.stepper
from viz.cli import parse_bindings, run
from viz.rendering import RenderError

EXAMPLES = settings.default.max_examples
FUZZ = settings(max_examples=EXAMPLES * 2, suppress_health_check=[HealthCheck.too_slow])

NAMES = ["x", "y", "w", "ℌ", "x1", "H"]
UNARY = ["exp", "log", "tanh", "sigmoid", "relu", "sin", "cos", "sqrt", "abs", "log1p"]
NUMBERS = ["0", "1", "2", "0.5", "1e308", "1e-320", "10", "3.25", "0x10", "1_000"]

expressions = st.recursive(
    st.sampled_from(NAMES) | st.sampled_from(NUMBERS),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**", "%"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(UNARY), inner).map(lambda t: f"{t[0]}({t[1]})"),
        inner.map(lambda e: f"(-{e})"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} if {t[1]} > 0 else {t[2]})"),
    ),
    max_leaves=6,
)
JUNK = [
    "", " ", "x +", "__import__('os')", "x.__class__", "lambda: 1", "[x for x in y]", "x # \x1b[2J",
    "x\udcff", "x\x00", "exp", "x\r+1", "\u202ex", "1" * 500, "(" * 300 + "x" + ")" * 300,
    "x" * 3000, "'s'", "x; y", "x\n+1", "--help", "-x", "_", "1e999 * x", "x if x else y",
]
at_values = st.sampled_from(
    ["1", "-2.5", "0", "nan", "inf", "-inf", "abc", "1e999", "", " 3 ", "0x1", "1\x1b[31m",
     "\udcff", "1e-400", "1_0"]
) | st.floats(allow_nan=False, allow_infinity=False).map(repr)
at_pairs = st.one_of(
    st.tuples(st.sampled_from(NAMES), at_values).map(lambda t: f"{t[0]}={t[1]}"),
    st.sampled_from(["x", "=1", "x==1", "=", "x=1=2", "ℌ=2", " x = 1 ", "\x1b=1"]),
)

# The prepared folder (made fresh for each example): what each name is.
PLACES = {
    "a.svg": None, "a.png": None, "a.dot": None, "a.html": None, "a": None,
    "existing.dot": "file", "private.html": "private", "pipe.svg": "fifo", "folder": "dir",
    "link.dot": "link", "dangling.svg": "dangling", "plain/under.html": None,
    "new/deep/g.dot": None, "g.pdf": None, "g.gv": None, "same": None,
}
SUFFIX_OF = {"svg": "svg", "png": "png", "dot": "dot", "html": "html"}


def prepare(folder: Path) -> None:
    (folder / "existing.dot").write_text("old dot")
    (folder / "private.html").write_text("old page")
    (folder / "private.html").chmod(0o600)
    os.mkfifo(folder / "pipe.svg")
    (folder / "folder").mkdir()
    (folder / "link.dot").symlink_to("existing.dot")
    (folder / "dangling.svg").symlink_to("nowhere.svg")
    (folder / "plain").write_text("a file where a folder could be")


def snapshot(folder: Path) -> dict:
    state = {}
    for path in sorted(folder.rglob("*")):
        status = os.lstat(path)
        content = None
        if stat.S_ISREG(status.st_mode):
            content = path.read_bytes()
        elif stat.S_ISLNK(status.st_mode):
            content = os.readlink(path)
        state[str(path.relative_to(folder))] = (
            stat.S_IFMT(status.st_mode), stat.S_IMODE(status.st_mode), content
        )
    return state


SAFE_VALUES = ["0.5", "1", "2", "-1.5", "3", "0.25"]
GOOD_PLACES = {"svg": ["a.svg", "a", "new/deep/g.svg"], "png": ["a.png", "a"],
               "dot": ["a.dot", "existing.dot", "link.dot", "g.gv", "new/deep/g.dot"],
               "html": ["a.html", "private.html", "new/deep/p.html"]}
TWEAKS = [
    ["--ledger", "text"], ["--ledger", "markdown"], ["--ledger", "latex"], ["--ledger", "none"],
    ["--formulas"], ["--max-nodes", "100000"], ["--ledger", "html"], ["--max-nodes", "3"],
    ["--max-nodes", "0"], ["--max-nodes", "abc"], ["--bogus"], ["--at"], ["-h"], ["--svg"],
    ["\x1b[31m"],
]


def names_in(expression: str) -> list[str]:
    from autograd.expr import ExpressionError, parse

    try:
        return list(parse(expression).names)
    except (ExpressionError, ValueError, ArithmeticError):
        return []


@st.composite
def argvs(draw):
    """Mostly runs that should work (so the writing is exercised), with hostile parts."""
    if draw(st.integers(0, 3)) > 0:
        expression = draw(expressions)
        argv = [expression]
        names = names_in(expression)
        if names:
            argv += ["--at", *(f"{n}={draw(st.sampled_from(SAFE_VALUES))}" for n in names)]
        outputs = {}
        for flag in draw(st.lists(st.sampled_from(list(GOOD_PLACES)), unique=True, max_size=4)):
            outputs[flag] = draw(st.sampled_from(GOOD_PLACES[flag]))
        if len({p for p in outputs.values()}) < len(outputs):
            outputs.popitem()
    else:
        argv = [draw(expressions | st.sampled_from(JUNK) | st.text(max_size=12))]
        outputs = {}
    if draw(st.integers(0, 3)) == 0:  # hostile parts: bad --at pairs, odd places for files
        argv += ["--at", *draw(st.lists(at_pairs, min_size=1, max_size=3))]
    if draw(st.integers(0, 2)) == 0:
        for flag in draw(st.lists(st.sampled_from(list(SUFFIX_OF)), unique=True, max_size=2)):
            outputs[flag] = draw(st.sampled_from(list(PLACES)))
    for flag, place in outputs.items():
        argv += [f"--{flag}", place]
    for tweak in draw(st.lists(st.sampled_from(TWEAKS[:6]) | st.sampled_from(TWEAKS),
                               max_size=2)):
        argv += tweak
    return argv, outputs


def fake_render_source(fails: bool):
    def render_source(source, fmt="svg", renderer="auto"):
        source.encode("utf-8")  # what the real renderer is given must be UTF-8
        if fails:
            raise RenderError("graphviz-pure failed to render svg: out of memory (stand-in)")
        return b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>'
    return render_source


def run_cli(argv, folder):
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = run(argv)
            except SystemExit as exit_:  # argparse: --help (0) or a usage error (2)
                status = exit_.code
    finally:
        os.chdir(cwd)
    return status, out.getvalue(), err.getvalue()


def printable(text: str) -> bool:
    return all(ch == "\n" or (ch >= " " and not "\x7f" <= ch <= "\x9f") for ch in text) and (
        text.encode("utf-8", "strict") is not None
    )


@FUZZ
@given(case=argvs(), renderer_fails=st.booleans())
def test_the_command_line_fails_cleanly_and_writes_all_or_nothing(case, renderer_fails):
    argv, outputs = case
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        prepare(folder)
        before = snapshot(folder)
        fake = fake_render_source(renderer_fails)
        with mock.patch.object(viz.graph_drawing, "render_source", fake), \
                mock.patch.object(viz.stepper, "render_source", fake):
            status, out, err = run_cli(argv, folder)
        after = snapshot(folder)

    event(f"exit {status}" + (f": {err[19:49]}" if status else ""))
    assert status in (0, 1, 2), (status, err)
    assert "internal error" not in err and "Traceback" not in err
    assert printable(out) and printable(err)
    help_asked = status == 0 and out.startswith("usage: ")
    if status != 0:
        assert err.count("\n") == 1 and err.startswith("gradledger: error: "), err
        assert after == before, "a failed run changed the folder"
        return
    assert err == ""
    if help_asked or not outputs:
        assert after == before
        return
    event(f"wrote {len(outputs)} file(s)")
    written = set()
    for place in outputs.values():
        real = "existing.dot" if place == "link.dot" else place
        assert after[real][0] == stat.S_IFREG and after[real][2] != before.get(real, (0,) * 3)[2]
        written.add(real)
        if real == "private.html":
            assert after[real][1] == 0o600
        if real == "existing.dot":
            assert after["link.dot"] == before["link.dot"]
    for place, entry in after.items():
        if place in written:
            continue
        if place in before:
            assert entry == before[place], f"{place} changed"
        else:
            assert entry[0] == stat.S_IFDIR, f"{place} is new"  # a folder made for a file


@FUZZ
@given(st.lists(at_pairs | st.text(max_size=8), max_size=5),
       st.lists(st.sampled_from(NAMES), unique=True, max_size=3))
def test_parse_bindings_gives_finite_numbers_for_exactly_the_names_or_a_usage_error(pairs, names):
    from viz.cli import UsageError

    try:
        values = parse_bindings(pairs, names)
    except UsageError as err:
        assert "\n" not in str(err)
        event("refused")
        return
    event("accepted")
    assert sorted(values) == sorted(names)
    assert all(isinstance(v, float) and v == v and abs(v) != float("inf") for v in values.values())
