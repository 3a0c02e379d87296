"""A person takes over: a safety message on Telegram escalates, staff answer through the API, hand it back."""
from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
from urllib.parse import quote
from typing import Any, List, Optional, Tuple

import pytest
from sqlalchemy import select

from bot.db import open_session
from bot.db.models import Escalation, Feedback
from tests.e2e.conftest import STAFF_ADMIN_TOKEN, STAFF_CHAT, STAFF_TOKENS, Platforms
from tests.e2e.test_telegram import deliver_update, post_update, replies
from tests.helpers.system import RunningSystem

_chats = itertools.count(7001)
QUALITY, SERVICE = STAFF_TOKENS["Qualität & Sicherheit"], STAFF_TOKENS["Kundenservice"]


def staff_api(system: RunningSystem, method: str, path: str, token: Optional[str], body: Any = None) -> Tuple[int, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{system.console_port}/api{path}", method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def transcript_with(system: RunningSystem, number: int, text: str, token: str, timeout: float = 30) -> List[dict]:
    """The escalation's transcript once it holds `text` (Rasa records a message once it has handled it, which takes
    longer right after a restart)."""
    deadline = time.monotonic() + timeout
    while True:
        status, detail = staff_api(system, "GET", f"/escalations/{number}", token)
        assert status == 200, detail
        said = [m["text"] for m in detail["transcript"]]
        if text in said or time.monotonic() > deadline:
            assert text in said, detail["transcript"]
            return detail["transcript"]
        time.sleep(0.2)


def test_safety_incident_on_telegram_is_handed_to_quality_and_back(channels_system: RunningSystem,
                                                                   platforms: Platforms) -> None:
    system, telegram, chat = channels_system, platforms.telegram, next(_chats)
    post_update(system, telegram.text_update("Mein Akku ist beim Laden heiß geworden und hat geraucht!",
                                             chat_id=chat, user_id=chat))
    advice, handoff = [m["params"]["text"] for m in replies(telegram, chat, 2)]
    assert "112" in advice and "Qualität & Sicherheit" in handoff and "gleich" in handoff

    status, listed = staff_api(system, "GET", f"/escalations?conversation_id={chat}", QUALITY)
    assert status == 200 and len(listed["escalations"]) == 1
    escalation = listed["escalations"][0]
    assert {k: escalation[k] for k in ("team", "priority", "reason", "status", "channel", "language")} == {
        "team": "Qualität & Sicherheit", "priority": "critical", "reason": "safety", "status": "open",
        "channel": "telegram", "language": "de"}
    number = escalation["id"]

    # While a person has the conversation, the assistant answers nothing (and shows no typing), and staff see
    # every message.
    typing_before = len(telegram.sent("sendChatAction", chat))
    post_update(system, telegram.text_update("Hallo? Was soll ich jetzt machen?", chat_id=chat, user_id=chat))
    time.sleep(2)
    assert len(telegram.sent("sendMessage", chat)) == 2
    assert len(telegram.sent("sendChatAction", chat)) == typing_before
    status, detail = staff_api(system, "GET", f"/escalations/{number}", QUALITY)
    assert status == 200 and "Hallo? Was soll ich jetzt machen?" in [m["text"] for m in detail["transcript"]]
    assert any("geraucht" in m["text"] for m in detail["context"])

    status, claimed = staff_api(system, "POST", f"/escalations/{number}/claim", QUALITY)
    assert status == 200 and claimed["status"] == "claimed" and claimed["claimed_at"]
    staff_text = "Hier ist das Team Qualität & Sicherheit: Bitte stellen Sie den Akku ins Freie."
    status, answered = staff_api(system, "POST", f"/escalations/{number}/reply", QUALITY, {"text": staff_text})
    assert status == 200 and answered["first_staff_reply_at"]
    assert replies(telegram, chat, 3)[2]["params"]["text"] == staff_text

    status, closed = staff_api(system, "POST", f"/escalations/{number}/close", QUALITY)
    assert status == 200 and closed["status"] == "closed" and closed["closed_at"]
    back, rating = replies(telegram, chat, 5)[3:5]
    assert "wieder" in back["params"]["text"]
    buttons = [b for row in rating["params"]["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["text"] for b in buttons] == ["1", "2", "3", "4", "5"]
    post_update(system, telegram.callback_update(buttons[3]["callback_data"], chat_id=chat, user_id=chat,
                                                 message_id=rating["result"]["message_id"]))
    assert "Bewertung" in replies(telegram, chat, 6)[5]["params"]["text"]
    with open_session(system.database_url) as session:
        rating = session.scalars(select(Feedback).where(Feedback.escalation_id == number)).one()
    assert (rating.kind, rating.rating, rating.language, rating.channel) == ("rating", 4, "de", "telegram")
    assert staff_api(system, "GET", f"/escalations/{number}", QUALITY)[1]["rating"] == 4

    post_update(system, telegram.text_update("Was kostet das Stadtrad E7?", chat_id=chat, user_id=chat))
    assert "2.799 €" in replies(telegram, chat, 7)[6]["params"]["text"]


def test_the_staff_api_checks_tokens_teams_and_input(channels_system: RunningSystem, platforms: Platforms) -> None:
    system, telegram, chat = channels_system, platforms.telegram, next(_chats)
    post_update(system, telegram.text_update("Die Bremse hat komplett versagt, ich bin gestürzt", chat_id=chat,
                                             user_id=chat))
    replies(telegram, chat, 2)
    number = staff_api(system, "GET", f"/escalations?conversation_id={chat}", STAFF_ADMIN_TOKEN)[1]["escalations"][0]["id"]
    assert staff_api(system, "GET", "/escalations", None)[0] == 401
    assert staff_api(system, "GET", "/escalations", "guessed")[0] == 401
    assert staff_api(system, "GET", f"/escalations/{number}", SERVICE)[0] == 403
    assert staff_api(system, "POST", f"/escalations/{number}/claim", SERVICE)[0] == 403
    assert staff_api(system, "GET", "/escalations?team=" + quote("Qualität & Sicherheit"), SERVICE)[0] == 403
    assert staff_api(system, "GET", "/escalations?status=pending", QUALITY)[0] == 400
    assert staff_api(system, "GET", "/escalations?colour=red", QUALITY)[0] == 400
    assert staff_api(system, "POST", f"/escalations/{number}/reply", QUALITY, {"txt": "x"})[0] == 400
    assert staff_api(system, "POST", f"/escalations/{number}/reply", QUALITY, {"text": "  "})[0] == 400
    assert staff_api(system, "GET", "/escalations/abc", QUALITY)[0] == 400
    assert staff_api(system, "GET", "/escalations/999999", QUALITY)[0] == 404
    status, still = staff_api(system, "GET", f"/escalations/{number}", QUALITY)
    assert status == 200 and still["status"] == "open" and still["first_staff_reply_at"] is None
    assert len(telegram.sent("sendMessage", chat)) == 2
    # The team sees only its own escalations; the admin sees all.
    mine = staff_api(system, "GET", "/escalations", SERVICE)[1]["escalations"]
    assert all(e["team"] == "Kundenservice" for e in mine)
    assert staff_api(system, "POST", f"/escalations/{number}/close", STAFF_ADMIN_TOKEN)[0] == 200
    assert staff_api(system, "POST", f"/escalations/{number}/close", STAFF_ADMIN_TOKEN)[0] == 409


@pytest.mark.parametrize("message, team, priority", [
    ("Ich will sofort mit einem Mitarbeiter sprechen", "Kundenservice", "normal"),
    ("Das ist jetzt das dritte Mal, dass ich schreibe. Ich schalte meinen Anwalt ein!", "Kundenservice", "high"),
    ("Bitte löschen Sie alle meine Daten gemäß DSGVO", "Datenschutz", "high"),
    ("We'd like a quote for 25 cargo bikes for our delivery fleet", "Vertrieb B2B", "normal"),
    ("How much is a new battery? Mine got really hot and started smoking yesterday", "Qualität & Sicherheit",
     "critical"),
])
def test_each_kind_of_request_reaches_the_right_team(channels_system: RunningSystem, platforms: Platforms,
                                                      message: str, team: str, priority: str) -> None:
    system, telegram, chat = channels_system, platforms.telegram, next(_chats)
    post_update(system, telegram.text_update(message, chat_id=chat, user_id=chat))
    replies(telegram, chat, 1)
    time.sleep(0.5)
    found = staff_api(system, "GET", f"/escalations?conversation_id={chat}", STAFF_ADMIN_TOKEN)[1]["escalations"]
    assert [(e["team"], e["priority"]) for e in found] == [(team, priority)]


def test_a_new_session_keeps_the_conversation_with_the_person(channels_system: RunningSystem,
                                                               platforms: Platforms) -> None:
    """Session expiry (here: a new session started through Rasa's API) must not let the assistant answer again."""
    system, telegram, chat = channels_system, platforms.telegram, next(_chats)
    post_update(system, telegram.text_update("Ich möchte mit einem Menschen sprechen", chat_id=chat, user_id=chat))
    replies(telegram, chat, 1)
    token = (system.var_dir / "rasa-api.token").read_text().strip()
    request = urllib.request.Request(
        f"http://127.0.0.1:{system.rasa_port}/conversations/{chat}/execute?token={token}", method="POST",
        data=json.dumps({"name": "action_session_start"}).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200
    except urllib.error.HTTPError as error:
        raise AssertionError(error.read().decode()) from None
    post_update(system, telegram.text_update("Was kostet das Stadtrad E7?", chat_id=chat, user_id=chat))
    time.sleep(2)
    assert len(telegram.sent("sendMessage", chat)) == 1


def test_staff_work_the_escalation_in_their_telegram_group(channels_system: RunningSystem,
                                                           platforms: Platforms) -> None:
    system, telegram, staff, chat = channels_system, platforms.telegram, platforms.staff, next(_chats)
    post_update(system, telegram.text_update("Beim Bergabfahren ist die Vorderbremse ausgefallen, ich bin gestürzt",
                                             chat_id=chat, user_id=chat))
    replies(telegram, chat, 2)
    card = staff.wait_for(lambda c: c["method"] == "sendMessage" and c["params"]["chat_id"] == STAFF_CHAT
                          and "Vorderbremse ausgefallen" in c["params"]["text"], timeout=20)
    assert "KRITISCH" in card["params"]["text"] and "Qualität & Sicherheit" in card["params"]["text"]
    buttons = [b["callback_data"] for row in card["params"]["reply_markup"]["inline_keyboard"] for b in row]
    card_id = card["result"]["message_id"]

    # The customer's next message reaches the group under the card, and is not answered by the bot.
    post_update(system, telegram.text_update("Mein Knie blutet, was soll ich tun?", chat_id=chat, user_id=chat))
    forwarded = staff.wait_for(lambda c: c["method"] == "sendMessage" and "Mein Knie blutet" in c["params"]["text"],
                               timeout=20)
    assert forwarded["params"]["reply_parameters"]["message_id"] == card_id
    assert len(telegram.sent("sendMessage", chat)) == 2

    # A staff member replies to the card in the group: the customer gets it on Telegram.
    update = staff.text_update("Bitte kühlen Sie das Knie, wir rufen Sie gleich an.", chat_id=STAFF_CHAT,
                               user_id=4242, first_name="qs-1", chat_type="supergroup")
    update["message"]["reply_to_message"] = card["result"]
    staff.push_update(update)
    assert replies(telegram, chat, 3)[2]["params"]["text"] == "Bitte kühlen Sie das Knie, wir rufen Sie gleich an."

    # Closing from the card hands the conversation back and asks for a rating.
    staff.push_update(staff.callback_update(buttons[1], chat_id=STAFF_CHAT, user_id=4242, message_id=card_id))
    assert "wieder" in replies(telegram, chat, 5)[3]["params"]["text"]
    deadline = time.monotonic() + 10  # the escalation is written closed once Rasa took the conversation back
    while True:
        with open_session(system.database_url) as session:
            escalation = session.scalars(select(Escalation).where(Escalation.conversation_id == str(chat))).one()
        if escalation.status == "closed" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert escalation.status == "closed" and escalation.first_staff_reply_at is not None


def test_the_handoff_survives_restarts_of_rasa_and_the_action_server(channels_system: RunningSystem,
                                                                     platforms: Platforms) -> None:
    system, telegram, chat = channels_system, platforms.telegram, next(_chats)
    post_update(system, telegram.text_update("Aus dem Akku kommt Rauch!", chat_id=chat, user_id=chat))
    replies(telegram, chat, 2)
    number = staff_api(system, "GET", f"/escalations?conversation_id={chat}", QUALITY)[1]["escalations"][0]["id"]

    system.kill("rasa run actions")
    system.kill("rasa run --model")
    time.sleep(1)
    system.wait_until_healthy()

    deliver_update(system, telegram.text_update("Hallo, ist da jemand?", chat_id=chat, user_id=chat))
    transcript_with(system, number, "Hallo, ist da jemand?", QUALITY)
    time.sleep(1)
    assert len(telegram.sent("sendMessage", chat)) == 2  # still with the person: the assistant stays silent
    staff_api(system, "POST", f"/escalations/{number}/reply", QUALITY, {"text": "Ja, wir sind da."})
    assert replies(telegram, chat, 3)[2]["params"]["text"] == "Ja, wir sind da."
    staff_api(system, "POST", f"/escalations/{number}/close", QUALITY)
    replies(telegram, chat, 5)
    post_update(system, telegram.text_update("Was kostet das Stadtrad E5?", chat_id=chat, user_id=chat))
    assert "2.299 €" in replies(telegram, chat, 6)[5]["params"]["text"]
