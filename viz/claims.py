"""Claims on the command line: `gradledger EXPR --claim "w=..."` checks hand-derived gradients.

Each claim is checked on its own by autograd.testing.check_derivation, so every claim gets
its own verdict; a wrong one comes with the counterexample, the diagnosis and the ledger
at that point. Claims are parsed and checked against the expression's names before any
point is drawn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from autograd.expr import Expression, ExpressionError, parse
from viz.formatting import format_steps

AROUND = 1.0
"""A name given with --at is drawn from [value - AROUND, value + AROUND]."""


@dataclass(frozen=True)
class Claim:
    """One `NAME=EXPRESSION` from the command line: d expression / d name, as text."""

    name: str
    text: str


def parse_claims(pairs: Sequence[str], expression: Expression) -> list[Claim]:
    """Claims from NAME=EXPRESSION texts; ExpressionError for a bad or unknown one.

    Example:
        >>> e = parse("tanh(w*x + b)")
        >>> parse_claims(["w=x*(1 - tanh(w*x + b)**2)"], e)
        [Claim(name='w', text='x*(1 - tanh(w*x + b)**2)')]
    """
    claims = []
    for pair in pairs:
        name, equals, text = pair.partition("=")
        name = name.strip()
        if not equals or not name or not text.strip():
            raise ExpressionError(f"--claim takes NAME=EXPRESSION, got {pair!r}")
        if name not in expression.names:
            known = ", ".join(expression.names) or "none"
            raise ExpressionError(f"--claim {name}=...: {name!r} is not an input of the "
                                  f"expression (its inputs: {known})")
        if any(claim.name == name for claim in claims):
            raise ExpressionError(f"--claim {name}=... is given twice")
        try:
            claim_names = parse(text).names
        except ExpressionError as err:
            raise ExpressionError(f"--claim {name}=...: {err}") from None
        stray = [n for n in claim_names if n not in expression.names]
        if stray:
            raise ExpressionError(f"--claim {name}=... uses {stray[0]!r}, which is not an "
                                  "input of the expression")
        claims.append(Claim(name, text.strip()))
    return claims


def check_claims(
    expression: Expression, claims: Sequence[Claim], at: Mapping[str, float],
    examples: int = 200, seed: int = 0, ledger: str | None = "text",
) -> tuple[str, bool]:
    """(the verdicts as text, whether every claim holds): one check_derivation per claim.

    A wrong claim's ledger at the counterexample is printed in the `ledger` style (text,
    markdown or latex), or not at all for None.
    """
    from autograd.testing import DerivationMismatch, check_derivation

    domain = {name: (value - AROUND, value + AROUND) for name, value in at.items()}
    lines, all_hold = [], True
    for claim in claims:
        heading = f"claim d/d{claim.name} = {claim.text}"
        try:
            report = check_derivation(expression.text, {claim.name: claim.text},
                                      domain=domain or None, examples=examples, seed=seed)
        except DerivationMismatch as mismatch:
            all_hold = False
            lines += [f"{heading}: WRONG", *("  " + line for line in str(mismatch).splitlines())]
            if mismatch.root is not None and ledger is not None:
                steps = format_steps(mismatch.root, style=ledger)
                lines += ["  the chain-rule ledger at that point:",
                          *("    " + line for line in steps.splitlines())]
            continue
        lines.append(f"{heading}: holds at {report.points} points")
    return "\n".join(lines), all_hold
