"""Every Python snippet in README.md runs as written and prints what the README shows."""

import contextlib
import io
import re
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


def test_readme_has_snippets():
    assert len(SNIPPETS) >= 5


@pytest.mark.parametrize(
    "code, expected", SNIPPETS, ids=[f"snippet{i}" for i in range(len(SNIPPETS))]
)
def test_snippet_runs_and_prints_what_the_readme_says(code, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(code, str(README), "exec"), {"__name__": "__readme__"})
    if expected is not None:
        assert output.getvalue().rstrip() == expected.rstrip()
