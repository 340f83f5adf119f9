"""The house has no arrows back up: autograd imports no nn or viz, nn no viz, no 2-cycles.

Checked twice: by importing in a fresh interpreter (what actually gets loaded), and by
reading every module's source with `ast`, including imports inside functions, which an
import alone never runs.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autograd", "nn", "viz")
# Each package may import only the ones below it: autograd is the ground floor, nn builds
# on it, and viz sits on top (it may import nn to recognise module scopes).
MAY_IMPORT = {"autograd": {"autograd"}, "nn": {"autograd", "nn"}, "viz": set(PACKAGES)}


@pytest.mark.parametrize(
    "module", ["autograd", "autograd.testing", "autograd.testing.strategies"]
)
def test_importing_the_engine_loads_no_nn_and_no_viz(module):
    code = (f"import {module}, sys; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('nn','viz')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def module_name(path: Path) -> str:
    """autograd/testing/checks.py -> autograd.testing.checks; a package's __init__ -> its name."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {
    module_name(path): path
    for package in PACKAGES
    for path in sorted((ROOT / package).rglob("*.py"))
}


def imports_of(name: str, source: str, filename: str = "<source>") -> dict[str, int]:
    """The project modules that module `name` imports anywhere in source, with a line number.

    `from p import m` counts as importing the module p.m when m is one, else p itself;
    relative imports are resolved; `importlib.import_module("...")` with a literal counts.
    """
    package = name if MODULES.get(name, Path()).name == "__init__.py" else name.rpartition(".")[0]
    found: dict[str, int] = {}

    def add(target: str, line: int) -> None:
        if target.split(".")[0] in PACKAGES and target != name:
            found.setdefault(target, line)

    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                add(submodule if submodule in MODULES else base, node.lineno)
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and ast.unparse(node.func) in ("importlib.import_module", "import_module",
                                             "__import__")):
            add(node.args[0].value, node.lineno)
    return found


def import_graph() -> dict[str, dict[str, int]]:
    return {name: imports_of(name, path.read_text(), str(path)) for name, path in MODULES.items()}


def upward_imports(graph: dict[str, dict[str, int]]) -> list[str]:
    """Imports from a package to one above it, as "module:line imports target"."""
    return [
        f"{MODULES[name].relative_to(ROOT)}:{line} imports {target}"
        for name, targets in sorted(graph.items())
        for target, line in sorted(targets.items())
        if target.split(".")[0] not in MAY_IMPORT[name.split(".")[0]]
    ]


def mutual_imports(graph: dict[str, dict[str, int]]) -> list[tuple[str, str]]:
    """Pairs (a, b), a < b, where a imports b and b imports a."""
    return sorted(
        (a, b) for a, targets in graph.items() for b in targets if a < b and a in graph.get(b, {})
    )


def describe(graph: dict[str, dict[str, int]], pair: tuple[str, str]) -> str:
    a, b = pair
    where_a = f"{MODULES[a].relative_to(ROOT)}:{graph[a][b]}"
    where_b = f"{MODULES[b].relative_to(ROOT)}:{graph[b][a]}"
    return f"{a} and {b} import each other ({where_a}, {where_b})"


def test_every_package_is_read():
    expected = {"autograd", "autograd.testing.strategies", "nn", "nn.strategies", "viz.cli"}
    assert expected <= set(MODULES)


def test_no_package_imports_one_above_it():
    assert upward_imports(import_graph()) == []


def test_no_two_modules_import_each_other():
    graph = import_graph()
    pairs = mutual_imports(graph)
    assert [describe(graph, pair) for pair in pairs] == []


def test_the_checks_catch_an_upward_import_and_a_mutual_import():
    graph = {
        "autograd.graph": imports_of(
            "autograd.graph", "def draw():\n    from viz.drawing import draw_graph\n"
        ),
        "viz.drawing": imports_of("viz.drawing", "from viz.rendering import write_graph\n"),
        "viz.rendering": imports_of("viz.rendering", "from . import drawing\n"),
    }
    assert upward_imports(graph) == ["autograd/graph.py:2 imports viz.drawing"]
    assert mutual_imports(graph) == [("viz.drawing", "viz.rendering")]
    assert imports_of("autograd.testing.checks", "import importlib\n"
                      "importlib.import_module('nn.mlp')\nfrom ..graph import x\n") == {
        "nn.mlp": 2, "autograd.graph": 3}
