"""The Messenger channel's sending side against the fake Graph API: Meta's messaging window for staff replies."""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Dict, Iterator

import pytest
from fbmessenger import MessengerClient
from rasa.shared.core.events import BotUttered

from bot.channels.delivery import Outbox
from bot.channels.messenger import MessengerOutput, MessengerSender
from tests.fakes.graph_api import FakeGraph

PSID = "5012345678901234"
HOUR = 3600.0


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    with FakeGraph() as fake:
        yield fake


def _sender(graph: FakeGraph, database_url: str) -> MessengerSender:
    client = MessengerClient(graph.page_access_token)
    client.graph_url = graph.graph_url
    sender = MessengerSender(client, Outbox(database_url, "facebook"))
    sender.first_backoff = 0.01
    return sender


def _say(sender: MessengerSender, message: Dict[str, Any]) -> None:
    asyncio.run(MessengerOutput(sender).send_response(PSID, message))


def test_a_staff_reply_30_hours_later_goes_tagged_and_a_bot_reply_is_refused_for_good(
        graph: FakeGraph, database_url: str, caplog: pytest.LogCaptureFixture) -> None:
    sender = _sender(graph, database_url)
    graph.user_wrote(PSID, at=time.time() - 30 * HOUR)

    # What Rasa hands the output channel for RasaConversations.say's event: the metadata merged into the message.
    _say(sender, BotUttered("Hier ist Kundenservice, Herr Brandt.", metadata={"staff": "Herr Brandt"}).message())
    [reply] = graph.sent(PSID)
    assert reply["body"]["message"] == {"text": "Hier ist Kundenservice, Herr Brandt."}
    assert (reply["body"]["messaging_type"], reply["body"]["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")

    with caplog.at_level(logging.ERROR, logger="bot.channels.delivery"):
        _say(sender, BotUttered("Ich bin wieder da.").message())
    [refused] = graph.sent(PSID, include_failed=True)[1:]
    assert refused["body"]["messaging_type"] == "RESPONSE" and "tag" not in refused["body"]
    assert refused["response"]["error"]["error_subcode"] == 2018278
    assert len(graph.sent(PSID, include_failed=True)) == 2  # permanent: not retried
    assert "refused a reply to" in caplog.text and "for good" in caplog.text and "(#10)" in caplog.text
    assert sender.outbox.pending() == []  # and not kept


def test_within_the_window_the_assistant_answers_as_a_response(graph: FakeGraph, database_url: str) -> None:
    graph.user_wrote(PSID)
    _say(_sender(graph, database_url), {"text": "Hallo!"})
    [reply] = graph.sent(PSID)
    assert reply["body"]["messaging_type"] == "RESPONSE" and "tag" not in reply["body"]


def test_a_kept_staff_reply_keeps_its_tag_in_the_outbox(graph: FakeGraph, database_url: str) -> None:
    sender = _sender(graph, database_url)
    graph.user_wrote(PSID, at=time.time() - 30 * HOUR)
    graph.fail_next(times=sender.attempts, status=503)
    _say(sender, {"text": "Frau Albers hier.", "staff": "Frau Albers"})
    assert graph.sent(PSID) == [] and [m.payload["staff"] for m in sender.outbox.pending()] == ["Frau Albers"]

    assert asyncio.run(sender.outbox.flush(sender.deliver)) == 1
    [reply] = graph.sent(PSID)
    assert (reply["body"]["messaging_type"], reply["body"]["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
