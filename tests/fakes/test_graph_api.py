"""The fake Graph API answers the real fbmessenger client (and Rasa's Messenger output) like Facebook does."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Iterator

import pytest
import requests
from fbmessenger import MessengerClient
from fbmessenger.elements import Text
from fbmessenger.quick_replies import QuickReplies, QuickReply
from fbmessenger.sender_actions import SenderAction
from rasa.core.channels.facebook import FacebookInput, Messenger, MessengerBot

from tests.fakes.graph_api import FakeGraph

PSID = "5012345678901234"
APP_SECRET = "3f1c9a7e5b2d4c6e8a0b1c2d3e4f5a6b"


@pytest.fixture
def fake() -> Iterator[FakeGraph]:
    with FakeGraph() as server:
        yield server


@pytest.fixture
def client(fake: FakeGraph) -> MessengerClient:
    messenger = MessengerClient(fake.page_access_token)
    messenger.graph_url = fake.graph_url
    return messenger


def raw_post(fake: FakeGraph, path: str, body: Dict[str, Any], token: Any = "page") -> requests.Response:
    """POST `body` as JSON with the page token (token="page"), another token, or none (None)."""
    params = {"access_token": fake.page_access_token if token == "page" else token}
    return requests.post(f"{fake.graph_url}/{path}", params=params, json=body, timeout=10)


def button_template(text: str, buttons: list) -> Dict[str, Any]:
    payload = {"template_type": "button", "text": text, "buttons": buttons}
    return {"attachment": {"type": "template", "payload": payload}}


def postback(title: str) -> Dict[str, str]:
    return {"type": "postback", "title": title, "payload": f"/size_{title.lower()}"}


def test_a_text_message_is_answered_with_a_message_id_and_recorded(fake: FakeGraph, client: MessengerClient) -> None:
    answer = client.send(Text("Hallo! Wie kann ich helfen?").to_dict(), PSID)

    assert answer["recipient_id"] == PSID and answer["message_id"].startswith("m_")
    [call] = fake.sent(PSID)
    assert (call["http_method"], call["path"], call["query"], call["status"]) == ("POST", "me/messages", {}, 200)
    assert call["body"] == {
        "messaging_type": "RESPONSE",
        "notification_type": "REGULAR",
        "recipient": {"id": PSID},
        "message": {"text": "Hallo! Wie kann ich helfen?"},
    }
    assert call["response"] == answer


def test_text_is_limited_to_2000_characters(fake: FakeGraph, client: MessengerClient) -> None:
    assert "message_id" in client.send(Text("x" * 2000).to_dict(), PSID)
    error = client.send(Text("x" * 2001).to_dict(), PSID)["error"]
    assert error["message"] == "(#100) Length of param message[text] must be less than or equal to 2000"
    assert (error["type"], error["code"]) == ("OAuthException", 100) and error["fbtrace_id"]
    assert len(fake.sent(PSID)) == 1 and len(fake.sent(PSID, include_failed=True)) == 2


def test_quick_replies_are_sent_and_checked(fake: FakeGraph, client: MessengerClient) -> None:
    replies = QuickReplies([QuickReply("Größe S", "/size_s"), QuickReply("Größe M", "/size_m")])
    assert "message_id" in client.send(Text("Welche Größe?", quick_replies=replies).to_dict(), PSID)
    assert fake.sent(PSID)[0]["body"]["message"]["quick_replies"] == [
        {"content_type": "text", "title": "Größe S", "payload": "/size_s"},
        {"content_type": "text", "title": "Größe M", "payload": "/size_m"},
    ]

    long_title = QuickReplies([QuickReply("Eine sehr lange Antwort", "/long")])  # fbmessenger only warns
    error = client.send(Text("Welche?", quick_replies=long_title).to_dict(), PSID)["error"]
    assert error["message"] == (
        "(#100) Length of param message[quick_replies][0][title] must be less than or equal to 20"
    )

    fourteen = [{"content_type": "text", "title": f"Nr. {n}", "payload": f"/n{n}"} for n in range(14)]
    error = client.send({"text": "Welche?", "quick_replies": fourteen}, PSID)["error"]
    assert (error["code"], error["message"]) == (105, "(#105) param message[quick_replies] has too many elements.")

    too_long_payload = [{"content_type": "text", "title": "A", "payload": "p" * 1001}]
    error = client.send({"text": "Welche?", "quick_replies": too_long_payload}, PSID)["error"]
    assert "[payload] must be less than or equal to 1000" in error["message"]


def test_rasas_button_template_is_sent_and_the_template_limits_are_checked(
    fake: FakeGraph, client: MessengerClient
) -> None:
    buttons = [{"title": "S", "payload": "/size_s"}, {"title": "M", "payload": "/size_m"}]
    asyncio.run(MessengerBot(client).send_text_with_buttons(PSID, "Welche Größe?", buttons))
    [call] = fake.sent(PSID)
    assert call["body"]["message"] == button_template(
        "Welche Größe?",
        [
            {"title": "S", "payload": "/size_s", "type": "postback"},
            {"title": "M", "payload": "/size_m", "type": "postback"},
        ],
    )

    def error_for(message: Dict[str, Any]) -> Dict[str, Any]:
        return client.send(message, PSID)["error"]

    assert error_for(button_template("Welche?", [postback(size) for size in "SMLX"]))["message"] == (
        "(#105) param name_placeholder[buttons] has too many elements."
    )
    assert error_for(button_template("x" * 641, [postback("S")]))["message"] == (
        "(#100) Length of param name_placeholder[text] must be less than or equal to 640"
    )
    assert error_for(button_template("Welche?", [postback("Größe Extra Extra Large")]))["message"] == (
        "(#100) Length of param name_placeholder[buttons][0][title] must be less than or equal to 20"
    )
    elements = [{"title": f"Jacke {n}", "buttons": [postback("Ansehen")]} for n in range(11)]
    generic = {"attachment": {"type": "template", "payload": {"template_type": "generic", "elements": elements}}}
    assert error_for(generic)["message"] == "(#105) param name_placeholder[elements] has too many elements."
    generic["attachment"]["payload"]["elements"] = elements[:10]
    assert "message_id" in client.send(generic, PSID)
    assert len(fake.sent(PSID)) == 2


def test_sender_actions_answer_without_message_id_and_are_kept_apart(fake: FakeGraph, client: MessengerClient) -> None:
    for action in ("mark_seen", "typing_on", "typing_off"):
        assert client.send_action(SenderAction(action).to_dict(), PSID) == {"recipient_id": PSID}
    assert [call["body"]["sender_action"] for call in fake.sent(PSID, kind="sender_action")] == [
        "mark_seen",
        "typing_on",
        "typing_off",
    ]
    assert fake.sent(PSID) == []
    assert client.send_action("typing", PSID)["error"]["message"] == (
        "(#100) param sender_action must be one of {mark_seen, typing_off, typing_on}"
    )


@pytest.mark.parametrize(
    "body, message, subcode",
    [
        ({"message": {"text": "Hallo"}}, "(#100) The parameter recipient is required", None),
        (
            {"recipient": {}, "message": {"text": "Hallo"}},
            '(#100) param recipient[id] must be a valid ID string (e.g., "123")',
            None,
        ),
        ({"recipient": {"id": "kundin"}, "message": {"text": "Hallo"}}, "(#100) No matching user found", 2018001),
        ({"recipient": {"id": PSID}}, "(#100) Must send either message or state", None),
        (
            {"recipient": {"id": PSID}, "message": {"text": "Hallo"}, "sender_action": "typing_on"},
            "(#100) Only one of message or sender_action can be specified",
            None,
        ),
        (
            {"recipient": {"id": PSID}, "message": {}},
            "(#100) Message cannot be empty, must provide valid attachment or text",
            None,
        ),
        (
            {"recipient": {"id": PSID}, "message": {"text": "  "}},
            "(#100) Param message[text] must be a non-empty UTF-8 encoded string",
            None,
        ),
    ],
)
def test_malformed_send_requests_get_graph_errors(
    fake: FakeGraph, body: Dict[str, Any], message: str, subcode: Any
) -> None:
    response = raw_post(fake, "me/messages", body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["message"], error["type"], error["code"], error.get("error_subcode")) == (
        message,
        "OAuthException",
        100,
        subcode,
    )
    assert [call["failed"] for call in fake.calls] == [True] and fake.sent() == []


def test_a_wrong_or_missing_token_is_rejected(fake: FakeGraph) -> None:
    wrong = MessengerClient("EAAWrongToken")
    wrong.graph_url = fake.graph_url
    answer = wrong.send(Text("Hallo").to_dict(), PSID)
    assert answer["error"].keys() == {"message", "type", "code", "fbtrace_id"}
    assert (answer["error"]["message"], answer["error"]["type"], answer["error"]["code"]) == (
        "Invalid OAuth access token.",
        "OAuthException",
        190,
    )
    missing = raw_post(fake, "me/messages", {"recipient": {"id": PSID}, "message": {"text": "Hallo"}}, token=None)
    assert (missing.status_code, missing.json()["error"]["code"]) == (400, 2500)
    assert fake.sent(PSID) == [] and [call["status"] for call in fake.calls] == [400, 400]


def test_fail_next_injects_rate_limits_and_server_errors(fake: FakeGraph, client: MessengerClient) -> None:
    fake.fail_next(2)
    for _ in range(2):
        error = client.send(Text("Hallo").to_dict(), PSID)["error"]
        assert (error["code"], error["message"]) == (613, "(#613) Calls to this api have exceeded the rate limit.")
    assert "message_id" in client.send(Text("Hallo").to_dict(), PSID)

    fake.fail_next(status=503)
    response = raw_post(fake, "me/messages", {"recipient": {"id": PSID}, "message": {"text": "Hallo"}})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == 2 and response.json()["error"]["is_transient"] is True

    assert [call["status"] for call in fake.sent(PSID, include_failed=True)] == [400, 400, 200, 503]
    with pytest.raises(ValueError, match="pass the message"):
        fake.fail_next(code=368)


def test_the_messenger_profile_can_be_set_read_and_deleted(fake: FakeGraph, client: MessengerClient) -> None:
    menu = {"persistent_menu": [{"locale": "default", "call_to_actions": []}]}
    assert "You must set a Get Started button" in client.set_messenger_profile(menu)["error"]["message"]
    assert client.set_messenger_profile({"get_started": {"payload": "/greet"}}) == {"result": "success"}
    assert client.set_messenger_profile(menu) == {"result": "success"}
    assert client.update_whitelisted_domains("https://shop.example") == {"result": "success"}

    read = requests.get(
        f"{fake.graph_url}/me/messenger_profile",
        params={"fields": "get_started,greeting", "access_token": fake.page_access_token},
        timeout=10,
    )
    assert read.json() == {"data": [{"get_started": {"payload": "/greet"}}]}

    assert client.delete_persistent_menu() == {"result": "success"}
    assert client.delete_get_started() == {"result": "success"}
    assert fake.messenger_profile == {"whitelisted_domains": ["https://shop.example"]}
    assert client.set_messenger_profile({"colour": "blue"})["error"]["code"] == 100


def test_user_profiles_are_made_up_or_set(fake: FakeGraph, client: MessengerClient) -> None:
    fake.set_user(PSID, first_name="Anna", locale="en_GB")
    profile = client.get_user_data(PSID)
    assert profile["first_name"] == "Anna" and profile["locale"] == "en_GB" and profile["id"] == PSID
    assert client.get_user_data("6012345678901234", fields=["first_name"]) == {
        "first_name": "Kundin",
        "id": "6012345678901234",
    }
    error = client.get_user_data("kundin")["error"]
    assert (error["type"], error["error_subcode"]) == ("GraphMethodException", 33)
    assert "nonexisting field (email)" in client.get_user_data(PSID, fields="email")["error"]["message"]


def test_signed_webhooks_verify_with_the_app_secret_only(fake: FakeGraph) -> None:
    body = fake.text_event(PSID, "Grüße, ich suche eine Jacke")
    raw, headers = FakeGraph.signed_webhook(body, APP_SECRET)

    assert json.loads(raw) == body and b"Gr\\u00fc\\u00dfe" in raw  # escaped like Facebook's deliveries
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Hub-Signature-256"] == "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert headers["X-Hub-Signature"] == "sha1=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha1).hexdigest()
    for header in ("X-Hub-Signature", "X-Hub-Signature-256"):
        assert FacebookInput.validate_hub_signature(APP_SECRET, raw, headers[header])
        assert not FacebookInput.validate_hub_signature("another-secret", raw, headers[header])
        assert not FacebookInput.validate_hub_signature(APP_SECRET, raw.replace(b"Jacke", b"Hose"), headers[header])


def test_webhook_builders_make_the_documented_events(fake: FakeGraph) -> None:
    text = fake.text_event(PSID, "Hallo", mid="m_given")
    [entry] = text["entry"]
    [event] = entry["messaging"]
    assert text["object"] == "page" and entry["id"] == fake.page_id and entry["time"] >= event["timestamp"] - 1
    assert event["sender"] == {"id": PSID} and event["recipient"] == {"id": fake.page_id}
    assert event["message"] == {"mid": "m_given", "text": "Hallo"} and Messenger._is_user_message(event)

    [reply] = fake.quick_reply_event(PSID, "Größe S", "/size_s")["entry"][0]["messaging"]
    assert reply["message"]["text"] == "Größe S" and reply["message"]["quick_reply"] == {"payload": "/size_s"}
    assert Messenger._is_quick_reply_message(reply)

    [press] = fake.postback_event(PSID, "/size_m", "M")["entry"][0]["messaging"]
    assert press["postback"]["title"] == "M" and press["postback"]["payload"] == "/size_m"
    assert press["postback"]["mid"].startswith("m_") and "message" not in press


# ── The messaging window ───────────────────────────────────────────────────────────────────────────────────────

HOUR = 3600.0
OUTSIDE_WINDOW = (
    "(#10) This message is sent outside of allowed window. Learn more about the new policy here: "
    "https://developers.facebook.com/docs/messenger-platform/policy-overview"
)


def _outside_window(answer: Dict[str, Any]) -> bool:
    error = answer["error"]
    assert error["fbtrace_id"]
    return (error["message"], error["type"], error["code"], error["error_subcode"]) == (
        OUTSIDE_WINDOW, "OAuthException", 10, 2018278)


def test_standard_messages_are_refused_24_hours_after_the_users_last_message(
        fake: FakeGraph, client: MessengerClient) -> None:
    fake.user_wrote(PSID, at=time.time() - 23 * HOUR)
    assert "message_id" in client.send(Text("noch rechtzeitig").to_dict(), PSID)
    assert "message_id" in client.send(Text("Update").to_dict(), PSID, messaging_type="UPDATE")

    fake.user_wrote(PSID, at=datetime.now(timezone.utc) - timedelta(hours=25))
    assert _outside_window(client.send(Text("zu spät").to_dict(), PSID))
    assert _outside_window(client.send(Text("zu spät").to_dict(), PSID, messaging_type="UPDATE"))
    response = raw_post(fake, "me/messages", {"recipient": {"id": PSID}, "message": {"text": "ohne Typ"}})
    assert response.status_code == 400 and _outside_window(response.json())
    # Sender actions are not held to the window; users whose last message is unknown have no window.
    assert "recipient_id" in client.send_action("typing_on", PSID)
    assert "message_id" in client.send(Text("unbekannt").to_dict(), "6012345678901234")
    assert [call["status"] for call in fake.sent(PSID, include_failed=True)] == [200, 200, 400, 400, 400]


def test_human_agent_messages_are_allowed_for_7_days(fake: FakeGraph, client: MessengerClient) -> None:
    fake.user_wrote(PSID, at=time.time() - 30 * HOUR)
    answer = client.send(Text("Hier ist Frau Albers").to_dict(), PSID, messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT")
    assert "message_id" in answer
    assert fake.sent(PSID)[0]["body"]["tag"] == "HUMAN_AGENT"
    assert _outside_window(client.send(Text("Bot").to_dict(), PSID))

    fake.user_wrote(PSID, at=time.time() - 7 * 24 * HOUR - 60)
    assert _outside_window(client.send(Text("zu spät").to_dict(), PSID, messaging_type="MESSAGE_TAG",
                                       tag="HUMAN_AGENT"))
    # Other tags have their own rules (not checked), no window.
    assert "message_id" in client.send(Text("Ihre Bestellung ist unterwegs").to_dict(), PSID,
                                       messaging_type="MESSAGE_TAG", tag="POST_PURCHASE_UPDATE")


def test_message_tag_needs_a_known_tag(fake: FakeGraph, client: MessengerClient) -> None:
    missing = client.send(Text("Hallo").to_dict(), PSID, messaging_type="MESSAGE_TAG")["error"]
    assert (missing["message"], missing["code"]) == ("(#100) The parameter tag is required", 100)
    unknown = client.send(Text("Hallo").to_dict(), PSID, messaging_type="MESSAGE_TAG", tag="ISSUE_RESOLUTION")["error"]
    assert (unknown["type"], unknown["code"]) == ("OAuthException", 100)
    assert unknown["message"].startswith("(#100) param tag must be one of {") and "HUMAN_AGENT" in unknown["message"]
    assert fake.sent(PSID) == []


def test_webhook_builders_record_that_the_user_wrote(fake: FakeGraph, client: MessengerClient) -> None:
    fake.user_wrote(PSID, at=time.time() - 30 * HOUR)
    assert _outside_window(client.send(Text("zu spät").to_dict(), PSID))
    fake.text_event(PSID, "Hallo?")  # the user writes again: the window opens anew
    assert "message_id" in client.send(Text("Hallo!").to_dict(), PSID)
    with pytest.raises(ValueError):
        fake.user_wrote("kundin")
