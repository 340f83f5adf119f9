"""`gradledger EXPR --claim NAME=EXPR`: a verdict per claim, the slip explained, exit 0/1/2."""

import pytest

from autograd.expr import ExpressionError, parse
from viz.claims import Claim, check_claims, parse_claims
from viz.cli import run

NEURON = "tanh(w*x + b)"
RIGHT_W = "w=x*(1 - tanh(w*x + b)**2)"
RIGHT_B = "b=1 - tanh(w*x + b)**2"
SIGN_SLIP_B = "b=tanh(w*x + b)**2 - 1"


def cli(capsys, *argv):
    try:
        status = run(list(argv))
    except SystemExit as exit_:
        status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


def test_claims_are_parsed_and_checked_against_the_expression_names():
    e = parse(NEURON)
    assert parse_claims([RIGHT_W, " b = 1"], e) == [Claim("w", "x*(1 - tanh(w*x + b)**2)"),
                                                  Claim("b", "1")]


@pytest.mark.parametrize(
    "pairs, message",
    [
        (["w"], "--claim takes NAME=EXPRESSION, got 'w'"),
        (["=x"], "--claim takes NAME=EXPRESSION"),
        (["z=1"], "'z' is not an input of the expression (its inputs: w, x, b)"),
        (["w=1", "w=2"], "--claim w=... is given twice"),
        (["w=q*2"], "uses 'q', which is not an input"),
        (["w=__import__('os')"], "calling '__import__' is not allowed"),
        (["w=x +"], "not a valid expression"),
    ],
)
def test_bad_claims_are_refused_before_anything_is_evaluated(pairs, message):
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_claims(pairs, parse(NEURON))


def test_a_right_claim_holds_and_a_wrong_one_is_explained_with_its_ledger():
    e = parse(NEURON)
    text, holds = check_claims(e, parse_claims([RIGHT_W, SIGN_SLIP_B], e), {}, examples=50)
    assert not holds
    first, rest = text.split("\n", 1)
    assert first == "claim d/dw = x*(1 - tanh(w*x + b)**2): holds at 50 points"
    assert rest.startswith("claim d/db = tanh(w*x + b)**2 - 1: WRONG")
    assert "diagnosis:   sign flipped" in rest
    assert "the chain-rule ledger at that point:" in rest and "1 - out**2" not in rest


def test_at_values_centre_the_points():
    e = parse("relu(x)")
    # d relu / dx = 1 on [4, 6]: the claim "1" holds there, though not around 0
    assert check_claims(e, parse_claims(["x=1"], e), {"x": 5.0}, examples=30)[1]
    assert not check_claims(e, parse_claims(["x=1"], e), {}, examples=30)[1]


def test_the_command_line_exits_0_when_every_claim_holds(capsys):
    status, out, err = cli(capsys, NEURON, "--claim", RIGHT_W, "--claim", RIGHT_B)
    assert (status, err) == (0, "")
    assert out.count(": holds at 200 points") == 2


def test_the_command_line_exits_1_and_explains_a_wrong_claim(capsys):
    status, out, err = cli(capsys, NEURON, "--claim", RIGHT_W, "--claim", SIGN_SLIP_B)
    assert status == 1 and err == ""
    assert "claim d/db = tanh(w*x + b)**2 - 1: WRONG" in out
    assert "sign flipped" in out and "chain-rule ledger" in out


@pytest.mark.parametrize("claim", ["w=__import__('os').system('true')", "nope", "w=x.y"])
def test_the_command_line_exits_2_on_a_bad_claim_with_one_line(capsys, claim):
    status, out, err = cli(capsys, NEURON, "--claim", claim)
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("gradledger: error:")


def test_claims_write_no_files_and_say_so(capsys, tmp_path):
    status, out, err = cli(capsys, NEURON, "--claim", RIGHT_W, "--svg", str(tmp_path / "g.svg"))
    assert status == 2 and "writes no files" in err
    assert not (tmp_path / "g.svg").exists()


def test_at_values_may_be_partial_with_claims(capsys):
    status, out, err = cli(capsys, "relu(x) * y", "--claim", "x=y", "--at", "x=5")
    assert (status, err) == (0, "")
    assert "claim d/dx = y: holds at" in out
