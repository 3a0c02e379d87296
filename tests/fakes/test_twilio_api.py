"""The fake Twilio REST API answers the real twilio client (and Rasa's Twilio output) like Twilio does."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any, Dict, Iterator
from urllib.parse import parse_qsl

import pytest
import requests
from rasa.core.channels.twilio import TwilioOutput
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from tests.fakes.twilio_api import FakeTwilio

CUSTOMER = "whatsapp:+4915112345678"
WEBHOOK_URL = "https://bot.shop.example/webhooks/twilio/webhook"


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio() as server:
        yield server


@pytest.fixture
def client(fake: FakeTwilio) -> Client:
    return client_for(fake)


def client_for(fake: FakeTwilio, auth_token: str = "", account_sid: str = "") -> Client:
    """A real client pointed at the fake, with the fake's credentials unless others are given."""
    twilio = Client(fake.account_sid, auth_token or fake.auth_token, account_sid=account_sid or None)
    twilio.api.base_url = fake.base_url
    return twilio


def test_a_whatsapp_message_is_created_and_recorded(fake: FakeTwilio, client: Client) -> None:
    message = client.messages.create(to=CUSTOMER, from_=fake.whatsapp_number, body="Hallo! Wie kann ich helfen?")

    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert (message.status, message.to, message.from_, message.body) == (
        "queued",
        CUSTOMER,
        fake.whatsapp_number,
        "Hallo! Wie kann ich helfen?",
    )
    assert message.account_sid == fake.account_sid and isinstance(message.date_created, datetime)
    assert message.uri == f"/2010-04-01/Accounts/{fake.account_sid}/Messages/{message.sid}.json"
    [call] = fake.sent(CUSTOMER)
    assert (call["method"], call["path"], call["status"]) == (
        "POST",
        f"/2010-04-01/Accounts/{fake.account_sid}/Messages.json",
        201,
    )
    assert call["params"] == {"To": CUSTOMER, "From": fake.whatsapp_number, "Body": "Hallo! Wie kann ich helfen?"}
    assert call["response"]["sid"] == message.sid


def test_media_urls_are_sent_without_a_body(fake: FakeTwilio, client: Client) -> None:
    urls = ["https://shop.example/jacke.jpg", "https://shop.example/jacke-hinten.jpg"]
    message = client.messages.create(to=CUSTOMER, from_=fake.whatsapp_number, media_url=urls)
    assert message.num_media == "2" and message.body == ""
    assert fake.sent(CUSTOMER)[0]["params"]["MediaUrl"] == urls


def test_a_messaging_service_can_send_instead_of_a_from_number(fake: FakeTwilio, client: Client) -> None:
    service = "MG" + "0123456789abcdef" * 2
    message = client.messages.create(to=CUSTOMER, messaging_service_sid=service, body="Hallo")
    assert (message.status, message.from_, message.messaging_service_sid) == ("accepted", None, service)


def test_rasas_twilio_output_sends_each_paragraph(fake: FakeTwilio) -> None:
    output = TwilioOutput(fake.account_sid, fake.auth_token, fake.whatsapp_number)
    output.api.base_url = fake.base_url
    asyncio.run(output.send_text_message(CUSTOMER, "Hallo!\n\nWie kann ich helfen?"))
    assert [call["params"]["Body"] for call in fake.sent(CUSTOMER)] == ["Hallo!", "Wie kann ich helfen?"]


def test_wrong_credentials_raise_401(fake: FakeTwilio) -> None:
    with pytest.raises(TwilioRestException) as raised:
        client_for(fake, auth_token="0" * 32).messages.create(to=CUSTOMER, from_=fake.whatsapp_number, body="Hallo")
    assert (raised.value.status, raised.value.code) == (401, 20003)

    response = requests.post(
        f"{fake.base_url}/2010-04-01/Accounts/{fake.account_sid}/Messages.json",
        data={"To": CUSTOMER, "From": fake.whatsapp_number, "Body": "Hallo"},
        timeout=10,
    )
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == 'Basic realm="Twilio API"'
    assert response.json() == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }
    assert fake.sent() == [] and [call["status"] for call in fake.sent(include_failed=True)] == [401, 401]


def test_another_accounts_messages_are_not_found(fake: FakeTwilio) -> None:
    other = client_for(fake, account_sid="AC" + "1" * 32)
    with pytest.raises(TwilioRestException) as raised:
        other.messages.create(to=CUSTOMER, from_=fake.whatsapp_number, body="Hallo")
    assert (raised.value.status, raised.value.code) == (404, 20404)


def test_fail_next_injects_rate_limits_and_server_errors(fake: FakeTwilio, client: Client) -> None:
    fake.fail_next()
    fake.fail_next(status=503)
    for status, code in ((429, 20429), (503, 20503)):
        with pytest.raises(TwilioRestException) as raised:
            client.messages.create(to=CUSTOMER, from_=fake.whatsapp_number, body="Hallo")
        assert (raised.value.status, raised.value.code) == (status, code)
    assert "Too Many Requests" in fake.sent(include_failed=True)[0]["response"]["message"]
    client.messages.create(to=CUSTOMER, from_=fake.whatsapp_number, body="Hallo")
    assert [call["status"] for call in fake.sent(CUSTOMER, include_failed=True)] == [429, 503, 201]


@pytest.mark.parametrize(
    "changes, code",
    [
        ({"to": ""}, 21604),
        ({"from_": None}, 21603),
        ({"body": None}, 21602),
        ({"body": "x" * 1601}, 21617),
        ({"media_url": ["ftp://shop.example/jacke.jpg"]}, 21620),
        ({"to": "whatsapp:0151 1234"}, 21211),
        ({"from_": "whatsapp:+4930123456"}, 63007),
        ({"to": "+4915112345678"}, 21910),
        ({"to": "+4915112345678", "from_": "+4930123456"}, 21606),
    ],
)
def test_invalid_messages_raise_400_with_twilios_codes(
    fake: FakeTwilio, client: Client, changes: Dict[str, Any], code: int
) -> None:
    params = {"to": CUSTOMER, "from_": fake.whatsapp_number, "body": "Hallo", **changes}
    with pytest.raises(TwilioRestException) as raised:
        client.messages.create(**{key: value for key, value in params.items() if value is not None})
    assert (raised.value.status, raised.value.code) == (400, code)
    assert fake.sent() == []


def test_a_body_of_1600_characters_is_accepted(fake: FakeTwilio, client: Client) -> None:
    assert client.messages.create(to=CUSTOMER, from_=fake.whatsapp_number, body="x" * 1600).status == "queued"


def test_signed_webhooks_verify_with_the_auth_token_only(fake: FakeTwilio) -> None:
    params = fake.incoming_whatsapp("+4915112345678", "Hallo, ich suche eine Jacke für 100 €")
    body, headers = FakeTwilio.signed_webhook(WEBHOOK_URL, params, fake.auth_token)

    received = dict(parse_qsl(body.decode("ascii"), keep_blank_values=True))
    assert received == params and headers["Content-Type"] == "application/x-www-form-urlencoded"
    signature = headers["X-Twilio-Signature"]
    assert RequestValidator(fake.auth_token).validate(WEBHOOK_URL, received, signature)
    assert not RequestValidator("0" * 32).validate(WEBHOOK_URL, received, signature)
    assert not RequestValidator(fake.auth_token).validate(WEBHOOK_URL, {**received, "Body": "Hose"}, signature)
    assert not RequestValidator(fake.auth_token).validate(WEBHOOK_URL + "?x=1", received, signature)


def test_incoming_whatsapp_has_twilios_webhook_fields(fake: FakeTwilio) -> None:
    params = fake.incoming_whatsapp("+4915112345678", "Hallo", profile_name="Anna")
    assert params["MessageSid"].startswith("SM") and len(params["MessageSid"]) == 34
    assert params["SmsMessageSid"] == params["SmsSid"] == params["MessageSid"]
    assert {key: params[key] for key in ("From", "To", "Body", "NumMedia", "ProfileName", "WaId", "AccountSid")} == {
        "From": CUSTOMER,
        "To": fake.whatsapp_number,
        "Body": "Hallo",
        "NumMedia": "0",
        "ProfileName": "Anna",
        "WaId": "4915112345678",
        "AccountSid": fake.account_sid,
    }
    assert fake.incoming_whatsapp(CUSTOMER, "Hallo", "+14155550100")["To"] == "whatsapp:+14155550100"
