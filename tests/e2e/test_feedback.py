"""Feedback end to end: wishes, bugs, praise and criticism through the REST channel of the running assistant are
thanked for in the customer's language and stored redacted with their product; ratings at the end of a conversation
the assistant handled alone; and the staff API's /api/feedback with its token rules."""
from __future__ import annotations

from typing import List

from sqlalchemy import select

from bot.db import open_session
from bot.db.models import Escalation, Feedback
from tests.e2e.conftest import STAFF_ADMIN_TOKEN, STAFF_TOKENS
from tests.e2e.test_conversations import Chat, _contains_all
from tests.e2e.test_handoff import staff_api
from tests.helpers.system import RunningSystem

PRODUCT = STAFF_TOKENS["Produktmanagement"]


def _stored(system: RunningSystem, chat: Chat) -> List[Feedback]:
    status, body = staff_api(system, "GET", f"/feedback?conversation_id={chat.sender}", PRODUCT)
    assert status == 200, body
    with open_session(system.database_url) as session:
        return list(session.scalars(select(Feedback).where(Feedback.id.in_([f["id"] for f in body["feedback"]]))
                                    .order_by(Feedback.id)))


def test_a_wish_is_thanked_for_and_stored_redacted_with_its_product(channels_system: RunningSystem) -> None:
    chat = Chat(channels_system)
    reply = chat.say("Es wäre toll, wenn es das Lastenrad C2 auch in Grün gäbe. Ich heiße Anna Schmidt, "
                     "erreichbar unter anna.schmidt@example.de")
    _contains_all(reply, ["Danke für Ihre Idee", "Produktmanagement"])
    [wish] = _stored(channels_system, chat)
    assert (wish.kind, wish.sku, wish.language, wish.channel) == ("feature_request", "LR-C2", "de", "rest")
    assert wish.text == ("Es wäre toll, wenn es das Lastenrad C2 auch in Grün gäbe. Ich heiße [Name], "
                         "erreichbar unter [E-Mail]")
    assert len(wish.conversation_ref) == 16 and wish.conversation_ref != chat.sender


def test_praise_in_english_is_linked_to_the_product_that_was_the_topic(channels_system: RunningSystem) -> None:
    chat = Chat(channels_system)
    _contains_all(chat.say("How much is the Stadtrad E7?"), ["2,799"])
    _contains_all(chat.say("Honestly, this bike is brilliant – I've loved riding it to work every day"),
                  ["lovely to hear"])
    [praise] = _stored(channels_system, chat)
    assert (praise.kind, praise.sku, praise.language) == ("praise", "LR-E7", "en")


def test_a_harmless_bug_is_feedback_a_dangerous_one_a_safety_escalation(channels_system: RunningSystem) -> None:
    chat = Chat(channels_system)
    _contains_all(chat.say("Die App zeigt bei meinem E7 seit dem Update immer 0 km Reichweite an"),
                  ["Danke, dass Sie uns den Fehler melden"])
    assert [f.kind for f in _stored(channels_system, chat)] == ["bug_report"]

    danger = Chat(channels_system)
    danger.say("Mein Akku wird beim Laden so heiß, dass das Gehäuse qualmt")
    assert _stored(channels_system, danger) == []
    with open_session(channels_system.database_url) as session:
        escalation = session.scalars(select(Escalation).where(Escalation.conversation_id == danger.sender)).one()
    assert (escalation.team, escalation.priority) == ("Qualität & Sicherheit", "critical")


def test_criticism_is_thanked_for_in_both_languages(channels_system: RunningSystem) -> None:
    german, english = Chat(channels_system), Chat(channels_system)
    _contains_all(german.say("Ehrlich gesagt finde ich eure Website ziemlich unübersichtlich"), ["Kritik hilft uns"])
    _contains_all(english.say("To be honest, I find your prices have become rather steep"), ["criticism helps"])
    assert [f.kind for f in _stored(channels_system, german) + _stored(channels_system, english)] == [
        "criticism", "criticism"]


def test_a_conversation_the_assistant_handled_alone_is_rated_at_the_end(channels_system: RunningSystem) -> None:
    chat = Chat(channels_system)
    chat.say("Liefert ihr auch nach Österreich?")
    _contains_all(chat.say("Okay, tschüss!"), ["bis bald", "Wie zufrieden"])
    _contains_all(chat.press("4"), ["Vielen Dank für Ihre Bewertung"])
    [rating] = _stored(channels_system, chat)
    assert (rating.kind, rating.rating, rating.escalation_id, rating.text) == ("rating", 4, None, "")

    small_talk = Chat(channels_system)
    small_talk.say("Hallo")
    assert "Wie zufrieden" not in small_talk.say("Tschüss")  # nothing answered, nothing to rate


def test_a_thank_you_after_answered_questions_asks_for_the_rating_once(channels_system: RunningSystem) -> None:
    chat = Chat(channels_system)
    chat.say("Do you deliver to Austria?")
    reply = chat.say("Great, thanks a lot!")
    _contains_all(reply, ["glad I could help", "How happy"])
    assert "anything else I can do" not in reply  # one question at a time
    assert "How happy" not in chat.say("bye")  # asked once a session, rated or not
    assert _stored(channels_system, chat) == []

    rated = Chat(channels_system)
    rated.say("Liefert ihr auch nach Österreich?")
    _contains_all(rated.say("Danke!"), ["Gern geschehen", "Wie zufrieden"])
    _contains_all(rated.press("5"), ["Vielen Dank für Ihre Bewertung"])
    assert [(f.kind, f.rating) for f in _stored(channels_system, rated)] == [("rating", 5)]

    small_talk = Chat(channels_system)
    small_talk.say("Hallo")
    _contains_all(small_talk.say("Danke"), ["Kann ich sonst noch etwas für Sie tun"])  # nothing answered yet


def test_the_feedback_api_checks_tokens_teams_and_filters(channels_system: RunningSystem) -> None:
    chat = Chat(channels_system)
    chat.say("Please add a dark mode to the app, my eyes would thank you")
    assert staff_api(channels_system, "GET", "/feedback", None)[0] == 401
    assert staff_api(channels_system, "GET", "/feedback", "wrong-token")[0] == 401
    status, body = staff_api(channels_system, "GET", "/feedback", STAFF_TOKENS["Kundenservice"])
    assert status == 403 and "Produktmanagement" in body["error"]

    for query, message in [("kind=wish", "kind must be one of"), ("since=last+week", "since must be"),
                           ("colour=green", "unknown filter"), ("product=Einhorn", "no product"),
                           ("limit=0", "limit must be")]:
        status, body = staff_api(channels_system, "GET", f"/feedback?{query}", PRODUCT)
        assert status == 400 and message in body["error"], (query, body)

    status, body = staff_api(channels_system, "GET", f"/feedback?kind=feature_request&conversation_id={chat.sender}",
                             PRODUCT)
    assert status == 200
    [item] = body["feedback"]
    assert set(item) == {"id", "kind", "text", "rating", "sku", "product", "language", "channel", "conversation_ref",
                         "escalation_id", "created_at"}
    assert (item["kind"], item["language"], item["sku"]) == ("feature_request", "en", None)
    status, everything = staff_api(channels_system, "GET", "/feedback?since=2026-01-01", STAFF_ADMIN_TOKEN)
    assert status == 200 and item["id"] in {f["id"] for f in everything["feedback"]}
    c2 = staff_api(channels_system, "GET", "/feedback?product=LR-C2", PRODUCT)[1]["feedback"]
    assert all(f["sku"] == "LR-C2" and f["product"] == "Lastenrad C2" for f in c2)
