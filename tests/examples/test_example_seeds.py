"""Each seed example agrees with its hand derivation to 1e-10, and shows each slip."""

import subprocess
import sys
from pathlib import Path

import pytest

from examples import (
    seed_000_neural_block,
    seed_001_two_layer_bce,
    seed_002_n_layer_l2,
    seed_003_sigmoid_sse_training,
    seed_004_softmax_cross_entropy,
)

TOLERANCE = 1e-10
SLIP = 1e-3  # a slip's version must be visibly wrong, not just rounding
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_seed_000_delta_formulas(activation):
    r = seed_000_neural_block.check(activation)
    for key in ("delta_w", "delta_b", "delta_x", "update"):
        assert r[key] <= TOLERANCE, key
    assert r["literal_delta_w"] > SLIP  # the sum over i, as written, is wrong
    assert r["literal_delta_b"] > SLIP


def test_seed_000_neural_chain_section_2():
    assert seed_000_neural_block.check_chain() <= TOLERANCE


def test_seed_001_vector_form_backward_equations():
    r = seed_001_two_layer_bce.check()
    for key in seed_001_two_layer_bce.CHECKS:
        assert r[key] <= TOLERANCE, key
    assert r["first_line_is_minus_second"] <= TOLERANCE  # the missing minus sign
    assert r["first_line_value"] < 0 < r["second_line_value"]
    assert r["first_line_z_bar_is_y_minus_o"] <= TOLERANCE
    assert r["first_line_z_bar_vs_seed_z_bar"] > SLIP
    assert r["W_bar_shape"] == (3, 1) and r["W_shape"] == (1, 3)


def test_seed_002_layer_by_layer_formulas():
    r = seed_002_n_layer_l2.check()
    assert set(r) == {"loss", "update", "W^0", "b^0", "W^1", "b^1", "W^2", "b^2"}
    assert max(r.values()) <= TOLERANCE


def test_seed_003_manual_updates_step_for_step():
    r = seed_003_sigmoid_sse_training.check(steps=300)
    assert r["weights"] <= TOLERANCE
    assert r["final_loss"] < r["first_loss"]
    assert r["gradient_is_minus_d2"] <= TOLERANCE  # d2 is minus the gradient
    assert r["gradient_vs_plus_d2"] > SLIP
    assert r["literal_sigma_prime_of_y_hat"] > SLIP


def test_seed_004_softmax_cross_entropy_and_the_sum_over_j():
    r = seed_004_softmax_cross_entropy.check()
    assert len(r["checks"]) == 10
    assert max(r["checks"].values()) <= TOLERANCE
    assert r["single_j_smallest"] > SLIP  # without the sum over j no term matches
    assert r["seed_without_sum_assumption"] > SLIP


@pytest.mark.parametrize(
    "script",
    ["seed_000_neural_block.py", "seed_001_two_layer_bce.py", "seed_002_n_layer_l2.py",
     "seed_003_sigmoid_sse_training.py", "seed_004_softmax_cross_entropy.py"],
)
def test_each_example_runs_on_its_own(script):
    result = subprocess.run([sys.executable, str(ROOT / "examples" / script)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "PASS"
    assert "largest difference" in lines[-2]
    assert "slip" in result.stdout.lower() or "note" in result.stdout.lower()
