"""With STAFF_TELEGRAM_TOPICS each escalation gets a forum topic in the staff group: its card, the customer's messages
and reminders go there, whatever staff write in it reaches the customer, and closing closes it. Run through the real
StaffGroup (python-telegram-bot, long polling) against the fake Bot API, with a fake of Rasa's HTTP API."""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Dict, Iterator, List, Optional

import pytest
from aiohttp import web
from sqlalchemy import select, text
from telegram import Bot

from bot.config import Settings
from bot.db import engine_for, open_session
from bot.db.models import Escalation, EscalationMessage, utcnow
from bot.handoff import service
from bot.handoff.rasa_api import RasaConversations
from bot.handoff.staff_group import StaffGroup, topic_name
from tests.fakes.server import FakeServer
from tests.fakes.telegram_api import FakeTelegram

STAFF_CHAT = -1001112223334
STAFF_MEMBER = 4242


class FakeRasa(FakeServer):
    """Rasa's HTTP API as the staff service uses it: every call recorded ({"method", "path", "query", "body"}) and
    answered 200, as Rasa answers a conversation's events and intents."""

    _api_name = "Rasa"

    def _started(self, root_url: str) -> None:
        self.url = root_url

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.json() if request.can_read_body else None
        self._record({"method": request.method, "path": request.path, "query": dict(request.query), "body": body})
        return web.json_response({})


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram("555:STAFF-TOKEN", "lindner_staff_bot") as fake:
        yield fake


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    with FakeRasa() as fake:
        yield fake


@pytest.fixture
def settings(company_db: str, tmp_path: Path, telegram: FakeTelegram) -> Settings:
    """Topics on; Rasa's record of conversations (its table `events`) in a database of its own."""
    tracker_store_url = f"sqlite:///{tmp_path / 'rasa.db'}"
    with engine_for(tracker_store_url).begin() as connection:
        connection.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), "
                                "type_name VARCHAR(255), timestamp FLOAT, data TEXT)"))
    return dataclasses.replace(Settings.from_env(), database_url=company_db, tracker_store_url=tracker_store_url,
                               staff_telegram_token=telegram.token, staff_chat_id=str(STAFF_CHAT),
                               staff_telegram_api_url=telegram.base_url, staff_telegram_topics=True)


@contextlib.asynccontextmanager
async def running(settings: Settings, rasa: FakeRasa) -> AsyncIterator[StaffGroup]:
    group = StaffGroup(settings, RasaConversations(rasa.url, "rasa-token", attempts=1))
    await group.start()
    try:
        yield group
    finally:
        await group.stop()


async def called(fake: FakeServer, predicate: Callable[[Dict[str, Any]], bool], after: int = 0) -> Dict[str, Any]:
    """The fake's first matching call, waited for without blocking the staff group's loop."""
    return await asyncio.to_thread(fake.wait_for, predicate, 15, after=after)


def sent_text(part: str) -> Callable[[Dict[str, Any]], bool]:
    return lambda call: call["method"] == "sendMessage" and part in call["params"]["text"]


def escalate(database_url: str, conversation: str, priority: str = "critical", team: str = "Qualität & Sicherheit",
             reason: str = "safety") -> int:
    with open_session(database_url) as session, session.begin():
        return service.escalate(session, conversation_id=conversation, channel="telegram", team=team,
                                priority=priority, reason=reason, language="de",
                                context=[{"from": "customer", "text": "Mein Akku hat beim Laden geraucht!"}]).id


def stored(database_url: str, number: int) -> Escalation:
    with open_session(database_url) as session:
        return session.get(Escalation, number)


def customer_writes(settings: Settings, conversation: str, said: str) -> None:
    """A customer message as Rasa records it while the conversation is paused."""
    with engine_for(settings.tracker_store_url).begin() as connection:
        connection.execute(text("INSERT INTO events (sender_id, type_name, timestamp, data) "
                                "VALUES (:sender, 'user', :at, :data)"),
                           {"sender": conversation, "at": time.time(), "data": json.dumps({"text": said})})


def staff_writes(telegram: FakeTelegram, said: str, topic: Optional[int] = None,
                 reply_to: Optional[Dict[str, Any]] = None) -> None:
    """A staff member's message in the group: in a topic, in the General topic (no topic), or a reply."""
    update = telegram.text_update(said, chat_id=STAFF_CHAT, user_id=STAFF_MEMBER, first_name="qs-1",
                                  chat_type="supergroup", message_thread_id=topic)
    if reply_to is not None:
        update["message"]["reply_to_message"] = reply_to
    telegram.push_update(update)


def said_to_customers(rasa: FakeRasa) -> List[tuple]:
    """What Rasa was asked to deliver: (conversation, text, staff member)."""
    return [(call["path"].split("/")[2], event["text"], event["metadata"]["staff"])
            for call in rasa.calls if call["path"].endswith("/tracker/events")
            for event in call["body"] if event["event"] == "bot"]


def test_topic_names_show_priority_number_and_team_within_telegrams_limit() -> None:
    assert topic_name(Escalation(id=12, priority="critical", team="Qualität & Sicherheit")) == \
        "🔴 #12 Qualität & Sicherheit"
    long_name = topic_name(Escalation(id=7, priority="normal", team="Vertrieb B2B " * 20))
    assert len(long_name) == 128 and long_name.startswith("🟢 #7 Vertrieb B2B")


def test_the_card_customer_messages_and_reminders_go_into_the_escalations_topic(
        settings: Settings, telegram: FakeTelegram, rasa: FakeRasa) -> None:
    telegram.set_forum(STAFF_CHAT)
    number = escalate(settings.database_url, "c-topic")

    async def scenario() -> None:
        async with running(settings, rasa):
            card = await called(telegram, sent_text(f"· #{number}"))
            [created] = telegram.sent("createForumTopic", STAFF_CHAT)
            topic = created["result"]["message_thread_id"]
            assert created["params"]["name"] == f"🔴 #{number} Qualität & Sicherheit"
            assert card["params"]["message_thread_id"] == topic and card["result"]["is_topic_message"]
            assert card["params"]["text"].endswith("Schreiben Sie in diesem Thema, um dem Kunden zu antworten.")
            assert stored(settings.database_url, number).topic_id == topic

            customer_writes(settings, "c-topic", "Soll ich die Feuerwehr rufen?")
            forwarded = await called(telegram, sent_text("Feuerwehr"))
            assert forwarded["params"]["text"] == f"👤 #{number}: Soll ich die Feuerwehr rufen?"
            assert forwarded["params"]["message_thread_id"] == topic

            with open_session(settings.database_url) as session, session.begin():
                session.get(Escalation, number).notified_at = utcnow() - timedelta(minutes=3)  # critical: 2 minutes
            reminder = await called(telegram, sent_text("Noch nicht übernommen"))
            assert reminder["params"]["message_thread_id"] == topic

    asyncio.run(scenario())
    assert len(telegram.sent("createForumTopic")) == 1


def test_whatever_staff_write_in_the_topic_reaches_that_customer_and_nothing_else_does(
        settings: Settings, telegram: FakeTelegram, rasa: FakeRasa) -> None:
    telegram.set_forum(STAFF_CHAT)
    number = escalate(settings.database_url, "c-staff")

    async def scenario() -> None:
        async with running(settings, rasa):
            await called(telegram, sent_text(f"· #{number}"))
            topic = stored(settings.database_url, number).topic_id
            async with Bot(telegram.token, base_url=telegram.base_url) as bot:
                other = await bot.create_forum_topic(STAFF_CHAT, "Dienstplan")
            staff_writes(telegram, "Wer hat heute Rufbereitschaft?")  # the General topic
            staff_writes(telegram, "Ich tausche mit dir am Freitag.", topic=other.message_thread_id)
            staff_writes(telegram, "Bitte stellen Sie den Akku ins Freie, wir rufen Sie an.", topic=topic)
            await called(rasa, lambda call: call["path"].endswith("/tracker/events"))
            await asyncio.sleep(0.5)  # room for anything wrongly relayed to arrive too

    asyncio.run(scenario())
    assert said_to_customers(rasa) == [("c-staff", "Bitte stellen Sie den Akku ins Freie, wir rufen Sie an.", "qs-1")]
    assert rasa.calls[0]["query"] == {"token": "rasa-token", "output_channel": "latest", "execute_side_effects": "true"}
    escalation = stored(settings.database_url, number)
    assert (escalation.status, escalation.claimed_by) == ("claimed", "qs-1") and escalation.first_staff_reply_at
    with open_session(settings.database_url) as session:
        assert session.scalars(select(EscalationMessage.text).where(EscalationMessage.sender == "staff")).all() == \
            ["Bitte stellen Sie den Akku ins Freie, wir rufen Sie an."]


@pytest.mark.parametrize("topics", [False, True], ids=["plain group", "topics"])
def test_a_reply_to_the_card_still_reaches_the_customer(settings: Settings, telegram: FakeTelegram, rasa: FakeRasa,
                                                        topics: bool) -> None:
    settings = dataclasses.replace(settings, staff_telegram_topics=topics)
    telegram.set_forum(STAFF_CHAT)  # a forum either way: without the setting the cards stay in the General topic
    number = escalate(settings.database_url, "c-reply", priority="high", team="Kundenservice", reason="complaint")

    async def scenario() -> Dict[str, Any]:
        async with running(settings, rasa):
            card = await called(telegram, sent_text(f"· #{number}"))
            staff_writes(telegram, "Wir erstatten Ihnen den Betrag.", topic=card["result"].get("message_thread_id"),
                         reply_to=card["result"])
            await called(rasa, lambda call: call["path"].endswith("/tracker/events"))
            return card

    card = asyncio.run(scenario())
    assert said_to_customers(rasa) == [("c-reply", "Wir erstatten Ihnen den Betrag.", "qs-1")]
    assert ("message_thread_id" in card["params"]) is topics
    assert len(telegram.sent("createForumTopic")) == int(topics)


def test_a_group_without_topics_gets_plain_cards_and_the_escalation_keeps_them(
        settings: Settings, telegram: FakeTelegram, rasa: FakeRasa) -> None:
    first = escalate(settings.database_url, "c-plain")

    async def scenario() -> int:
        async with running(settings, rasa):
            card = await called(telegram, sent_text(f"· #{first}"))
            [refused] = telegram.sent("createForumTopic", include_failed=True)
            assert refused["description"] == "Bad Request: the chat is not a forum"
            assert "message_thread_id" not in card["params"]
            assert card["params"]["text"].endswith("Antworten Sie auf diese Nachricht, um dem Kunden zu schreiben.")

            # Topics turned on later: new escalations get one, the first one stays a card in the group.
            telegram.set_forum(STAFF_CHAT)
            second = escalate(settings.database_url, "c-later", priority="normal", team="Kundenservice",
                              reason="person")
            later = await called(telegram, sent_text(f"· #{second}"))
            assert later["params"]["message_thread_id"] == stored(settings.database_url, second).topic_id
            customer_writes(settings, "c-plain", "Hallo? Ist da jemand?")
            forwarded = await called(telegram, sent_text("Ist da jemand"))
            assert "message_thread_id" not in forwarded["params"]
            assert forwarded["params"]["reply_parameters"]["message_id"] == card["result"]["message_id"]
            staff_writes(telegram, "Ja, wir sind da.", reply_to=card["result"])
            await called(rasa, lambda call: call["path"].endswith("/tracker/events"))
            return second

    second = asyncio.run(scenario())
    assert stored(settings.database_url, first).topic_id is None
    assert [call["params"]["name"] for call in telegram.sent("createForumTopic", include_failed=True)] == [
        f"🔴 #{first} Qualität & Sicherheit", f"🟢 #{second} Kundenservice"]
    assert said_to_customers(rasa) == [("c-plain", "Ja, wir sind da.", "qs-1")]


def test_closing_hands_back_and_closes_the_topic_and_a_refusal_is_only_logged(
        settings: Settings, telegram: FakeTelegram, rasa: FakeRasa, caplog: pytest.LogCaptureFixture) -> None:
    telegram.set_forum(STAFF_CHAT)
    first = escalate(settings.database_url, "c-close")
    second = escalate(settings.database_url, "c-refused", priority="high", team="Kundenservice", reason="complaint")

    def close(card: Dict[str, Any], number: int) -> None:
        telegram.push_update(telegram.callback_update(f"close:{number}", chat_id=STAFF_CHAT, user_id=STAFF_MEMBER,
                                                      message_id=card["result"]["message_id"]))

    async def scenario() -> None:
        async with running(settings, rasa):
            card = await called(telegram, sent_text(f"· #{first}"))
            close(card, first)
            closed = await called(telegram, lambda call: call["method"] == "closeForumTopic")
            assert closed["params"]["message_thread_id"] == card["params"]["message_thread_id"]
            confirmed = await called(telegram, sent_text(f"#{first}: Abgeschlossen – der Bot ist wieder da"))
            assert confirmed["params"]["message_thread_id"] == card["params"]["message_thread_id"]

            card = await called(telegram, sent_text(f"· #{second}"))
            telegram.fail_next("closeForumTopic", status=400,
                               description="Bad Request: not enough rights to manage forum topics")
            close(card, second)
            await called(telegram, lambda call: call["method"] == "closeForumTopic" and call.get("failed"))
            await called(telegram, sent_text(f"#{second}: Abgeschlossen"))

    with caplog.at_level(logging.WARNING, logger="bot.handoff.staff_group"):
        asyncio.run(scenario())
    assert [topic["is_closed"] for topic in telegram.topics(STAFF_CHAT)] == [True, False]
    assert [stored(settings.database_url, number).status for number in (first, second)] == ["closed", "closed"]
    handed_back = [call["path"].split("/")[2] for call in rasa.calls if call["path"].endswith("/trigger_intent")]
    assert handed_back == ["c-close", "c-refused"]
    assert "Could not close forum topic" in caplog.text and "Not enough rights" in caplog.text
