"""Printing a seed check: the document's summary, a table of differences and the verdict.

Plain Python only, like plain_math: the report never imports the engine.
"""

from __future__ import annotations

TOLERANCE = 1e-10


def print_summary(doc: str) -> None:
    """Print an example's docstring up to its "Run:" line."""
    print(doc.split("Run:")[0])


def print_differences(differences: dict[str, float], width: int) -> None:
    """One indented line per check: its name padded to width, then the difference as %.3e."""
    for name, diff in differences.items():
        print(f"  {name:<{width}} {diff:.3e}")


def print_verdict(worst: float, label: str = "largest difference over all checks") -> bool:
    """Print the largest difference against TOLERANCE, then PASS or FAIL; True if it passed."""
    print(f"{label}: {worst:.3e} (tolerance {TOLERANCE:g})")
    passed = worst <= TOLERANCE
    print("PASS" if passed else "FAIL")
    return passed
