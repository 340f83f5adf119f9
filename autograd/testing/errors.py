"""Exceptions raised by the gradient checkers."""

from __future__ import annotations

from typing import Any


class GradientMismatch(AssertionError):
    """Analytic and numerical derivatives disagree; `.report` holds the full comparison."""

    def __init__(self, message: str, report: Any = None):
        super().__init__(message)
        self.report = report


class NumericallyUnreliable(ArithmeticError):
    """Finite differences cannot be trusted at this point (kink, domain edge, cancellation)."""
