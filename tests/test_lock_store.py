"""The Redis lock store several Rasa processes share: one conversation is handled by one of them at a time, and no
one waiting in line is dropped; it logs in and speaks TLS as REDIS_URL says. Needs a real Redis (TEST_REDIS_URL) and,
for TLS, the redis-server and openssl commands."""
from __future__ import annotations

import asyncio
import multiprocessing
import os
import shutil
import subprocess
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Iterator, Tuple
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
import redis
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from bot.config import ROOT, Settings
from bot.lock_store import AtomicRedisLockStore
from bot.serve import rasa_environment
from tests.helpers.services import missing, service_url
from tests.helpers.system import free_port, listening

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
PROCESSES, TASKS, MESSAGES = 3, 4, 10  # Rasa processes, messages handled at once in each, and one after the other


def _store() -> AtomicRedisLockStore:
    redis = urlsplit(REDIS_URL)
    return AtomicRedisLockStore(EndpointConfig(url=redis.hostname, port=redis.port or 6379,
                                               db=redis.path.strip("/") or "1"))


def _rasa_process(conversation_id: str) -> Tuple[int, int, int]:
    """Handle messages of one conversation the way a Rasa process does: (handled, handled alongside another, lost)."""
    store = _store()
    inside = f"test-inside:{conversation_id}"
    handled = overlapping = lost = 0

    async def message() -> None:
        nonlocal handled, overlapping, lost
        try:
            async with store.lock(conversation_id, wait_time_in_seconds=0.005):
                overlapping += store.red.incr(inside) > 1
                await asyncio.sleep(0.002)
                store.red.decr(inside)
                handled += 1
        except LockError:
            lost += 1

    async def customer_writes() -> None:
        for _ in range(MESSAGES):
            await message()

    async def main() -> None:
        await asyncio.gather(*(customer_writes() for _ in range(TASKS)))

    asyncio.run(main())
    return handled, overlapping, lost


@pytest.fixture(autouse=True)
def _needs_redis() -> None:
    service_url("TEST_REDIS_URL", "test the lock store on Redis")


def test_several_processes_take_turns_on_a_conversation_and_lose_no_message() -> None:
    conversation_id = f"test-{uuid.uuid4().hex[:10]}"
    with ProcessPoolExecutor(PROCESSES, mp_context=multiprocessing.get_context("fork")) as pool:
        results = list(pool.map(_rasa_process, [conversation_id] * PROCESSES))
    handled, overlapping, lost = (sum(column) for column in zip(*results))
    assert (handled, overlapping, lost) == (PROCESSES * TASKS * MESSAGES, 0, 0)
    store = _store()
    assert store.get_lock(conversation_id) is None  # the last one out removed the lock
    store.red.delete(f"test-inside:{conversation_id}")


def _configured_store(redis_url: str, environment: pytest.MonkeyPatch) -> LockStore:
    """The lock store as Rasa makes it from endpoints.yml, filled by `bot serve` for REDIS_URL."""
    for name, value in rasa_environment(replace(Settings.from_env(), redis_url=redis_url)).items():
        environment.setenv(name, value)
    return LockStore.create(read_endpoint_config(str(ROOT / "endpoints.yml"), "lock_store"))


def test_the_lock_store_logs_in_with_the_user_and_password_in_redis_url(monkeypatch: pytest.MonkeyPatch) -> None:
    admin, user, secret = redis.Redis.from_url(REDIS_URL), f"lock-store-{uuid.uuid4().hex[:8]}", "s3cret:/@ü"
    admin.acl_setuser(user, enabled=True, passwords=[f"+{secret}"], keys=["*"], categories=["+@all"])
    try:
        parts = urlsplit(REDIS_URL)
        for password, works in ((secret, True), ("wrong", False)):
            url = parts._replace(netloc=f"{user}:{quote(password, safe='')}@{parts.hostname}:{parts.port or 6379}")
            store = _configured_store(urlunsplit(url), monkeypatch)
            assert isinstance(store, AtomicRedisLockStore)
            conversation_id = f"auth-{uuid.uuid4().hex}"
            if works:
                assert store.issue_ticket(conversation_id) == 0
                assert store.get_lock(conversation_id) is not None
                store.delete_lock(conversation_id)
            else:
                with pytest.raises(LockError, match="invalid username-password pair"):
                    store.issue_ticket(conversation_id)
    finally:
        admin.acl_deluser(user)


@pytest.fixture
def tls_redis(tmp_path: Path) -> Iterator[Tuple[int, Path]]:
    """A Redis of its own that only speaks TLS, with a self-signed certificate: (port, the certificate as CA)."""
    if not (shutil.which("redis-server") and shutil.which("openssl")):
        missing("redis-server or openssl is not installed", "test the lock store over TLS")
    certificate, key = tmp_path / "redis.pem", tmp_path / "redis.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
                   check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1",
                               "--tls-cert-file", str(certificate), "--tls-key-file", str(key),
                               "--tls-ca-cert-file", str(certificate), "--tls-auth-clients", "no",
                               "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not listening(port):
            assert time.monotonic() < deadline and server.poll() is None, "the TLS Redis did not start"
            time.sleep(0.05)
        yield port, certificate
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_lock_store_speaks_tls_for_a_rediss_url(tls_redis: Tuple[int, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    port, certificate = tls_redis
    store = _configured_store(f"rediss://127.0.0.1:{port}/1?ssl_ca_certs={certificate}", monkeypatch)
    conversation_id = f"tls-{uuid.uuid4().hex}"
    assert store.issue_ticket(conversation_id) == 0
    assert store.get_lock(conversation_id) is not None
    store.delete_lock(conversation_id)

    plain = _configured_store(f"redis://127.0.0.1:{port}/1", monkeypatch)  # the same server without TLS
    with pytest.raises(LockError):
        plain.issue_ticket(conversation_id)
