"""The staff group on Telegram: a card per escalation, customers' messages forwarded under it, staff replies and
buttons (take it, close and hand back) going back through the same verbs as the staff API.

With STAFF_TELEGRAM_TOPICS each escalation gets a forum topic of its own: the card, the customer's messages and the
reminders go there, whatever staff write in it goes to the customer, and closing the escalation closes the topic.

Runs inside the staff service: a python-telegram-bot Application that long-polls (one staff service process), and
a loop that notifies new escalations, forwards customer messages and reminds about unclaimed ones.
"""
from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from pathlib import Path
from typing import Optional

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.catalog.importer import parse
from bot.catalog.schema import EscalationPolicy, TeamsFile
from bot.config import Settings, telegram_file_url
from bot.db import engine_for, open_session
from bot.db.models import Escalation, EscalationMessage, aware, utcnow
from bot.handoff import service
from bot.handoff.rasa_api import RasaConversations, RasaUnavailable
from bot.handoff.service import HandoffError, Staff

logger = logging.getLogger(__name__)

PRIORITY_LABELS = {"critical": "🔴 KRITISCH", "high": "🟠 HOCH", "normal": "🟢 NORMAL"}
REASON_LABELS = {"safety": "Sicherheitsvorfall", "complaint": "Beschwerde / rechtliche Drohung",
                 "data_protection": "Datenschutzanfrage", "person": "möchte einen Menschen", "business": "B2B-Anfrage"}
POLL_SECONDS = 0.25
REMINDERS = 2  # an unclaimed escalation is reminded this often; the last reminder calls on the fallback team
TOPIC_NAME_LIMIT = 128  # characters Telegram keeps of a forum topic's name


def card_text(escalation: Escalation, reminder: int = 0, fallback_team: str = "") -> str:
    lines = [f"{PRIORITY_LABELS[escalation.priority]} · {escalation.team} · #{escalation.id}"]
    if reminder:
        lines.insert(0, "⏰ Noch nicht übernommen!" if reminder < REMINDERS else
                     f"⏰ Noch nicht übernommen – bitte {fallback_team} übernehmen!")
    lines += [f"Grund: {REASON_LABELS.get(escalation.reason, escalation.reason)}",
              f"Kanal: {escalation.channel} · Sprache: {escalation.language}", "", "Verlauf:"]
    lines += [f"{'👤' if m['from'] == 'customer' else '🤖'} {m['text']}" for m in escalation.context[-6:]]
    lines += ["", "Schreiben Sie in diesem Thema, um dem Kunden zu antworten." if escalation.topic_id is not None
              else "Antworten Sie auf diese Nachricht, um dem Kunden zu schreiben."]
    return "\n".join(lines)[:4000]


def topic_name(escalation: Escalation) -> str:
    """Priority colour, number and team, so the group's list of topics reads like the queue."""
    colour = PRIORITY_LABELS[escalation.priority].split()[0]
    return f"{colour} #{escalation.id} {escalation.team}"[:TOPIC_NAME_LIMIT]


def card_buttons(escalation: Escalation) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Übernehmen", callback_data=f"claim:{escalation.id}"),
                                  InlineKeyboardButton("Abschließen & zurück an den Bot",
                                                       callback_data=f"close:{escalation.id}")]])


def escalation_policy(teams_file: Path) -> EscalationPolicy:
    """The reminder delays and the fallback team from data/company/teams.yaml, checked as the import checks it."""
    return parse(teams_file, TeamsFile).escalation


class StaffGroup:
    """The staff bot and its loop; started and stopped with the staff service."""

    def __init__(self, settings: Settings, rasa: RasaConversations) -> None:
        self.settings, self.rasa = settings, rasa
        self.chat_id = int(settings.staff_chat_id)
        self.policy = escalation_policy(settings.data_dir / "teams.yaml")
        self.application: Optional[Application] = None
        self._loop_task: Optional[asyncio.Task] = None
        self._scanned = 0  # Rasa events read so far in this process; the database knows what was forwarded

    async def start(self) -> None:
        base = self.settings.staff_telegram_api_url
        self.application = (ApplicationBuilder().token(self.settings.staff_telegram_token).base_url(base)
                            .base_file_url(telegram_file_url(base)).build())
        self.application.add_handler(CallbackQueryHandler(self._button))
        self.application.add_handler(MessageHandler(
            filters.Chat(self.chat_id) & filters.TEXT & (filters.REPLY | filters.IS_TOPIC_MESSAGE), self._staff_reply))
        await self.application.initialize()
        await self.application.start()
        await self.application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
        self._loop_task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._loop_task:
            self._loop_task.cancel()
        if self.application:
            await self.application.updater.stop()
            await self.application.stop()
            await self.application.shutdown()

    # ── the loop: notify, forward, remind ───────────────────────────────────────────────────────────────────

    async def _run(self) -> None:
        while True:
            try:
                await self.notify_new()
                await self.forward_customer_messages()
                await self.remind_unclaimed()
            except Exception:  # Telegram or the database away for a moment: the next round tries again
                logger.exception("Staff group round failed")
            await asyncio.sleep(POLL_SECONDS)

    async def notify_new(self) -> None:
        """A card for each escalation not yet in the group; written as notified only once Telegram took it.

        With topics, the topic is opened and stored first, so a card that fails goes into the same topic next
        round. A topic Telegram refuses leaves the card in the group, and a notified escalation never gets one.
        """
        with open_session(self.settings.database_url) as session:
            waiting = list(session.scalars(select(Escalation).where(Escalation.notified_at.is_(None),
                                                                    Escalation.status != "closed")
                                           .order_by(Escalation.id)))
            for escalation in waiting:
                if self.settings.staff_telegram_topics and escalation.topic_id is None:
                    escalation.topic_id = await self._open_topic(escalation)
                    session.commit()
                message = await self.application.bot.send_message(self.chat_id, card_text(escalation),
                                                                   reply_markup=card_buttons(escalation),
                                                                   message_thread_id=escalation.topic_id)
                escalation.notified_at, escalation.card_message_id = utcnow(), message.message_id
                session.commit()

    async def _open_topic(self, escalation: Escalation) -> Optional[int]:
        """The escalation's forum topic, or None when Telegram refuses one (a group without topics, missing
        rights): the notification must reach staff all the same, as a card in the group."""
        try:
            topic = await self.application.bot.create_forum_topic(self.chat_id, topic_name(escalation))
        except TelegramError as error:
            logger.warning("No forum topic for escalation #%s, its card goes to the group: %s", escalation.id, error)
            return None
        return topic.message_thread_id

    async def close_topic(self, topic_id: Optional[int]) -> None:
        """Close a closed escalation's topic, so the group shows it done; the escalation is closed either way."""
        if topic_id is None:
            return
        try:
            await self.application.bot.close_forum_topic(self.chat_id, topic_id)
        except TelegramError as error:
            logger.warning("Could not close forum topic %s in the staff group: %s", topic_id, error)

    async def forward_customer_messages(self) -> None:
        """What customers write while staff have their conversation, from Rasa's record, each once.

        Messages are recorded first and sent after, so no write lock is held while Telegram answers; what could not
        be sent yet is sent in the next round.
        """
        self._record_customer_messages()
        with open_session(self.settings.database_url) as session:
            waiting = session.execute(select(EscalationMessage.id, EscalationMessage.text, Escalation.id,
                                             Escalation.card_message_id, Escalation.topic_id)
                                      .join(Escalation, Escalation.id == EscalationMessage.escalation_id)
                                      .where(EscalationMessage.sender == "customer",
                                             EscalationMessage.forwarded_at.is_(None),
                                             Escalation.card_message_id.is_not(None))
                                      .order_by(EscalationMessage.id)).all()
        for message_id, said, escalation_id, card, topic in waiting:
            await self.application.bot.send_message(self.chat_id, f"👤 #{escalation_id}: {said}",
                                                    reply_to_message_id=card, message_thread_id=topic)
            with open_session(self.settings.database_url) as session, session.begin():
                session.get(EscalationMessage, message_id).forwarded_at = utcnow()

    def _record_customer_messages(self) -> None:
        with open_session(self.settings.database_url) as session:
            open_ones = {e.conversation_id: e for e in session.scalars(
                select(Escalation).where(Escalation.status != "closed"))}
            if not open_ones:
                return
            seen = max(self._scanned, session.scalar(select(func.max(EscalationMessage.rasa_event_id))) or 0)
            with engine_for(self.settings.tracker_store_url).connect() as rasa_db:
                rows = rasa_db.execute(text(
                    "SELECT id, sender_id, timestamp, data FROM events WHERE type_name = 'user' AND id > :seen "
                    "ORDER BY id"), {"seen": seen}).all()
            for event_id, sender_id, timestamp, data in rows:
                escalation = open_ones.get(sender_id)
                said = json.loads(data).get("text") or ""
                # Not for staff: other conversations, what came before the escalation, button presses.
                if escalation is not None and timestamp >= aware(escalation.created_at).timestamp() \
                        and not said.startswith("/"):
                    session.add(EscalationMessage(escalation_id=escalation.id, sender="customer", text=said,
                                                  rasa_event_id=event_id))
                    try:
                        session.commit()
                    except IntegrityError:  # recorded already by another round
                        session.rollback()
                self._scanned = event_id

    async def remind_unclaimed(self) -> None:
        """Unclaimed after the priority's delay: remind the team, then call on the fallback team."""
        now = utcnow()
        with open_session(self.settings.database_url) as session:
            due = [e for e in session.scalars(select(Escalation).where(
                Escalation.status == "open", Escalation.notified_at.is_not(None), Escalation.reminders < REMINDERS))
                if now - aware(e.reminded_at or e.notified_at) >=
                timedelta(minutes=self.policy.remind_after_minutes[e.priority])]
        for escalation in due:
            await self.application.bot.send_message(self.chat_id, card_text(escalation, escalation.reminders + 1,
                                                                             self.policy.fallback_team),
                                                    reply_markup=card_buttons(escalation),
                                                    reply_to_message_id=escalation.card_message_id,
                                                    message_thread_id=escalation.topic_id)
            with open_session(self.settings.database_url) as session, session.begin():
                stored = session.get(Escalation, escalation.id)
                stored.reminders, stored.reminded_at = escalation.reminders + 1, now
                if stored.reminders == REMINDERS:  # the fallback team was called on: it may now take it too
                    stored.fallback_team = self.policy.fallback_team

    # ── staff in the group ──────────────────────────────────────────────────────────────────────────────────

    @staticmethod
    def _member(update: Update) -> Staff:
        user = update.effective_user
        return Staff(user.username or user.first_name if user else "staff", None)

    async def _button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        verb, _, raw_id = (query.data or "").partition(":")
        answer, escalation = "", None
        with open_session(self.settings.database_url) as session:
            try:
                if verb == "claim":
                    escalation = service.claim(session, int(raw_id), self._member(update))
                    answer = f"Übernommen von {escalation.claimed_by}"
                elif verb == "close":
                    with session.no_autoflush:  # hand back first, write after: no lock held while Rasa answers
                        escalation = service.close(session, int(raw_id), self._member(update))
                        await self.rasa.hand_back(escalation.conversation_id)
                    answer = "Abgeschlossen – der Bot ist wieder da"
                session.commit()
            except (HandoffError, ValueError, RasaUnavailable) as error:
                session.rollback()
                answer = f"Nicht möglich: {error}"
        done = bool(answer) and not answer.startswith("Nicht")
        topic = escalation.topic_id if done else None
        try:
            await query.answer(answer[:200])
            if done:
                await self.application.bot.send_message(self.chat_id, f"#{raw_id}: {answer}",
                                                        reply_to_message_id=query.message.message_id,
                                                        message_thread_id=topic)
        except TelegramError:
            logger.warning("Could not confirm a button press in the staff group", exc_info=True)
        if done and verb == "close":
            await self.close_topic(topic)

    async def _staff_reply(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """What staff write in an escalation's topic, or as a reply to its card (or to a forwarded message under
        it), goes to that escalation's customer."""
        message = update.effective_message
        with open_session(self.settings.database_url) as session:
            escalation = self._addressed(session, message)
            if escalation is None:
                return
            staff = self._member(update)
            try:
                with session.no_autoflush:  # deliver first, write after: no lock held while Rasa answers
                    service.reply(session, escalation.id, staff, message.text)
                    await self.rasa.say(escalation.conversation_id, message.text, staff.name)
                session.commit()
            except (HandoffError, RasaUnavailable) as error:
                session.rollback()
                await message.reply_text(f"Nicht zugestellt: {error}")

    @staticmethod
    def _addressed(session: Session, message: Message) -> Optional[Escalation]:
        """The escalation a staff message is for: its topic's first, because Telegram makes every message in a
        topic a reply to the topic's first message; else the replied card's or forwarded message's. Messages in
        the General topic or in other topics are for no escalation."""
        if message.is_topic_message:
            escalation = session.scalars(select(Escalation).where(
                Escalation.topic_id == message.message_thread_id)).first()
            if escalation is not None:
                return escalation
        replied = message.reply_to_message
        if replied is None:
            return None
        escalation = session.scalars(select(Escalation).where(
            Escalation.card_message_id == replied.message_id)).first()
        if escalation is None:
            number = (replied.text or "").split(":", 1)[0].lstrip("👤 #").strip()
            escalation = session.get(Escalation, int(number)) if number.isdigit() else None
        return escalation
