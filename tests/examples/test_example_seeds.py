"""The seed examples: check_derivation passes each seed's corrected claims, catches each slip
as the seed writes it with the right diagnosis, and every example runs on its own."""

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from autograd.testing import DerivationMismatch, DerivationReport
from examples import (
    seed_000_neural_block,
    seed_001_two_layer_bce,
    seed_002_n_layer_l2,
    seed_003_sigmoid_sse_training,
    seed_004_softmax_cross_entropy,
)
from examples.seed_report import Derivation, judge

ROOT = Path(__file__).resolve().parents[2]
FEW = 60  # points per check here; the examples themselves draw 200
SEEDS = [seed_000_neural_block, seed_001_two_layer_bce, seed_002_n_layer_l2,
         seed_003_sigmoid_sse_training, seed_004_softmax_cross_entropy]
SIGN = "sign flipped: claimed = -actual at every point tried"

# Per seed, per slip in SLIPS: the input whose claim fails and the start of the diagnosis
# (None: the claim has the wrong shape, a ValueError whose message is given instead).
EXPECTED = {
    seed_000_neural_block: [
        ("W", "a stray sum over i: every row of the claim is the same"),
        ("b", "a stray sum over i: every entry of the claim is the same")],
    seed_001_two_layer_bce: [
        (None, SIGN),  # every claim of the loss as written is wrong: whichever fails first
        ("W", None)],
    seed_002_n_layer_l2: [],
    seed_003_sigmoid_sse_training: [
        ("weights2", SIGN),
        ("weights2", "sigmoid' taken at the node's output: the claim uses sigmoid'(out) = "
                     "sigmoid'(sigmoid(u)) where the chain rule needs sigmoid'(u) = "
                     "out * (1 - out)")],
    seed_004_softmax_cross_entropy: [
        ("W2", "W3 where W3.T is meant: going back from W3 @ v to v the claim multiplies by "
               "W3 instead of W3.T"),
        ("W1", "has only the 12 paths through node 'z_1^(l-1)'; missing the paths through "
               "node 'z_2^(l-1)' and node 'z_3^(l-1)' (24 of 36 paths")],
}
SHAPE_ERROR = ("the claim for 'W' returned shape (3, 1), but W has shape (1, 3) (the "
               "transpose of W's shape: a missing or extra .T?)")


def fewer(derivation: Derivation) -> Derivation:
    return dataclasses.replace(derivation, examples=FEW)


def name(module) -> str:
    return module.__name__.split(".")[-1]


@pytest.mark.parametrize("module", SEEDS, ids=name)
def test_the_corrected_claims_hold(module):
    assert module.DERIVATIONS
    for derivation in module.DERIVATIONS:
        report = fewer(derivation).check()
        assert isinstance(report, DerivationReport)
        assert set(report.checked) == set(derivation.claims) and report.points == FEW


@pytest.mark.parametrize("module", SEEDS, ids=name)
def test_each_slip_is_caught_and_diagnosed_by_the_checker(module):
    assert len(module.SLIPS) == len(EXPECTED[module])
    for slip, (wrong_input, diagnosis) in zip(module.SLIPS, EXPECTED[module], strict=True):
        if diagnosis is None:
            with pytest.raises(ValueError) as caught:
                fewer(slip).check()
            assert str(caught.value) == SHAPE_ERROR
            continue
        with pytest.raises(DerivationMismatch) as caught:
            fewer(slip).check()
        err = caught.value
        assert wrong_input in (None, err.input)
        assert diagnosis in err.diagnosis
        assert f"diagnosis:   {err.diagnosis}" in str(err)


def test_seed_001s_loss_as_written_flips_every_claim():
    """Not just c-bar: each backward equation is minus the derivative of the first line."""
    slip = seed_001_two_layer_bce.SLIPS[0]
    for wrong_input, claim in slip.claims.items():
        with pytest.raises(DerivationMismatch) as caught:
            dataclasses.replace(fewer(slip), claims={wrong_input: claim}).check()
        assert caught.value.input == wrong_input and caught.value.diagnosis == SIGN


def test_seed_002s_claims_are_sharp():
    """The seed has no slip; its claims are checked, not waved through: halve one."""
    derivation = seed_002_n_layer_l2.DERIVATIONS[0]
    claim = derivation.claims["W0"]
    halved = dataclasses.replace(fewer(derivation), claims={"W0": lambda *a: claim(*a) / 2})
    with pytest.raises(DerivationMismatch) as caught:
        halved.check()
    assert caught.value.diagnosis.startswith("off by a factor of 1/2")


def test_seed_003s_loop_is_gradient_descent_and_learns():
    first, last, y_hat = seed_003_sigmoid_sse_training.train(steps=300)
    assert last < first / 10
    assert list((y_hat > 0.5).astype(float)) == list(seed_003_sigmoid_sse_training.Y.ravel())


def test_judge_prints_the_checkers_own_words(capsys):
    verdicts = [judge(fewer(slip)) for slip in seed_000_neural_block.SLIPS]
    out = capsys.readouterr().out
    assert all(isinstance(v, DerivationMismatch) for v in verdicts)
    for verdict in verdicts:
        assert str(verdict) in out.replace("\n  ", "\n")  # indented by two spaces
    assert out.count("DerivationMismatch: the claimed derivative of L") == 2


PRINTED = {
    seed_000_neural_block: ["diagnosis:   a stray sum over i: every row",
                            "diagnosis:   a stray sum over i: every entry"],
    seed_001_two_layer_bce: [f"diagnosis:   {SIGN}", f"ValueError: {SHAPE_ERROR}"],
    seed_002_n_layer_l2: [],
    seed_003_sigmoid_sse_training: [f"diagnosis:   {SIGN}",
                                    "diagnosis:   sigmoid' taken at the node's output",
                                    "1500 steps on the seed's data take L from"],
    seed_004_softmax_cross_entropy: ["diagnosis:   W3 where W3.T is meant",
                                     "missing the paths through node 'z_2^(l-1)'"],
}


@pytest.mark.parametrize("module", SEEDS, ids=name)
def test_each_example_runs_on_its_own_and_prints_the_diagnoses(module):
    result = subprocess.run([sys.executable, "-m", module.__name__], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for text in PRINTED[module]:
        assert text in out
    assert out.count("DerivationMismatch: ") == sum(
        d is not None for _, d in EXPECTED[module])
    holds = [line for line in out.splitlines() if " hold at 200 points (seed 0)" in line]
    assert len(holds) == len(module.DERIVATIONS)
