"""Exceptions raised by the engine when an operation leaves its domain."""


class DomainError(ValueError):
    """An operation got an input outside its domain (log of x <= 0, ...)."""


class DivisionByZeroError(DomainError, ZeroDivisionError):
    """A division, or a negative power, divided by zero."""


class NumericOverflowError(DomainError, OverflowError):
    """A result is too large for a float (exp of x > 709.78, ...)."""


def domain_error_for(builtin_error: Exception) -> type[DomainError]:
    """Return the engine's exception class matching a builtin arithmetic error."""
    if isinstance(builtin_error, ZeroDivisionError):
        return DivisionByZeroError
    if isinstance(builtin_error, OverflowError):
        return NumericOverflowError
    return DomainError
