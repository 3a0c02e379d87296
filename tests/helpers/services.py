"""What the scale-out tests need beyond Python (PostgreSQL, Redis, Chromium, redis-server with TLS): without it, a
test is skipped on a developer's machine and fails in CI, where it must be there (.ci/run installs it)."""
from __future__ import annotations

import os

import pytest


def missing(what: str, purpose: str) -> None:
    """Skip, or in CI fail: `what` is missing, and CI must `purpose`. Also usable at module level."""
    if os.environ.get("CI"):
        pytest.fail(f"{what}: CI must {purpose}", pytrace=False)
    pytest.skip(what, allow_module_level=True)


def service_url(variable: str, purpose: str) -> str:
    """The URL in the environment variable; `purpose` says what CI must do with it."""
    url = os.environ.get(variable, "")
    if not url:
        missing(f"{variable} is not set", purpose)
    return url
