"""Rasa's Redis lock store made safe for several Rasa processes (endpoints.yml `lock_store`, set by `bot serve`).

Rasa keeps a conversation's lock in Redis as one JSON value, a queue of tickets, and Rasa 3.6's `RedisLockStore`
changes it by reading it, changing it in Python and writing it back (GET, then SET). Within one process nothing runs
in between, but two Rasa workers interleave, and a customer writing several messages at once then loses some:
- two workers issue the same ticket number and handle the conversation at the same time; the tracker store keeps
  only one worker's new events, so the other's customer message is gone;
- a worker deletes the lock ("no one is waiting") right after another queued its ticket, and that message fails
  with "Could not acquire lock";
- a stale write brings back a finished ticket, and every later message waits until it expires (a minute).
Here every change of the lock is one Redis transaction (WATCH, MULTI/EXEC), tried again when another process
changed the lock in between; reading it stays as Rasa does it.
"""
from __future__ import annotations

import json
from typing import Callable, Optional, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

Result = TypeVar("Result")


class AtomicRedisLockStore(RedisLockStore):
    """`RedisLockStore` whose ticket queue changes atomically, so any number of Rasa processes may share it."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        # Rasa builds lock stores named by module path from their endpoint; ours takes what its own Redis one takes.
        # endpoints.yml gets its values from the environment, as text: 'false' must not switch TLS on.
        settings = dict(endpoint_config.kwargs)
        settings["use_ssl"] = str(settings.get("use_ssl", "false")).lower() == "true"
        settings["ssl_ca_certs"] = settings.get("ssl_ca_certs") or None
        super().__init__(host=endpoint_config.url, **settings)

    def _change(self, conversation_id: str,
                change: Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], Result]]) -> Result:
        """Apply `change` to the conversation's lock (None: there is none) atomically; it returns the lock to store
        (None: delete it) and a result, and may run more than once."""
        key = self.key_prefix + conversation_id

        def attempt(pipe) -> Result:  # redis.client.Pipeline, in WATCH mode until multi()
            stored = pipe.get(key)
            lock, result = change(TicketLock.from_dict(json.loads(stored)) if stored else None)
            pipe.multi()
            if lock is None:
                pipe.delete(key)
            else:
                pipe.set(key, lock.dumps())
            return result

        return self.red.transaction(attempt, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, issue)
        except Exception as error:  # as Rasa's own lock stores report it
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        def without_expired(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, without_expired)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._finish(conversation_id, ticket_number, delete_when_idle=False)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove the ticket, and the lock when no one waits: in one step, so no ticket queued meanwhile is lost."""
        self._finish(conversation_id, ticket_number, delete_when_idle=True)

    def _finish(self, conversation_id: str, ticket_number: int, delete_when_idle: bool) -> None:
        def finish(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
                if delete_when_idle and not lock.is_someone_waiting():
                    lock = None
            return lock, None

        self._change(conversation_id, finish)

