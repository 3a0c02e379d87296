"""A local fake of Twilio's REST API for WhatsApp messages (https://www.twilio.com/docs/sms/api) for tests.

`FakeTwilio` serves `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` from an aiohttp
application in a background thread on 127.0.0.1, checks HTTP basic auth and the parameters like
Twilio does, records every call, answers with Twilio's JSON resources and errors, and can be told
to fail. It also builds incoming WhatsApp webhook requests, signed like Twilio signs them.

    with FakeTwilio() as fake:
        client = twilio.rest.Client(fake.account_sid, fake.auth_token)
        client.api.base_url = fake.base_url
        url = "https://bot.example/webhooks/twilio/webhook"
        incoming = fake.incoming_whatsapp("+4915112345678", "Hallo")
        body, headers = FakeTwilio.signed_webhook(url, incoming, fake.auth_token)
        ...  # POST body with headers to the bot's webhook
        reply = fake.wait_for(lambda call: call["params"].get("To") == "whatsapp:+4915112345678")

Known differences from the real API: only message creation is served (other resources are 404);
the account's only sender is `whatsapp_number`, so any other From fails like an unknown sender;
messages stay "queued" (or "accepted" with a Messaging Service) and no status callback is made; the
WhatsApp 24-hour session window and templates are not checked; num_segments is always "1".
"""

from __future__ import annotations

import re
import secrets
import time
from collections import deque
from datetime import datetime, timezone
from email.utils import format_datetime
from http import HTTPStatus
from typing import Any, Deque, Dict, List, Optional, Tuple
from urllib.parse import urlencode, urlsplit

from aiohttp import BasicAuth, web
from twilio.request_validator import RequestValidator

from tests.fakes.server import FakeServer

API_VERSION = "2010-04-01"
MAX_BODY_LENGTH = 1600
MAX_MEDIA_URLS = 10
WHATSAPP = "whatsapp:"
E164 = re.compile(r"\+[1-9]\d{6,14}")
MESSAGES_PATH = re.compile(rf"/{API_VERSION}/Accounts/(?P<account_sid>[^/]+)/Messages\.json")
MESSAGING_SERVICE_SID = re.compile(r"MG[0-9a-f]{32}")

Call = Dict[str, Any]


class TwilioError(Exception):
    """An error answer of the Twilio REST API."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> Dict[str, Any]:
        """The JSON answer Twilio sends for this error."""
        return {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }


def _sid(prefix: str) -> str:
    """A 34-character Twilio SID: two letters and 32 hex digits."""
    return prefix + secrets.token_hex(16)


def _whatsapp(number: str) -> str:
    return number if number.startswith(WHATSAPP) else WHATSAPP + number


class FakeTwilio(FakeServer):
    """The REST API of one Twilio account with one WhatsApp sender, with recording and failure injection.

    Each of `calls`, in the order they were answered: {"method", "path", "params" (form fields;
    MediaUrl always a list), "status", "response", "failed", "time"}."""

    _api_name = "Twilio"

    def __init__(
        self,
        account_sid: str = "AC0f5e2d1c4b3a69788796a5b4c3d2e1f0",
        auth_token: str = "5e9d2c7a41b8f3e6d0c9b8a7f6e5d4c3",
        whatsapp_number: str = "whatsapp:+14155238886",
    ) -> None:
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.whatsapp_number = _whatsapp(whatsapp_number)
        self.base_url = ""  # what Client.api.base_url should be set to

        self._failures: Deque[TwilioError] = deque()  # guarded by self._lock

    # ----------------------------------------------------------------- lifecycle

    def _started(self, root_url: str) -> None:
        self.base_url = root_url

    # ----------------------------------------------------------------- what the bot did

    def sent(self, to: Optional[str] = None, *, include_failed: bool = False) -> List[Call]:
        """The calls that created a message (all message creation calls with include_failed),
        optionally only those to one address ("whatsapp:+49...")."""
        return [
            call
            for call in self.calls
            if call["method"] == "POST"
            and MESSAGES_PATH.fullmatch(call["path"])
            and (include_failed or not call["failed"])
            and (to is None or call["params"].get("To") == to)
        ]

    # ----------------------------------------------------------------- failure injection

    def fail_next(
        self, times: int = 1, *, status: int = 429, code: Optional[int] = None, message: Optional[str] = None
    ) -> None:
        """Answer the next `times` authenticated calls with an error instead of handling them.

        The code defaults to 20000 + status (20429 for 429, 20500 for 500, ...) and the message
        to the HTTP reason ("Too Many Requests")."""
        if times < 1 or status < 400:
            raise ValueError("fail_next needs times >= 1 and an error status (>= 400)")
        error = TwilioError(status, code or 20000 + status, message or HTTPStatus(status).phrase)
        with self._lock:
            self._failures.extend([error] * times)

    # ----------------------------------------------------------------- webhooks

    @staticmethod
    def signed_webhook(url: str, params: Dict[str, str], auth_token: str) -> Tuple[bytes, Dict[str, str]]:
        """The form-encoded body and headers of Twilio's webhook request with `params` to `url`
        (the full public URL the bot is configured with), signed with the account's auth token."""
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": "TwilioProxy/1.1",
            "X-Twilio-Signature": RequestValidator(auth_token).compute_signature(url, params),
        }
        return urlencode(params).encode("ascii"), headers

    def incoming_whatsapp(
        self, from_number: str, body: str, to_number: Optional[str] = None, *, profile_name: str = "Kundin"
    ) -> Dict[str, str]:
        """The form fields of Twilio's webhook request for a WhatsApp text from `from_number` ("+49...")
        to `to_number` (default: the account's WhatsApp sender)."""
        sender = _whatsapp(from_number)
        message_sid = _sid("SM")
        return {
            "SmsMessageSid": message_sid,
            "NumMedia": "0",
            "ProfileName": profile_name,
            "MessageType": "text",
            "SmsSid": message_sid,
            "WaId": sender[len(WHATSAPP) :].lstrip("+"),
            "SmsStatus": "received",
            "Body": body,
            "To": _whatsapp(to_number or self.whatsapp_number),
            "NumSegments": "1",
            "ReferralNumMedia": "0",
            "MessageSid": message_sid,
            "AccountSid": self.account_sid,
            "From": sender,
            "ApiVersion": API_VERSION,
        }

    # ----------------------------------------------------------------- HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        form = await request.post()
        params: Dict[str, Any] = {key: form.getall(key) if key == "MediaUrl" else form[key] for key in form}
        call: Call = {"method": request.method, "path": request.path, "params": params, "time": time.time()}
        try:
            self._authenticate(request.headers.get("Authorization", ""))
            match = MESSAGES_PATH.fullmatch(request.path)
            if request.method != "POST" or match is None or match["account_sid"] != self.account_sid:
                raise TwilioError(404, 20404, f"The requested resource {request.path} was not found")
            with self._lock:
                failure = self._failures.popleft() if self._failures else None
            if failure is not None:
                raise failure
            message = self._create_message(params)
        except TwilioError as error:
            answer = error.body()
            self._record({**call, "status": error.status, "response": answer, "failed": True})
            headers = {"WWW-Authenticate": 'Basic realm="Twilio API"'} if error.status == 401 else None
            return web.json_response(answer, status=error.status, headers=headers)
        self._record({**call, "status": 201, "response": message, "failed": False})
        return web.json_response(message, status=201)

    def _authenticate(self, authorization: str) -> None:
        try:
            auth = BasicAuth.decode(authorization)
        except ValueError:
            auth = None
        if auth is None or (auth.login, auth.password) != (self.account_sid, self.auth_token):
            raise TwilioError(401, 20003, "Authenticate")

    def _create_message(self, params: Dict[str, Any]) -> Dict[str, Any]:
        """Check the parameters of a new message like Twilio does; the Message resource."""
        to = params.get("To") or ""
        sender = params.get("From") or ""
        service = params.get("MessagingServiceSid") or ""
        body = params.get("Body") or ""
        media = params.get("MediaUrl", [])
        if not to:
            raise TwilioError(400, 21604, "A 'To' phone number is required.")
        if not sender and not service:
            raise TwilioError(400, 21603, "A 'From' phone number is required.")
        if not body and not media:
            raise TwilioError(400, 21602, "Message body is required.")
        if len(body) > MAX_BODY_LENGTH:
            raise TwilioError(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
        if len(media) > MAX_MEDIA_URLS or any(urlsplit(url).scheme not in ("http", "https") for url in media):
            raise TwilioError(400, 21620, "Invalid media URL(s)")
        if not E164.fullmatch(to.removeprefix(WHATSAPP)):
            raise TwilioError(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if service and not MESSAGING_SERVICE_SID.fullmatch(service):
            raise TwilioError(400, 21701, f"The Messaging Service Sid {service} is invalid.")
        if sender:
            if sender.startswith(WHATSAPP) != to.startswith(WHATSAPP):
                raise TwilioError(
                    400, 21910, "Invalid From and To pair. From and To should be of the same channel"
                )
            if sender != self.whatsapp_number:
                if sender.startswith(WHATSAPP):
                    raise TwilioError(400, 63007, "Twilio could not find a Channel with the specified From address")
                raise TwilioError(
                    400,
                    21606,
                    f"The From phone number {sender} is not a valid, SMS-capable inbound phone number or short "
                    "code for your account.",
                )
        sid = _sid("SM")
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}.json"
        now = format_datetime(datetime.now(timezone.utc))
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": sender or None,
            "messaging_service_sid": service or None,
            "num_media": str(len(media)),
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "accepted" if service else "queued",
            "subresource_uris": {"media": uri.removesuffix(".json") + "/Media.json"},
            "to": to,
            "uri": uri,
        }
