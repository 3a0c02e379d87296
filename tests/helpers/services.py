"""The PostgreSQL and Redis that the scale-out tests need (scripts/test passes them on when they run): without one,
a test is skipped on a developer's machine and fails in CI, where they must be there."""
from __future__ import annotations

import os

import pytest


def service_url(variable: str, purpose: str) -> str:
    """The URL in the environment variable; `purpose` says what CI must do with it."""
    url = os.environ.get(variable, "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{variable} is not set: CI must {purpose}")
        pytest.skip(f"{variable} is not set")
    return url
