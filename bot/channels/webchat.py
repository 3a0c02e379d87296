"""The web chat: Rasa's socket.io channel, fixed for python-socketio 5 and able to span several Rasa processes.

The browser side is the npm widget `rasa-webchat` (served by the staff service, `bot/console/webchat.py`).
Configured in credentials.yml under `bot.channels.webchat.WebChatInput`; see the README.

Rasa builds its `AsyncServer` inside `SocketIOInput.blueprint()`, so the blueprint is rebuilt here rather than
patched: that is the only way to hand the server a Redis client manager, and it lets `session_request` await
`enter_room`, which Rasa calls without `await` (RasaHQ/rasa#13027) — with session persistence the browser then
never joins its room and no reply ever arrives.
"""
from __future__ import annotations

import json
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

import socketio
from rasa.core.channels.channel import UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.config import Settings

logger = logging.getLogger(__name__)


class WebChatInput(SocketIOInput):
    """Rasa's socket.io channel (same events, same output channel, name `socketio`) whose rooms work.

    With session persistence every browser tab joins the room named by its session id, which is also the
    conversation id, so replies and staff messages pushed through Rasa's HTTP API (`get_output_channel()`)
    reach every tab of that conversation. With a Redis URL the rooms are shared through Redis: an emit to a
    room in any Rasa process reaches a browser connected to another one.
    """

    def __init__(self, *args: Any, redis_url: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.redis_url = Settings.from_env().redis_url if redis_url is None else redis_url

    def _server(self) -> socketio.AsyncServer:
        """Rooms live in this process, or in Redis when there is one, so any Rasa process can reach any browser.

        cors_allowed_origins=[] leaves CORS to Rasa's --cors, as Rasa's own channel does.
        """
        manager = socketio.AsyncRedisManager(self.redis_url) if self.redis_url else None
        return socketio.AsyncServer(async_mode="sanic", cors_allowed_origins=[], client_manager=manager)

    def _accepts(self, auth: Optional[Dict]) -> bool:
        """Without a JWT key everyone may connect; with one, only holders of a valid token (as in Rasa)."""
        if not self.jwt_key:
            return True
        token = (auth or {}).get("token")
        return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

    def _user_message(self, sio: socketio.AsyncServer, sid: Text, data: Dict) -> Optional[UserMessage]:
        """The conversation is the session id with session persistence (it survives reloads), else the socket."""
        if self.session_persistence:
            if not data.get("session_id"):
                logger.warning("A web chat message without a session id was ignored (socket %s).", sid)
                return None
            sender_id = data["session_id"]
        else:
            sender_id = sid
        metadata = data.get(self.metadata_key) or {}
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        return UserMessage(data.get("message", ""), SocketIOOutput(sio, self.bot_message_evt), sender_id,
                           input_channel=self.name(), metadata=metadata)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = self._server()
        self.sio = sio  # what get_output_channel() sends through
        webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            return self._accepts(auth)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            session_id = (data or {}).get("session_id") or uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Dict) -> None:
            message = self._user_message(sio, sid, data)
            if message is not None:
                await on_new_message(message)

        return webhook
