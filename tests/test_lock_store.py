"""The Redis lock store several Rasa processes share: one conversation is handled by one of them at a time, and no
one waiting in line is dropped. Needs a real Redis (TEST_REDIS_URL)."""
from __future__ import annotations

import asyncio
import multiprocessing
import os
import uuid
from concurrent.futures import ProcessPoolExecutor
from typing import Tuple
from urllib.parse import urlsplit

import pytest
from rasa.core.lock_store import LockError
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import AtomicRedisLockStore

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


def test_several_processes_take_turns_on_a_conversation_and_lose_no_message() -> None:
    if not REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("TEST_REDIS_URL is not set: CI must test the lock store on Redis")
        pytest.skip("TEST_REDIS_URL not set")
    conversation_id = f"test-{uuid.uuid4().hex[:10]}"
    with ProcessPoolExecutor(PROCESSES, mp_context=multiprocessing.get_context("fork")) as pool:
        results = list(pool.map(_rasa_process, [conversation_id] * PROCESSES))
    handled, overlapping, lost = (sum(column) for column in zip(*results))
    assert (handled, overlapping, lost) == (PROCESSES * TASKS * MESSAGES, 0, 0)
    store = _store()
    assert store.get_lock(conversation_id) is None  # the last one out removed the lock
    store.red.delete(f"test-inside:{conversation_id}")
