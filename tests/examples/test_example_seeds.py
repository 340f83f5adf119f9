"""Each seed example agrees with its hand derivation to 1e-10, and shows each slip.

Also: the plain-Python helpers the examples share compute what a hand calculation gives and
never import the engine, and every example runs on its own as a module.
"""

import math
import random
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from examples import (
    plain_math,
    seed_000_neural_block,
    seed_001_two_layer_bce,
    seed_002_n_layer_l2,
    seed_003_sigmoid_sse_training,
    seed_004_softmax_cross_entropy,
    seed_report,
    seed_setup,
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


def test_max_abs_diff_walks_nested_lists():
    assert plain_math.max_abs_diff([[1.0, 2.0], [3.0]], [[1.5, 2.0], [0.0]]) == 3.0
    assert plain_math.max_abs_diff([], []) == 0.0
    with pytest.raises(ValueError):
        plain_math.max_abs_diff([[1.0, 2.0]], [[1.0]])


def test_matrix_helpers_by_hand():
    A = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    assert plain_math.transpose(A) == [[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]
    assert plain_math.inner([1.0, 2.0], [3.0, -1.0]) == 1.0
    assert plain_math.matvec(A, [1.0, -1.0]) == [-1.0, -1.0, -1.0]
    assert plain_math.affine(A, [1.0, 1.0], [0.5, 0.0, -11.0]) == [3.5, 7.0, 0.0]
    assert plain_math.matmul([[1.0, 2.0]], [[3.0], [4.0]]) == [[11.0]]
    assert plain_math.hadamard([[1.0, 2.0]], [[3.0, 4.0]]) == [[3.0, 8.0]]
    assert plain_math.elementwise(lambda a, b, c: a + b * c, [[1.0]], [[2.0]], [[3.0]]) == [[7.0]]


def test_activation_helpers_by_hand():
    assert plain_math.sigmoid(0.0) == 0.5
    assert plain_math.sigmoid_prime(0.0) == 0.25
    assert plain_math.tanh_prime(0.0) == 1.0
    assert plain_math.DERIVATIVES["tanh"](0.5) == pytest.approx(1.0 / math.cosh(0.5) ** 2)


def test_verdict_prints_pass_or_fail(capsys):
    assert seed_report.print_verdict(1e-12) is True
    assert seed_report.print_verdict(1e-3, label="largest difference") is False
    assert capsys.readouterr().out.splitlines() == [
        "largest difference over all checks: 1.000e-12 (tolerance 1e-10)", "PASS",
        "largest difference: 1.000e-03 (tolerance 1e-10)", "FAIL"]


def test_randomize_biases_draws_only_the_biases_in_order():
    params = [(name, SimpleNamespace(data=0.0)) for name in ("W[0,0]", "b[0]", "W[1,0]", "b[1]")]
    seed_setup.randomize_biases(params, random.Random(5))
    reference = random.Random(5)
    assert [p.data for _, p in params] == [0.0, reference.uniform(-0.5, 0.5),
                                           0.0, reference.uniform(-0.5, 0.5)]


def test_shared_helpers_never_import_the_engine():
    code = ("import sys, examples.plain_math, examples.seed_report, examples.seed_setup; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in {'autograd', 'nn', 'viz'}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "module",
    ["seed_000_neural_block", "seed_001_two_layer_bce", "seed_002_n_layer_l2",
     "seed_003_sigmoid_sse_training", "seed_004_softmax_cross_entropy"],
)
def test_each_example_runs_on_its_own(module):
    result = subprocess.run([sys.executable, "-m", f"examples.{module}"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "PASS"
    assert "largest difference" in lines[-2]
    assert "slip" in result.stdout.lower() or "note" in result.stdout.lower()
