"""The examples in the viz docstrings run and print what they say."""

import doctest
import importlib

import pytest

MODULES = [
    "viz.number_format", "viz.naming", "viz.ledger", "viz.formatting", "viz.explain",
    "viz.drawing", "viz.rendering", "viz.frames", "viz.stepper", "viz.clusters", "autograd.expr",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write under out/ here
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
