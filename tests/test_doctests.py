"""Every docstring example in autograd, nn and viz runs and prints what it says.

Modules are found by walking the packages, so a new module's examples run with no edit here.
"""

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import autograd
import nn
import viz


def _modules_with_examples():
    names = []
    for package in (autograd, nn, viz):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            spec = importlib.util.find_spec(info.name)
            if spec and spec.origin and ">>>" in Path(spec.origin).read_text():
                names.append(info.name)
    return names


MODULES = _modules_with_examples()


def test_the_walk_finds_the_known_examples():
    assert {"autograd.forward", "autograd.expr", "nn.mlp", "viz.ledger"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write under out/ here
    result = doctest.testmod(
        importlib.import_module(name), extraglobs={"nn": nn}, optionflags=doctest.ELLIPSIS
    )
    assert result.failed == 0
    assert result.attempted > 0
