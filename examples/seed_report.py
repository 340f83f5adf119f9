"""What every seed example does: state a seed's derivation as claims and let the checker judge.

Each example module has `SLIPS` (the seed's formulas where it slips, as written) and
`DERIVATIONS` (its derivation, corrected where it slips), each a Derivation: a function
of named inputs and the claimed derivatives, in the seed's own notation. The verdicts
printed here are check_derivation's own, point, numbers and diagnosis included.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from autograd.testing import DerivationMismatch, DerivationReport, check_derivation


@dataclass(frozen=True)
class Derivation:
    """Claimed derivatives of f, as the seed writes them (`what`), with check_derivation's
    options: the shapes of the matrix inputs, their domain and the number of points."""

    what: str
    f: Callable[..., Any]
    claims: Mapping[str, Callable[..., Any]]
    shapes: Mapping[str, tuple[int, ...]]
    domain: Any = None
    examples: int = 200

    def check(self) -> DerivationReport:
        """check_derivation on these claims: the report, or DerivationMismatch (ValueError
        for a claim of the wrong shape)."""
        return check_derivation(self.f, self.claims, shapes=self.shapes, domain=self.domain,
                                examples=self.examples)


def print_summary(doc: str) -> None:
    """Print an example's docstring up to its "Run:" line."""
    print(doc.split("Run:")[0].rstrip())


def judge(derivation: Derivation) -> DerivationReport | DerivationMismatch | ValueError:
    """Print what the seed writes, then what check_derivation says: its report or its error."""
    print(f"\n{derivation.what}")
    try:
        verdict: Any = derivation.check()
        text = str(verdict)
    except (DerivationMismatch, ValueError) as err:  # a wrong claim, or a claim of wrong shape
        verdict = err
        text = f"{type(err).__name__}: {err}"
    print(textwrap.indent(text, "  "))
    return verdict


def run_seed(doc: str, slips: list[Derivation], derivations: list[Derivation]) -> int:
    """Print the summary, the seed's slips as the checker sees them, then the corrected
    claims; return 0 if every corrected claim holds (the example's exit status)."""
    print_summary(doc)
    for slip in slips:
        judge(slip)
    verdicts = [judge(derivation) for derivation in derivations]
    return 0 if all(isinstance(v, DerivationReport) for v in verdicts) else 1
