"""WhatsApp through Twilio: Twilio's request signature checked, buttons as a numbered list the customer answers
with the number, repeats (same MessageSid) answered once, replies retried and kept until delivered."""
from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.channels.delivery import DeliveryError, Outbox, ReliableSender, RenderedOutput, first_delivery
from bot.channels.render import WHATSAPP
from bot.config import Settings
from bot.db import open_session
from bot.db.models import PendingChoice, utcnow

logger = logging.getLogger(__name__)

CHANNEL = "whatsapp"
SIGNATURE_HEADER = "X-Twilio-Signature"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
NUMBER_ANSWER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


def remember_choices(database_url: str, recipient: str, payloads: List[str]) -> None:
    with open_session(database_url) as session, session.begin():
        session.merge(PendingChoice(channel=CHANNEL, recipient=recipient, payloads=payloads, created_at=utcnow()))


def chosen_payload(database_url: str, recipient: str, text: str) -> Optional[str]:
    """The payload a bare number picks from the list last offered to this person, if it is one of its numbers."""
    match = NUMBER_ANSWER.match(text or "")
    if not match:
        return None
    with open_session(database_url) as session:
        choice = session.get(PendingChoice, (CHANNEL, recipient))
        number = int(match.group(1))
        if choice is None or not 1 <= number <= len(choice.payloads):
            return None
        return choice.payloads[number - 1]


class WhatsAppSender(ReliableSender):
    """Replies through Twilio's Messages API."""

    def __init__(self, client: Client, from_number: str, outbox: Outbox, database_url: str) -> None:
        super().__init__(outbox)
        self.client, self.from_number, self.database_url = client, from_number, database_url

    async def deliver(self, recipient: str, payload: Dict[str, Any]) -> None:
        data: Dict[str, Any] = {"to": recipient, "from_": self.from_number, "body": payload.get("text") or ""}
        if payload.get("image"):
            data["media_url"] = [payload["image"]]
        try:
            await asyncio.to_thread(self.client.messages.create, **data)
        except TwilioRestException as error:
            raise DeliveryError(f"Twilio {error.status} ({error.code}): {error.msg}",
                                permanent=error.status < 500 and error.status != 429) from None


class WhatsAppOutput(RenderedOutput):
    """Replies to one WhatsApp number; the options of a numbered list are remembered for the answer."""

    limits = WHATSAPP

    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        payloads = [b.get("payload", "") for b in message.get("buttons") or []]
        if payloads:
            await asyncio.to_thread(remember_choices, self.sender.database_url, recipient_id, payloads)
        await super().send_response(recipient_id, message)


class WhatsAppInput(InputChannel):
    """Customers on WhatsApp, through a Twilio WhatsApp sender."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WhatsAppInput":
        credentials = credentials or {}
        missing = [k for k in ("account_sid", "auth_token", "whatsapp_number") if not credentials.get(k)]
        if missing:
            raise ValueError(f"WhatsApp needs {', '.join(missing)} in credentials.yml")
        return cls(credentials["account_sid"], credentials["auth_token"], credentials["whatsapp_number"],
                   credentials.get("webhook_url") or "", credentials.get("api_url") or "")

    def __init__(self, account_sid: str, auth_token: str, whatsapp_number: str, webhook_url: str = "",
                 api_url: str = "", settings: Optional[Settings] = None) -> None:
        self.auth_token, self.webhook_url = auth_token, webhook_url
        self.settings = settings or Settings.from_env()
        client = Client(account_sid, auth_token)
        if api_url:
            client.api.base_url = api_url.rstrip("/")
        number = whatsapp_number if whatsapp_number.startswith("whatsapp:") else f"whatsapp:{whatsapp_number}"
        self.sender = WhatsAppSender(client, number, Outbox(self.settings.database_url, CHANNEL),
                                     self.settings.database_url)

    def get_output_channel(self) -> OutputChannel:
        return WhatsAppOutput(self.sender)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        whatsapp = Blueprint("whatsapp_webhook", __name__)
        validator = RequestValidator(self.auth_token)
        database_url = self.settings.database_url

        @whatsapp.listener("after_server_start")
        async def start(app: Any, loop: Any) -> None:
            app.ctx.whatsapp_outbox = asyncio.create_task(self.sender.deliver_outbox_forever())

        @whatsapp.listener("before_server_stop")
        async def stop(app: Any, loop: Any) -> None:
            app.ctx.whatsapp_outbox.cancel()

        @whatsapp.get("/")
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @whatsapp.post("/webhook")
        async def webhook(request: Request) -> HTTPResponse:
            form = {key: request.form.get(key) for key in request.form}
            url = self.webhook_url or request.url
            if not validator.validate(url, form, request.headers.get(SIGNATURE_HEADER, "")):
                logger.warning("WhatsApp delivery with a missing or wrong %s refused", SIGNATURE_HEADER)
                return response.text("invalid signature", status=403)
            sender, text = form.get("From") or "", form.get("Body") or ""
            if not sender or not (text or form.get("NumMedia", "0") != "0"):
                return response.text(EMPTY_TWIML, content_type="text/xml")
            message_sid = form.get("MessageSid") or f"{sender}:{text}"
            if await asyncio.to_thread(first_delivery, database_url, CHANNEL, message_sid):
                text = await asyncio.to_thread(chosen_payload, database_url, sender, text) or text \
                    or form.get("MediaUrl0", "")
                await on_new_message(UserMessage(
                    text, WhatsAppOutput(self.sender), sender, input_channel=CHANNEL,
                    metadata={"whatsapp": {"profile_name": form.get("ProfileName"), "message_sid": message_sid}}))
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return whatsapp
