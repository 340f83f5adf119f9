"""Hypothesis profiles: "ci" (default: derandomized, no deadline, no example database) and "dev".

Choose with HYPOTHESIS_PROFILE=dev for longer, randomized runs.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    database=None,
    max_examples=40,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    derandomize=False,  # explicit: under CI=true hypothesis derandomizes the default profile
    deadline=None,
    database=None,
    max_examples=300,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
