"""Delivery guarantees shared by the channels: each platform delivery handled once, no reply ever lost."""
from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from typing import Any, Awaitable, Callable, Dict, List, Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from rasa.core.channels.channel import OutputChannel

from bot.channels.render import Button, Limits, Part, render
from bot.db import open_session
from bot.db.models import OutboxMessage, ProcessedUpdate, utcnow
from bot.handoff.service import open_escalation

logger = logging.getLogger(__name__)


def first_delivery(database_url: str, channel: str, key: str) -> bool:
    """True the first time a platform delivers this update; False for every repeat, across processes."""
    with open_session(database_url) as session:
        session.add(ProcessedUpdate(channel=channel, key=key))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return False
    return True


def with_staff(database_url: str, conversation_id: str) -> bool:
    """A person has the conversation (its escalation is open): the assistant will not answer, so it shows no typing."""
    with open_session(database_url) as session:
        return open_escalation(session, conversation_id) is not None


class Outbox:
    """Replies that could not be delivered yet, per channel; later replies to the same person queue behind them."""

    def __init__(self, database_url: str, channel: str) -> None:
        self.database_url, self.channel = database_url, channel

    def add(self, recipient: str, payload: Dict[str, Any], error: str) -> None:
        with open_session(self.database_url) as session, session.begin():
            session.add(OutboxMessage(channel=self.channel, recipient=recipient, payload=payload, attempts=1,
                                      last_error=error[:2000]))

    def _waiting(self):  # type: ignore[no-untyped-def]
        return select(OutboxMessage).where(OutboxMessage.channel == self.channel, OutboxMessage.delivered_at.is_(None),
                                           OutboxMessage.given_up_at.is_(None))

    def has_pending(self, recipient: str) -> bool:
        with open_session(self.database_url) as session:
            return session.scalars(self._waiting().where(OutboxMessage.recipient == recipient).limit(1)).first() is not None

    def pending(self) -> List[OutboxMessage]:
        with open_session(self.database_url) as session:
            return list(session.scalars(self._waiting().order_by(OutboxMessage.id)))

    def mark(self, message_id: int, error: Optional[str], give_up: bool = False) -> None:
        with open_session(self.database_url) as session, session.begin():
            message = session.get(OutboxMessage, message_id)
            message.attempts += 1
            if error is None:
                message.delivered_at = utcnow()
            else:
                message.last_error = error[:2000]
                message.given_up_at = utcnow() if give_up else None

    async def flush(self, send: Callable[[str, Dict[str, Any]], Awaitable[None]]) -> int:
        """Try every pending reply once, oldest first; a recipient whose reply fails again waits for the next round."""
        delivered, blocked = 0, set()
        for message in await asyncio.to_thread(self.pending):
            if message.recipient in blocked:
                continue
            try:
                await send(message.recipient, message.payload)
            except Exception as error:
                permanent = isinstance(error, DeliveryError) and error.permanent
                if permanent:  # never deliverable: report it and let the next replies through
                    logger.error("%s refused a kept reply to %s for good: %s", self.channel, message.recipient, error)
                else:  # refused for now: this recipient's later replies wait for the next round
                    blocked.add(message.recipient)
                await asyncio.to_thread(self.mark, message.id, repr(error), permanent)
                continue
            await asyncio.to_thread(self.mark, message.id, None)
            delivered += 1
        return delivered


class DeliveryError(Exception):
    """A platform refused a reply: for good (`permanent`), or for now (wait `retry_after` seconds if it says)."""

    def __init__(self, message: str, *, permanent: bool = False, retry_after: Optional[float] = None) -> None:
        super().__init__(message)
        self.permanent, self.retry_after = permanent, retry_after


class ReliableSender(ABC):
    """Sends replies so none is lost: rate limits are waited out, errors retried with backoff, and what still fails
    waits in the outbox; later replies to the same person queue behind it, so the order stays."""

    attempts = 5          # per reply, before it goes to the outbox
    longest_wait = 30.0   # longest rate-limit wait taken inline; longer ones go to the outbox
    first_backoff = 0.5

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    @abstractmethod
    async def deliver(self, recipient: str, payload: Dict[str, Any]) -> None:
        """One attempt; raises DeliveryError (or any exception, taken as passing) when the platform refuses."""

    async def send_parts(self, recipient: str, parts: List[Part], staff: Optional[str] = None) -> None:
        """Send `parts` in order; `staff` names the person who wrote them (kept in the payload, outbox included,
        for platforms that treat a person's messages differently)."""
        for part in parts:
            payload: Dict[str, Any] = {"text": part.text, "image": part.image,
                                       "buttons": [{"title": b.title, "payload": b.payload} for b in part.buttons]}
            if staff:
                payload["staff"] = staff
            if await asyncio.to_thread(self.outbox.has_pending, recipient):
                await asyncio.to_thread(self.outbox.add, recipient, payload, "queued behind an undelivered reply")
                continue
            try:
                await self._deliver_with_retries(recipient, payload)
            except DeliveryError as error:
                if error.permanent:  # the platform will never accept it: report, don't keep it
                    logger.error("%s refused a reply to %s for good: %s", self.outbox.channel, recipient, error)
                    continue
                await self._keep(recipient, payload, error)
            except Exception as error:
                await self._keep(recipient, payload, error)

    async def _keep(self, recipient: str, payload: Dict[str, Any], error: Exception) -> None:
        logger.warning("Reply to %s on %s kept in the outbox: %r", recipient, self.outbox.channel, error)
        await asyncio.to_thread(self.outbox.add, recipient, payload, repr(error))

    async def _deliver_with_retries(self, recipient: str, payload: Dict[str, Any]) -> None:
        backoff = self.first_backoff
        for attempt in range(1, self.attempts + 1):
            try:
                return await self.deliver(recipient, payload)
            except DeliveryError as error:
                if error.permanent or attempt == self.attempts:
                    raise
                if error.retry_after is not None:
                    if error.retry_after > self.longest_wait:
                        raise
                    await asyncio.sleep(error.retry_after)
                    continue
            except Exception:
                if attempt == self.attempts:
                    raise
            await asyncio.sleep(backoff)
            backoff *= 2

    async def deliver_outbox_forever(self, interval: float = 15.0) -> None:
        """Deliver from the outbox every `interval` seconds (started by the channel with the server)."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.outbox.flush(self.deliver)
            except Exception:  # the database may be away for a moment; the next round tries again
                logger.exception("Outbox delivery on %s failed", self.outbox.channel)


class RenderedOutput(OutputChannel):
    """Rasa's replies to one person, shaped by the renderer to the channel's `limits` and sent reliably; works
    outside a request too, for staff replies pushed later."""

    limits: Limits

    def __init__(self, sender: ReliableSender) -> None:
        self.sender = sender

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        buttons = [Button(b.get("title", ""), b.get("payload", "")) for b in message.get("buttons") or []]
        parts = render(message.get("text") or "", buttons, message.get("image"), limits=self.limits)
        # A staff reply (RasaConversations.say) is a bot event with metadata {"staff": author}; Rasa merges an
        # event's metadata into the message it hands the output channel, so it arrives here as message["staff"].
        await self.sender.send_parts(recipient_id, parts, staff=message.get("staff") or None)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})
