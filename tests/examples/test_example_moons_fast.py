"""The moons example's batched replay path gives the dynamic path's losses and weights."""

import pytest

from examples import moons


def test_batched_replay_trains_exactly_like_the_dynamic_graph():
    fast = moons.train(points=12, steps=4, report=None, fast=True)
    slow = moons.train(points=12, steps=4, report=None, fast=False)
    fast_losses = [h["loss"] for h in fast[3][:-1]]
    slow_losses = [h["loss"] for h in slow[3][:-1]]
    assert fast_losses == pytest.approx(slow_losses, rel=1e-12)
    assert [h["accuracy"] for h in fast[3]] == [h["accuracy"] for h in slow[3]]
    fast_weights = [p.data for p in fast[0].parameters()]
    slow_weights = [p.data for p in slow[0].parameters()]
    assert fast_weights == pytest.approx(slow_weights, rel=1e-10, abs=1e-12)


def test_main_says_which_path_it_took(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(moons, "save_plot", lambda *args: None)
    moons.main([str(tmp_path / "m.png"), "--points", "6", "--steps", "2"])
    assert "batched replay with numpy" in capsys.readouterr().out
    moons.main([str(tmp_path / "m.png"), "--points", "6", "--steps", "2", "--dynamic"])
    assert "dynamic Value graphs" in capsys.readouterr().out
