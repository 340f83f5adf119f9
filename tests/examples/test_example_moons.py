"""The moons example: a small, fast run still learns; the plot and the float forward pass."""

import sys

import pytest

from examples import moons
from nn import MLP


@pytest.fixture(scope="module")
def trained():
    return moons.train(points=20, steps=30, report=None)


def test_small_moons_run_learns(trained):
    model, X, y, history = trained
    assert history[0]["loss"] > 0.8
    assert history[-2]["loss"] < 0.3
    assert history[-1]["accuracy"] >= 0.9
    assert sorted(set(y)) == [-1, 1]


def test_plain_forward_matches_the_model(trained):
    model, X, _, _ = trained
    weights = moons.weights_of(model)
    for x in X[:5]:
        assert moons.plain_forward(weights, x) == pytest.approx(model(x)[0].data, abs=1e-12)


def test_plot_is_a_png(trained, tmp_path):
    import matplotlib  # noqa: F401  (the plot extra, always in the test environment)
    model, X, y, _ = trained
    path = moons.save_plot(model, X, y, tmp_path / "sub" / "boundary.png", resolution=20)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_skipped_without_matplotlib(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    model = MLP(2, [2, 1], seed=0)
    assert moons.save_plot(model, [[0.0, 0.0]], [1], tmp_path / "x.png") is None
    assert not (tmp_path / "x.png").exists()


def test_main_writes_the_plot_where_asked(tmp_path, capsys):
    import matplotlib  # noqa: F401  (the plot extra, always in the test environment)
    target = tmp_path / "moons.png"
    status = moons.main([str(target), "--points", "8", "--steps", "3"])
    out = capsys.readouterr().out
    assert "final training accuracy" in out and str(target) in out
    assert target.exists()
    assert status in (0, 1)  # 3 steps need not reach 100%; the full run is checked by hand


def test_main_rejects_non_positive_counts(capsys):
    with pytest.raises(SystemExit) as info:
        moons.main(["--steps", "0"])
    assert info.value.code == 2
    assert "must be at least 1" in capsys.readouterr().err
