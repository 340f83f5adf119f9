"""Every Python snippet in README.md runs as written and prints what the README shows."""

import contextlib
import io
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def _snippets():
    """Pairs (code, expected output or None) for each python block, in order."""
    blocks = BLOCK.findall(README.read_text())
    pairs = []
    for i, (kind, body) in enumerate(blocks):
        if kind != "python":
            continue
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        expected = following[1] if following and following[0] == "text" else None
        pairs.append((body, expected))
    return pairs


SNIPPETS = _snippets()


def _shell_sessions():
    """sh blocks followed by a text block: the commands and the output they should print."""
    blocks = BLOCK.findall(README.read_text())
    return [
        (body, blocks[i + 1][1])
        for i, (kind, body) in enumerate(blocks[:-1])
        if kind == "sh" and blocks[i + 1][0] == "text" and body.startswith(".venv/bin/")
    ]


SHELL_SESSIONS = _shell_sessions()


def test_readme_has_snippets():
    assert len(SNIPPETS) >= 5


@pytest.mark.parametrize(
    "code, expected", SNIPPETS, ids=[f"snippet{i}" for i in range(len(SNIPPETS))]
)
def test_snippet_runs_and_prints_what_the_readme_says(code, expected, tmp_path, monkeypatch):
    if "import torch" in code:
        pytest.importorskip("torch", reason="PyTorch (extra `torch`; the `test` extra has it)")
    monkeypatch.chdir(tmp_path)
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(code, str(README), "exec"), {"__name__": "__readme__"})
    if expected is not None:
        assert output.getvalue().rstrip() == expected.rstrip()


def test_readme_has_a_command_line_session():
    assert SHELL_SESSIONS


@pytest.mark.parametrize("commands, expected", SHELL_SESSIONS)
def test_command_line_session_prints_what_the_readme_says(commands, expected, tmp_path):
    printed = []
    for line in commands.strip().splitlines():
        argv = shlex.split(line)
        # The README's .venv/bin/python or .venv/bin/gradledger: this environment's own.
        program = Path(argv[0]).name
        argv[0] = sys.executable if program == "python" else str(
            Path(sys.executable).with_name(program)
        )
        result = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        printed.append(result.stdout + result.stderr)
    assert "".join(printed).rstrip() == expected.rstrip()
