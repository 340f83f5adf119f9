"""Engine-side setup shared by the seed examples; the plain-Python side is in plain_math."""

from __future__ import annotations


def randomize_biases(named_parameters, rng) -> None:
    """Draw every parameter whose name starts with "b" from uniform(-0.5, 0.5), in order."""
    for name, param in named_parameters:
        if name.startswith("b"):
            param.data = rng.uniform(-0.5, 0.5)
