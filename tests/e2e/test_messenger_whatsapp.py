"""Messenger and WhatsApp end to end: signed deliveries against local fakes of the Graph API and Twilio, and a
person taking over a conversation on each through the staff API."""
from __future__ import annotations

import itertools
import time
import urllib.error
import urllib.request
from typing import Dict, List, Optional, Tuple
from urllib.parse import quote

import pytest

from tests.e2e.conftest import FACEBOOK_APP_SECRET, FACEBOOK_VERIFY_TOKEN, STAFF_TOKENS, Platforms
from tests.e2e.test_handoff import staff_api, transcript_with
from tests.fakes.graph_api import FakeGraph
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers.system import RunningSystem

_people = itertools.count(1)


def _post(url: str, body: bytes, headers: Dict[str, str]) -> Tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _wait(fetch, count: int, timeout: float = 20) -> List[dict]:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = fetch()
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"expected {count} messages, got {fetch()}")


# ── Messenger ──────────────────────────────────────────────────────────────────────────────────────────────────

def _messenger(system: RunningSystem, graph: FakeGraph, body: dict, secret: str = FACEBOOK_APP_SECRET,
               drop: str = "") -> int:
    raw, headers = FakeGraph.signed_webhook(body, secret)
    headers = {k: v for k, v in headers.items() if k != drop}
    return _post(f"http://127.0.0.1:{system.rasa_port}/webhooks/facebook/webhook", raw,
                 {"Content-Type": "application/json", **headers})[0]


def _psid() -> str:
    return f"7{next(_people):015d}"


def test_messenger_answers_with_a_button_template(channels_system: RunningSystem, platforms: Platforms) -> None:
    graph, psid = platforms.graph, _psid()
    assert _messenger(channels_system, graph, graph.text_event(psid, "Was kostet das Tour T9?")) == 200
    answer, offer = _wait(lambda: graph.sent(psid), 2)
    assert "3.499 €" in answer["body"]["message"]["text"]
    template = offer["body"]["message"]["attachment"]["payload"]
    assert template["template_type"] == "button"
    assert [b["title"] for b in template["buttons"]] == ["Welcher Akku passt?"]
    assert graph.sent(psid, kind="sender_action")


def test_messenger_postbacks_and_quick_replies_reach_the_assistant(channels_system: RunningSystem,
                                                                   platforms: Platforms) -> None:
    graph, psid = platforms.graph, _psid()
    _messenger(channels_system, graph, graph.text_event(psid, "Was kostet das Stadtrad?"))
    template = _wait(lambda: graph.sent(psid), 1)[0]["body"]["message"]["attachment"]["payload"]
    assert [b["title"] for b in template["buttons"]] == ["Stadtrad E5", "Stadtrad E7"]
    _messenger(channels_system, graph, graph.postback_event(psid, template["buttons"][1]["payload"], "Stadtrad E7"))
    assert "2.799 €" in _wait(lambda: graph.sent(psid), 2)[1]["body"]["message"]["text"]
    # More than three choices come as quick replies.
    _messenger(channels_system, graph, graph.text_event(psid, "Hallo!"))
    greeting = _wait(lambda: graph.sent(psid), 4)[-1]["body"]["message"]
    assert [q["title"] for q in greeting["quick_replies"]][:2] == ["Produkte & Preise", "Meine Bestellung"]
    _messenger(channels_system, graph, graph.quick_reply_event(psid, "Meine Bestellung",
                                                               greeting["quick_replies"][1]["payload"]))
    assert "Bestellnummer" in _wait(lambda: graph.sent(psid), 5)[-1]["body"]["message"]["text"]


@pytest.mark.parametrize("how", ["wrong secret", "no signature", "only the old SHA-1 signature"])
def test_messenger_refuses_unsigned_or_wrongly_signed_deliveries(channels_system: RunningSystem,
                                                                 platforms: Platforms, how: str) -> None:
    graph, psid = platforms.graph, _psid()
    body = graph.text_event(psid, "Hallo")
    if how == "wrong secret":
        status = _messenger(channels_system, graph, body, secret="guessed")
    elif how == "no signature":
        raw = FakeGraph.signed_webhook(body, FACEBOOK_APP_SECRET)[0]
        status = _post(f"http://127.0.0.1:{channels_system.rasa_port}/webhooks/facebook/webhook", raw,
                       {"Content-Type": "application/json"})[0]
    else:
        status = _messenger(channels_system, graph, body, drop="X-Hub-Signature-256")
    assert status == 403
    time.sleep(1.0)
    assert graph.sent(psid) == []


def test_messenger_answers_a_repeated_delivery_once(channels_system: RunningSystem, platforms: Platforms) -> None:
    graph, psid = platforms.graph, _psid()
    body = graph.text_event(psid, "Wie lange habe ich Garantie?")
    assert _messenger(channels_system, graph, body) == 200
    assert _messenger(channels_system, graph, body) == 200
    _wait(lambda: graph.sent(psid), 1)
    time.sleep(1.0)
    assert len(graph.sent(psid)) == 1


def test_messenger_webhook_verification(channels_system: RunningSystem) -> None:
    base = f"http://127.0.0.1:{channels_system.rasa_port}/webhooks/facebook/webhook"
    good = f"{base}?hub.mode=subscribe&hub.verify_token={FACEBOOK_VERIFY_TOKEN}&hub.challenge=1158201444"
    with urllib.request.urlopen(good, timeout=10) as response:
        assert response.read() == b"1158201444"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{base}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1", timeout=10)
    assert refused.value.code == 403


def test_messenger_rate_limits_are_retried(channels_system: RunningSystem, platforms: Platforms) -> None:
    graph, psid = platforms.graph, _psid()
    graph.fail_next(times=2, status=400, code=613)
    _messenger(channels_system, graph, graph.text_event(psid, "Liefert ihr nach Österreich?"))
    assert "Österreich" in _wait(lambda: graph.sent(psid), 1, timeout=30)[0]["body"]["message"]["text"]


# ── WhatsApp ───────────────────────────────────────────────────────────────────────────────────────────────────

def _whatsapp(system: RunningSystem, twilio: FakeTwilio, params: Dict[str, str], token: str = "") -> int:
    url = f"http://127.0.0.1:{system.rasa_port}/webhooks/whatsapp/webhook"
    body, headers = FakeTwilio.signed_webhook(url, params, token or twilio.auth_token)
    return _post(url, body, {"Content-Type": "application/x-www-form-urlencoded", **headers})[0]


def _number() -> str:
    return f"+49151{next(_people):07d}"


def test_whatsapp_buttons_become_a_numbered_list_answered_by_number(channels_system: RunningSystem,
                                                                     platforms: Platforms) -> None:
    twilio, number = platforms.twilio, _number()
    assert _whatsapp(channels_system, twilio, twilio.incoming_whatsapp(number, "Was kostet das Stadtrad?")) == 200
    choice = _wait(lambda: twilio.sent(f"whatsapp:{number}"), 1)[0]["params"]["Body"]
    assert "1. Stadtrad E5" in choice and "2. Stadtrad E7" in choice
    _whatsapp(channels_system, twilio, twilio.incoming_whatsapp(number, "2"))
    replies = _wait(lambda: twilio.sent(f"whatsapp:{number}"), 2)
    assert "2.799 €" in replies[1]["params"]["Body"]


def test_whatsapp_refuses_wrongly_signed_requests(channels_system: RunningSystem, platforms: Platforms) -> None:
    twilio, number = platforms.twilio, _number()
    assert _whatsapp(channels_system, twilio, twilio.incoming_whatsapp(number, "Hallo"), token="guessed") == 403
    time.sleep(1.0)
    assert twilio.sent(f"whatsapp:{number}") == []


def test_whatsapp_answers_a_repeated_delivery_once_and_retries_rate_limits(channels_system: RunningSystem,
                                                                           platforms: Platforms) -> None:
    twilio, number = platforms.twilio, _number()
    twilio.fail_next(times=1, status=429)
    params = twilio.incoming_whatsapp(number, "Kann ich mein Rad zurückgeben?")
    assert _whatsapp(channels_system, twilio, params) == 200
    assert _whatsapp(channels_system, twilio, params) == 200
    assert "30 Tage" in _wait(lambda: twilio.sent(f"whatsapp:{number}"), 1, timeout=30)[0]["params"]["Body"]
    time.sleep(1.0)
    assert len(twilio.sent(f"whatsapp:{number}")) == 1


# ── A person takes over, on either channel ─────────────────────────────────────────────────────────────────────

SERVICE = STAFF_TOKENS["Kundenservice"]
ASK_FOR_A_PERSON = "Ich möchte bitte mit einem Menschen sprechen"
HANDOFF_NOTICE = "Ich gebe Ihr Anliegen an unser Team Kundenservice weiter"


def _escalation_of(system: RunningSystem, conversation_id: str, channel: str) -> int:
    """The conversation's escalation as staff find it through the API: to Kundenservice, open, on `channel`."""
    status, listed = staff_api(system, "GET", f"/escalations?conversation_id={quote(conversation_id, safe='')}",
                               SERVICE)
    assert status == 200 and len(listed["escalations"]) == 1, listed
    escalation = listed["escalations"][0]
    assert (escalation["team"], escalation["status"], escalation["channel"]) == ("Kundenservice", "open", channel)
    return escalation["id"]


def _staff_reply(system: RunningSystem, number: int, text: str) -> None:
    status, claimed = staff_api(system, "POST", f"/escalations/{number}/claim", SERVICE)
    assert status == 200 and claimed["status"] == "claimed", claimed
    status, answered = staff_api(system, "POST", f"/escalations/{number}/reply", SERVICE, {"text": text})
    assert status == 200 and answered["first_staff_reply_at"], answered


def _close(system: RunningSystem, number: int) -> None:
    status, closed = staff_api(system, "POST", f"/escalations/{number}/close", SERVICE)
    assert status == 200 and closed["status"] == "closed", closed


def _rating(system: RunningSystem, number: int) -> Optional[int]:
    return staff_api(system, "GET", f"/escalations/{number}", SERVICE)[1]["rating"]


def test_messenger_a_person_takes_over_replies_and_hands_back(channels_system: RunningSystem,
                                                              platforms: Platforms) -> None:
    system, graph, psid = channels_system, platforms.graph, _psid()
    texts = lambda: [call["body"]["message"].get("text") for call in graph.sent(psid)]  # noqa: E731
    assert _messenger(system, graph, graph.text_event(psid, ASK_FOR_A_PERSON)) == 200
    assert HANDOFF_NOTICE in _wait(texts, 1)[0]
    number = _escalation_of(system, psid, "facebook")

    # Staff answer 30 hours after the customer's message, outside Meta's 24-hour window: as a person's message
    # (tagged HUMAN_AGENT, allowed for 7 days) it is still delivered.
    assert graph.sent(psid)[0]["body"]["messaging_type"] == "RESPONSE"
    graph.user_wrote(psid, at=time.time() - 30 * 3600)
    staff_text = "Hier ist Kundenservice, Herr Brandt. Worum geht es?"
    _staff_reply(system, number, staff_text)
    reply = _wait(lambda: graph.sent(psid), 2)[1]
    assert reply["body"]["recipient"] == {"id": psid} and reply["body"]["message"] == {"text": staff_text}
    assert (reply["body"]["messaging_type"], reply["body"]["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")

    # The customer answers the person: forwarded to staff, not answered by the assistant, which shows no typing.
    typing_before = len(graph.sent(psid, kind="sender_action"))
    question = "Was kostet das Stadtrad E7 mit größerem Akku?"
    assert _messenger(system, graph, graph.text_event(psid, question)) == 200
    transcript = transcript_with(system, number, question, SERVICE)
    assert [(m["from"], m["text"]) for m in transcript][-2:] == [("staff", staff_text), ("customer", question)]
    time.sleep(1.0)
    assert len(texts()) == 2 and len(graph.sent(psid, kind="sender_action")) == typing_before

    _close(system, number)
    back, rating = _wait(lambda: graph.sent(psid), 4)[2:4]
    assert "ab jetzt bin wieder ich" in back["body"]["message"]["text"]
    assert back["body"]["messaging_type"] == "RESPONSE" and "tag" not in back["body"]  # the assistant's own
    stars = rating["body"]["message"]
    assert "Wie zufrieden" in stars["text"] and [q["title"] for q in stars["quick_replies"]] == ["1", "2", "3", "4", "5"]
    _messenger(system, graph, graph.quick_reply_event(psid, "4", stars["quick_replies"][3]["payload"]))
    assert "Vielen Dank für Ihre Bewertung" in _wait(texts, 5)[4]
    assert _rating(system, number) == 4


def test_whatsapp_a_person_takes_over_replies_and_hands_back(channels_system: RunningSystem,
                                                             platforms: Platforms) -> None:
    system, twilio, number = channels_system, platforms.twilio, _number()
    customer = f"whatsapp:{number}"
    texts = lambda: [call["params"]["Body"] for call in twilio.sent(customer)]  # noqa: E731
    assert _whatsapp(system, twilio, twilio.incoming_whatsapp(number, ASK_FOR_A_PERSON)) == 200
    assert HANDOFF_NOTICE in _wait(texts, 1)[0]
    escalation = _escalation_of(system, customer, "whatsapp")

    staff_text = "Hier ist Kundenservice, Frau Albers. Worum geht es?"
    _staff_reply(system, escalation, staff_text)
    reply = _wait(lambda: twilio.sent(customer), 2)[1]["params"]
    assert (reply["From"], reply["To"], reply["Body"]) == (twilio.whatsapp_number, customer, staff_text)

    # The customer answers the person: forwarded to staff, not answered by the assistant.
    question = "Was kostet das Stadtrad E7 mit größerem Akku?"
    assert _whatsapp(system, twilio, twilio.incoming_whatsapp(number, question)) == 200
    transcript = transcript_with(system, escalation, question, SERVICE)
    assert [(m["from"], m["text"]) for m in transcript][-2:] == [("staff", staff_text), ("customer", question)]
    time.sleep(1.0)
    assert len(texts()) == 2

    _close(system, escalation)
    back, rating = _wait(texts, 4)[2:4]
    assert "ab jetzt bin wieder ich" in back
    assert "Wie zufrieden" in rating and "1. 1" not in rating  # the question asks for the number; no list of 1–5
    _whatsapp(system, twilio, twilio.incoming_whatsapp(number, "4"))
    assert "Vielen Dank für Ihre Bewertung" in _wait(texts, 5)[4]
    assert _rating(system, escalation) == 4
