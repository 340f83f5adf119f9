"""The hypothesis profiles registered in tests/conftest.py."""

import os

from hypothesis import settings


def test_ci_profile_is_derandomized_without_deadline_or_database():
    ci = settings.get_profile("ci")
    assert ci.derandomize is True
    assert ci.deadline is None
    assert ci.database is None


def test_dev_profile_runs_longer_with_random_seeds():
    dev, ci = settings.get_profile("dev"), settings.get_profile("ci")
    assert dev.derandomize is False
    assert dev.max_examples > ci.max_examples
    assert dev.deadline is None


def test_the_loaded_profile_follows_hypothesis_profile():
    expected = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
    assert settings.default.max_examples == expected.max_examples
    assert settings.default.derandomize == expected.derandomize
