"""Toy datasets: shapes, labels, geometry, reproducibility and bad arguments."""

import math

import pytest

from nn import data

GENERATORS = [data.make_moons, data.make_circles, data.make_xor, data.make_spirals,
              data.make_blobs]


@pytest.mark.parametrize("make", GENERATORS)
def test_shapes_labels_and_seeds(make):
    X, y = make(40, seed=3)
    assert len(X) == len(y) == 40
    assert all(len(p) == 2 and all(isinstance(c, float) for c in p) for p in X)
    assert all(isinstance(label, int) for label in y)
    assert make(40, seed=3) == (X, y)
    assert make(40, seed=4) != (X, y)


def test_moons_without_noise_lie_on_the_two_half_circles():
    X, y = data.make_moons(50, seed=0)
    for (a, b), label in zip(X, y, strict=True):
        if label == 0:
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12
    assert y.count(0) == 25 and y.count(1) == 25


def test_circles_radii():
    X, y = data.make_circles(20, factor=0.3, seed=0)
    for p, label in zip(X, y, strict=True):
        assert math.hypot(*p) == pytest.approx(1.0 if label == 0 else 0.3)


def test_xor_labels_follow_the_signs():
    X, y = data.make_xor(100, seed=1)
    assert all(label == int(a * b < 0) for (a, b), label in zip(X, y, strict=True))
    assert 0 < sum(y) < 100


def test_spirals_classes_and_radius():
    X, y = data.make_spirals(31, n_classes=3, seed=0)
    assert [y.count(c) for c in range(3)] == [11, 10, 10]
    assert all(math.hypot(*p) <= 1.0 + 1e-12 for p in X)


def test_blobs_stay_near_their_centers():
    centers = [[0.0, 0.0], [10.0, 10.0]]
    X, y = data.make_blobs(40, centers=centers, cluster_std=0.1, seed=0)
    for p, label in zip(X, y, strict=True):
        assert math.dist(p, centers[label]) < 1.0
    X, y = data.make_blobs(30, centers=3, seed=0)
    assert sorted(set(y)) == [0, 1, 2]


def test_noise_moves_points():
    clean, _ = data.make_moons(10, seed=0)
    noisy, _ = data.make_moons(10, noise=0.2, seed=0)
    assert clean != noisy


def test_signed_labels():
    assert data.signed([0, 1]) == [-1, 1]
    with pytest.raises(ValueError, match="maps labels 0 and 1, got 2"):
        data.signed([2])


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: data.make_moons(0), ValueError, "n_samples must be at least 1"),
        (lambda: data.make_moons(10.5), TypeError, "n_samples must be an int"),
        (lambda: data.make_moons(10, noise=-0.1), ValueError, "noise must be finite"),
        (lambda: data.make_xor(10, noise=math.nan), ValueError, "noise"),
        (lambda: data.make_circles(10, factor=1.5), ValueError, "factor"),
        (lambda: data.make_spirals(10, n_classes=0), ValueError, "n_classes"),
        (lambda: data.make_blobs(10, centers=[]), ValueError, "centers"),
        (lambda: data.make_blobs(10, centers=[[1.0]]), ValueError, "each center"),
        (lambda: data.make_blobs(10, cluster_std=-1), ValueError, "cluster_std"),
        (lambda: data.make_moons(10, seed=[1]), TypeError, "seed"),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
