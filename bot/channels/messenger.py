"""Facebook Messenger, hardened: signed deliveries only (X-Hub-Signature-256), every event of a batch handled,
repeats (same mid) answered once, replies retried and kept until delivered.

Rasa's own channel checks only the SHA-1 signature, answers 200 to a bad one and drops all but the first event of
a batch; this one reuses its parsing of message kinds and replaces the rest.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from fbmessenger import MessengerClient
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.facebook import Messenger
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.delivery import (DeliveryError, Outbox, ReliableSender, RenderedOutput, first_delivery,
                                   with_staff)
from bot.channels.render import MESSENGER
from bot.config import Settings

logger = logging.getLogger(__name__)

CHANNEL = "facebook"
SIGNATURE_HEADER = "X-Hub-Signature-256"
BUTTON_TEMPLATE_BUTTONS, BUTTON_TEMPLATE_TEXT = 3, 640
RATE_LIMIT_CODES = {4, 17, 32, 613}
TEMPORARY_CODES = {1, 2, -1, 1200}


def signature_valid(app_secret: str, body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return bool(header) and hmac.compare_digest(expected.encode(), header.encode())


class MessengerSender(ReliableSender):
    """Replies through the Send API: up to three buttons as a button template, more as quick replies."""

    def __init__(self, client: MessengerClient, outbox: Outbox) -> None:
        super().__init__(outbox)
        self.client = client

    @staticmethod
    def message(payload: Dict[str, Any]) -> Dict[str, Any]:
        buttons, text = payload.get("buttons") or [], payload.get("text") or ""
        if payload.get("image"):
            return {"attachment": {"type": "image", "payload": {"url": payload["image"], "is_reusable": True}}}
        if buttons and len(buttons) <= BUTTON_TEMPLATE_BUTTONS and len(text) <= BUTTON_TEMPLATE_TEXT:
            return {"attachment": {"type": "template", "payload": {
                "template_type": "button", "text": text,
                "buttons": [{"type": "postback", "title": b["title"], "payload": b["payload"]} for b in buttons]}}}
        message: Dict[str, Any] = {"text": text}
        if buttons:
            message["quick_replies"] = [{"content_type": "text", "title": b["title"], "payload": b["payload"]}
                                        for b in buttons]
        return message

    @staticmethod
    def messaging_type(payload: Dict[str, Any]) -> Dict[str, Any]:
        """How Meta's messaging window applies: a standard RESPONSE is allowed within 24 hours of the customer's
        last message; a message a person wrote goes with the HUMAN_AGENT tag, allowed for 7 days.

        Decided by who wrote the message (payload["staff"], from the staff reply's event metadata, see
        RenderedOutput.send_response), not by whether the conversation is with staff (`with_staff`): the tag is
        only allowed for messages a human agent wrote, and the assistant's own texts around a handoff (the handoff
        notice, the hand-back) must not carry it whatever state the escalation is in. The metadata also travels
        with the payload into the outbox, so a retried staff reply keeps its tag after the escalation is closed;
        a database lookup at sending time would not."""
        if payload.get("staff"):
            return {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
        return {"messaging_type": "RESPONSE"}

    async def deliver(self, recipient: str, payload: Dict[str, Any]) -> None:
        result = await asyncio.to_thread(self.client.send, self.message(payload), recipient,
                                         **self.messaging_type(payload))
        error = (result or {}).get("error") if isinstance(result, dict) else None
        if error:
            code = error.get("code")
            raise DeliveryError(f"Graph API error {code}: {error.get('message')}",
                                permanent=code not in RATE_LIMIT_CODES | TEMPORARY_CODES)

    async def typing(self, recipient: str) -> None:
        try:
            await asyncio.to_thread(self.client.send_action, "typing_on", recipient)
        except Exception:  # only a courtesy
            logger.debug("typing indicator failed", exc_info=True)


class MessengerOutput(RenderedOutput):
    """Replies to one Messenger user."""

    limits = MESSENGER

    @classmethod
    def name(cls) -> Text:
        return CHANNEL


class _Events(Messenger):
    """Rasa's reading of Messenger events (text, quick replies, postbacks, attachments), for every event."""

    def __init__(self, channel: "MessengerInput", on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        super().__init__(channel.page_access_token, on_new_message)
        self.channel = channel

    async def handle(self, payload: Dict, metadata: Optional[Dict[Text, Any]]) -> None:
        for entry in payload.get("entry", []):
            for event in entry.get("messaging", []):
                if (event.get("message") or {}).get("is_echo"):
                    continue
                sender = (event.get("sender") or {}).get("id", "")
                mid = (event.get("message") or event.get("postback") or {}).get("mid") or \
                    f"{sender}:{event.get('timestamp')}"
                if not await asyncio.to_thread(first_delivery, self.channel.settings.database_url, CHANNEL, mid):
                    continue
                self.last_message = event
                if event.get("message"):
                    await self.message(event, metadata)
                elif event.get("postback"):
                    await self.postback(event, metadata)

    async def _handle_user_message(self, text: Text, sender_id: Text, metadata: Optional[Dict[Text, Any]]) -> None:
        sender = self.channel.sender
        if not await asyncio.to_thread(with_staff, self.channel.settings.database_url, sender_id):
            await sender.typing(sender_id)
        await self.on_new_message(UserMessage(text, MessengerOutput(sender), sender_id, input_channel=CHANNEL,
                                              metadata=metadata))


class MessengerInput(InputChannel):
    """Customers on Facebook Messenger."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "MessengerInput":
        credentials = credentials or {}
        missing = [key for key in ("verify", "secret", "page-access-token") if not credentials.get(key)]
        if missing:
            raise ValueError(f"Messenger needs {', '.join(missing)} in credentials.yml")
        return cls(credentials["verify"], credentials["secret"], credentials["page-access-token"],
                   credentials.get("graph_url") or "")

    def __init__(self, verify_token: str, app_secret: str, page_access_token: str, graph_url: str = "",
                 settings: Optional[Settings] = None) -> None:
        self.verify_token, self.app_secret, self.page_access_token = verify_token, app_secret, page_access_token
        self.settings = settings or Settings.from_env()
        client = MessengerClient(page_access_token)
        if graph_url:
            client.graph_url = graph_url.rstrip("/")
        self.sender = MessengerSender(client, Outbox(self.settings.database_url, CHANNEL))

    def get_output_channel(self) -> OutputChannel:
        return MessengerOutput(self.sender)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        messenger = Blueprint("messenger_webhook", __name__)
        events = _Events(self, on_new_message)

        @messenger.listener("after_server_start")
        async def start(app: Any, loop: Any) -> None:
            app.ctx.messenger_outbox = asyncio.create_task(self.sender.deliver_outbox_forever())

        @messenger.listener("before_server_stop")
        async def stop(app: Any, loop: Any) -> None:
            app.ctx.messenger_outbox.cancel()

        @messenger.get("/")
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @messenger.get("/webhook")
        async def verification(request: Request) -> HTTPResponse:
            token = request.args.get("hub.verify_token") or ""
            if request.args.get("hub.mode") == "subscribe" and hmac.compare_digest(token, self.verify_token):
                return response.text(request.args.get("hub.challenge") or "")
            return response.text("verify token does not match", status=403)

        @messenger.post("/webhook")
        async def webhook(request: Request) -> HTTPResponse:
            if not signature_valid(self.app_secret, request.body, request.headers.get(SIGNATURE_HEADER, "")):
                logger.warning("Messenger delivery with a missing or wrong %s refused", SIGNATURE_HEADER)
                return response.text("invalid signature", status=403)
            try:
                payload = request.json
            except Exception:
                return response.text("not JSON", status=400)
            await events.handle(payload, self.get_metadata(request))
            return response.text("EVENT_RECEIVED")

        return messenger
