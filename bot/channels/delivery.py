"""Delivery guarantees shared by the channels: each platform delivery handled once, no reply ever lost."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.db import open_session
from bot.db.models import OutboxMessage, ProcessedUpdate, utcnow

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


class Outbox:
    """Replies that could not be delivered yet, per channel; later replies to the same person queue behind them."""

    def __init__(self, database_url: str, channel: str) -> None:
        self.database_url, self.channel = database_url, channel

    def add(self, recipient: str, payload: Dict[str, Any], error: str) -> None:
        with open_session(self.database_url) as session, session.begin():
            session.add(OutboxMessage(channel=self.channel, recipient=recipient, payload=payload, attempts=1,
                                      last_error=error[:2000]))

    def has_pending(self, recipient: str) -> bool:
        with open_session(self.database_url) as session:
            return session.scalars(select(OutboxMessage.id).where(
                OutboxMessage.channel == self.channel, OutboxMessage.recipient == recipient,
                OutboxMessage.delivered_at.is_(None)).limit(1)).first() is not None

    def pending(self) -> List[OutboxMessage]:
        with open_session(self.database_url) as session:
            return list(session.scalars(select(OutboxMessage).where(
                OutboxMessage.channel == self.channel, OutboxMessage.delivered_at.is_(None)).order_by(OutboxMessage.id)))

    def mark(self, message_id: int, error: Optional[str]) -> None:
        with open_session(self.database_url) as session, session.begin():
            message = session.get(OutboxMessage, message_id)
            message.attempts += 1
            if error is None:
                message.delivered_at = utcnow()
            else:
                message.last_error = error[:2000]

    async def flush(self, send: Callable[[str, Dict[str, Any]], Awaitable[None]]) -> int:
        """Try every pending reply once, oldest first; a recipient whose reply fails again waits for the next round."""
        delivered, blocked = 0, set()
        for message in await asyncio.to_thread(self.pending):
            if message.recipient in blocked:
                continue
            try:
                await send(message.recipient, message.payload)
            except Exception as error:  # the platform still refuses: keep it, try again next round
                blocked.add(message.recipient)
                await asyncio.to_thread(self.mark, message.id, repr(error))
                continue
            await asyncio.to_thread(self.mark, message.id, None)
            delivered += 1
        return delivered
