"""Settings from the environment: several Rasa workers, and the clear errors a wrong value gets."""
from __future__ import annotations

import pytest

from bot.config import Settings


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("RASA_WORKERS", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_one_rasa_worker_by_default_and_more_with_redis(environment: pytest.MonkeyPatch) -> None:
    assert Settings.from_env().rasa_workers == 1
    environment.setenv("RASA_WORKERS", "")
    assert Settings.from_env().rasa_workers == 1
    environment.setenv("RASA_WORKERS", "1")
    assert Settings.from_env().rasa_workers == 1
    environment.setenv("REDIS_URL", "redis://127.0.0.1:6379/1")
    environment.setenv("RASA_WORKERS", "4")
    assert Settings.from_env().rasa_workers == 4


@pytest.mark.parametrize("value, message", [
    ("two", "RASA_WORKERS must be a whole number, got 'two'"),
    ("1.5", "RASA_WORKERS must be a whole number, got '1.5'"),
    ("0", "RASA_WORKERS must be a whole number of at least 1, got '0'"),
    ("-2", "RASA_WORKERS must be a whole number of at least 1, got '-2'"),
])
def test_a_rasa_worker_count_that_is_no_count_is_refused(environment: pytest.MonkeyPatch, value: str,
                                                         message: str) -> None:
    environment.setenv("REDIS_URL", "redis://127.0.0.1:6379/1")
    environment.setenv("RASA_WORKERS", value)
    with pytest.raises(SystemExit) as refused:
        Settings.from_env()
    assert str(refused.value) == message


@pytest.mark.parametrize("value", ["127.0.0.1:6379", "http://127.0.0.1:6379/1", "unix:///run/redis.sock"])
def test_a_redis_url_that_is_no_redis_url_is_refused(environment: pytest.MonkeyPatch, value: str) -> None:
    environment.setenv("REDIS_URL", value)
    with pytest.raises(SystemExit) as refused:
        Settings.from_env()
    assert str(refused.value) == f"REDIS_URL must start with redis:// (or rediss:// for TLS), got {value!r}"


def test_several_rasa_workers_without_redis_are_refused(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("RASA_WORKERS", "2")
    with pytest.raises(SystemExit) as refused:
        Settings.from_env()
    assert "RASA_WORKERS=2 needs REDIS_URL" in str(refused.value)
    assert "in-memory lock store" in str(refused.value)
