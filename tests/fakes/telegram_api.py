"""A local fake of the Telegram Bot API (https://core.telegram.org/bots/api) for tests.

`FakeTelegram` serves `/bot<token>/<method>` and `/file/bot<token>/<path>` from an aiohttp
application in a background thread on 127.0.0.1, records every API call, checks parameters the way
the real server does for the methods it knows, and can be told to fail or answer late.

    with FakeTelegram() as fake:
        bot = telegram.Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)
        fake.push_update(fake.text_update("Hallo"))
        reply = fake.wait_for(lambda call: call["method"] == "sendMessage")

Known differences from the real API: text and caption lengths are counted on the text as sent
(Telegram counts after parsing the markup); markup is not parsed and the result carries the text
as sent; any int chat_id exists, "@username" chats do not; files are not decoded (photo width and
height are 0); any file_id string is accepted, but getFile and downloads know only files uploaded
to the fake; updates are never delivered to a webhook; a supergroup has topics only after
`set_forum`, and message_thread_id names only the forum topics created through the fake (not
reply threads or the General topic); the bot may manage topics and write into closed ones.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Deque, Dict, List, Optional, Set, Tuple, Union
from urllib.parse import urlsplit

from aiohttp import web

from tests.fakes.server import FakeServer

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_UPLOAD_BYTES = 60 * 1024 * 1024
MAX_TOPIC_NAME_LENGTH = 128  # Unicode characters; Telegram shortens longer names
TOPIC_ICON_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)  # what Telegram picks from

PARSE_MODES = frozenset({"markdown", "markdownv2", "html"})
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
INLINE_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})

# How form-encoded and multipart values are typed; JSON bodies already carry their types.
INT_PARAMS = frozenset(
    {
        "chat_id",
        "message_id",
        "message_thread_id",
        "icon_color",
        "reply_to_message_id",
        "offset",
        "limit",
        "timeout",
        "cache_time",
        "max_connections",
    }
)
BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "disable_content_type_detection",
        "has_spoiler",
        "show_caption_above_media",
        "show_alert",
        "drop_pending_updates",
    }
)
JSON_PARAMS = {  # parameter -> what Telegram calls it when it can't parse it
    "reply_markup": "reply keyboard markup",
    "entities": "entities",
    "caption_entities": "entities",
    "link_preview_options": "link preview options",
    "reply_parameters": "reply parameters",
    "allowed_updates": "allowed updates",
}

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same as a "
    "current content and reply markup of the message"
)
QUERY_ID_INVALID = "query is too old and response timeout expired or query ID is invalid"
POLL_TERMINATED = {
    "getUpdates": "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    "setWebhook": "Conflict: terminated by setWebhook request",
}
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)

Params = Dict[str, Any]
Call = Dict[str, Any]


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, status: int, description: str, retry_after: Optional[int] = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> Dict[str, Any]:
        """The JSON answer Telegram sends for this error."""
        body: Dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    """A 400 answer with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {reason}")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: Optional[str]
    content_type: str
    data: bytes


class FakeTelegram(FakeServer):
    """A Telegram Bot API server for one bot, with recording and failure injection for tests.

    Each of `calls`, in the order they were answered: {"method", "params", "time"} plus "result" on
    success, or "failed": True, "error_code" and "description" on an error answer. A call whose
    client timed out is still carried out and recorded, except a getUpdates long poll, which ends
    unrecorded when its client goes away."""

    _api_name = "Telegram"
    _client_max_size = MAX_UPLOAD_BYTES
    _handler_cancellation = True

    def __init__(self, token: str = "123456:TEST-TOKEN", bot_username: str = "lindner_test_bot") -> None:
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError(f"a bot token looks like '<bot id>:<secret>', not {token!r}")
        super().__init__()
        self.token = token
        self.bot_user: Dict[str, Any] = {
            "id": int(bot_id),
            "is_bot": True,
            "first_name": bot_username.replace("_", " ").title(),
            "username": bot_username,
        }
        self.base_url = ""
        self.base_file_url = ""
        self.root_url = ""  # what aiogram's TelegramAPIServer.from_base() wants

        # Guarded by self._lock.
        self._failures: Dict[str, Deque[ApiError]] = defaultdict(deque)
        self._delays: Dict[str, Deque[float]] = defaultdict(deque)
        self._updates: List[Dict[str, Any]] = []
        self._last_update_id = 0
        self._last_message_id: Dict[int, int] = defaultdict(int)
        self._messages: Dict[Tuple[int, int], Dict[str, Any]] = {}
        self._chats: Dict[int, Dict[str, Any]] = {}
        self._forums: Set[int] = set()
        self._topics: Dict[Tuple[int, int], Dict[str, Any]] = {}  # (chat, message_thread_id) -> the topic
        self._users: Dict[int, Dict[str, Any]] = {}
        self._files: Dict[str, Tuple[Dict[str, Any], Optional[UploadedFile]]] = {}
        self._answered_queries: Set[str] = set()
        self._last_query_id = 0
        self._webhook: Optional[Dict[str, Any]] = None

        self._methods: Dict[str, Callable[[Params], Union[Any, Awaitable[Any]]]] = {
            "getMe": self._get_me,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "createForumTopic": self._create_forum_topic,
            "closeForumTopic": self._close_forum_topic,
            "answerCallbackQuery": self._answer_callback_query,
            "getFile": self._get_file,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": self._get_updates,
        }
        self._method_names = {name.lower(): name for name in self._methods}  # Telegram ignores case

        # Loop-thread state, created in _start_server.
        self._stopping: Optional[asyncio.Future[None]] = None
        self._updates_arrived: Optional[asyncio.Future[None]] = None
        self._poll: Optional[asyncio.Future[str]] = None  # the running getUpdates; result: who ended it

    # ----------------------------------------------------------------- lifecycle

    def _started(self, root_url: str) -> None:
        self.root_url = root_url
        self.base_url = f"{root_url}/bot"
        self.base_file_url = f"{root_url}/file/bot"

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_route("*", "/bot{token}/{method}", self._handle_api)
        router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        router.add_route("*", "/{tail:.*}", self._handle_unknown)

    async def _start_server(self, sock: socket.socket) -> web.AppRunner:
        loop = asyncio.get_running_loop()
        self._stopping = loop.create_future()
        self._updates_arrived = loop.create_future()
        self._poll = None
        return await super()._start_server(sock)

    async def _shutdown(self, runner: web.AppRunner) -> None:
        """Answer pending long polls and delayed calls, then close the server."""
        assert self._stopping is not None
        self._stopping.set_result(None)  # wakes long polls and delayed calls
        await runner.cleanup()
        answering = asyncio.all_tasks() - {asyncio.current_task()}  # shielded calls of closed connections
        if answering:
            await asyncio.wait(answering, timeout=5)

    # ----------------------------------------------------------------- what the bot did

    def sent(
        self, method: Optional[str] = None, chat_id: Optional[int] = None, *, include_failed: bool = False
    ) -> List[Call]:
        """The successful calls (all calls with include_failed), optionally of one method and chat."""
        return [
            call
            for call in self.calls
            if (include_failed or not call.get("failed"))
            and (method is None or call["method"] == method)
            and (chat_id is None or call["params"].get("chat_id") == chat_id)
        ]

    def topics(self, chat_id: int) -> List[Dict[str, Any]]:
        """The forum topics created in a chat, oldest first: their ForumTopic fields and is_closed."""
        with self._lock:
            return [dict(topic) for (chat, _), topic in sorted(self._topics.items()) if chat == chat_id]

    # ----------------------------------------------------------------- chats

    def set_forum(self, chat_id: int, is_forum: bool = True) -> None:
        """Turn topics on (or off) in a supergroup: its chat then carries is_forum, and createForumTopic
        works there; elsewhere it answers "Bad Request: the chat is not a forum"."""
        with self._lock:
            if self._chat(chat_id)["type"] != "supergroup":
                raise ValueError(f"only supergroups can have topics, and chat {chat_id} is none")
            if is_forum:
                self._forums.add(chat_id)
            else:
                self._forums.discard(chat_id)

    # ----------------------------------------------------------------- failure injection

    def fail_next(
        self,
        method: str,
        times: int = 1,
        *,
        status: int = 429,
        retry_after: Optional[int] = 1,
        description: Optional[str] = None,
    ) -> None:
        """Answer the next `times` calls of `method` with an error instead of handling them.

        429 answers carry parameters.retry_after (unless it is None); the description defaults to
        Telegram's: "Too Many Requests: retry after N", "Forbidden: bot was blocked by the user" for
        403, or the HTTP reason ("Bad Gateway") otherwise."""
        name = self._known_method(method)
        if times < 1 or status < 400:
            raise ValueError("fail_next needs times >= 1 and an error status (>= 400)")
        if status != 429:
            retry_after = None
        if description is None:
            if status == 429:
                description = "Too Many Requests" + (f": retry after {retry_after}" if retry_after is not None else "")
            elif status == 403:
                description = "Forbidden: bot was blocked by the user"
            else:
                description = HTTPStatus(status).phrase
        with self._lock:
            self._failures[name].extend(ApiError(status, description, retry_after) for _ in range(times))

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Answer the next `times` calls of `method` only after `seconds` (the call is still carried out)."""
        name = self._known_method(method)
        with self._lock:
            self._delays[name].extend([seconds] * times)

    def _known_method(self, method: str) -> str:
        try:
            return self._method_names[method.lower()]
        except KeyError:
            raise ValueError(f"FakeTelegram does not implement {method!r}; it knows {sorted(self._methods)}") from None

    # ----------------------------------------------------------------- updates

    def push_update(self, update: Dict[str, Any]) -> None:
        """Queue an update for getUpdates (an update_id is added when missing)."""
        with self._lock:
            if "update_id" not in update:
                update = {"update_id": self._last_update_id + 1, **update}
            self._last_update_id = max(self._last_update_id, update["update_id"])
            for kind in ("message", "edited_message"):
                if kind in update:
                    self._remember_message(update[kind])
            self._updates.append(update)
            if self._loop is not None:  # under the lock, so stop() cannot close the loop in between
                self._loop.call_soon_threadsafe(self._wake_pollers)

    def text_update(
        self,
        text: str,
        *,
        chat_id: int = 1001,
        user_id: int = 1001,
        first_name: str = "Kundin",
        chat_type: str = "private",
        update_id: Optional[int] = None,
        message_id: Optional[int] = None,
        entities: Optional[List[Dict[str, Any]]] = None,
        edited: bool = False,
        message_thread_id: Optional[int] = None,
    ) -> Dict[str, Any]:
        """An update with a text message from a user, as Telegram sends it.

        Without `entities`, a leading "/command" gets its bot_command entity like on Telegram (pass
        [] for none). An edited update without message_id edits the user's last message in the chat.
        With `message_thread_id` the message is written in that forum topic: like on Telegram it is a
        topic message and a reply to the topic's first message (set reply_to_message for another)."""
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        chat: Dict[str, Any] = {"id": chat_id, "type": chat_type}
        chat.update({"first_name": first_name} if chat_type == "private" else {"title": "Test group"})
        if entities is None:
            command = re.match(r"/\S+", text)
            entities = (
                [{"type": "bot_command", "offset": 0, "length": _utf16_length(command.group())}] if command else []
            )
        now = int(time.time())
        with self._lock:
            self._users[user_id] = user
            if chat_id in self._forums:
                chat["is_forum"] = True
            in_topic: Dict[str, Any] = {}
            if message_thread_id is not None:
                if (chat_id, message_thread_id) not in self._topics:
                    raise ValueError(f"chat {chat_id} has no forum topic {message_thread_id}; create it first")
                in_topic = {
                    "message_thread_id": message_thread_id,
                    "is_topic_message": True,
                    "reply_to_message": self._messages[(chat_id, message_thread_id)],
                }
            if message_id is None and edited:
                own = [
                    key[1]
                    for key, message in self._messages.items()
                    if key[0] == chat_id and message["from"]["id"] == user_id
                ]
                if not own:
                    raise ValueError(f"user {user_id} has no message in chat {chat_id} to edit; pass message_id")
                message_id = max(own)
            if message_id is None:
                message_id = self._next_message_id(chat_id)
            original = self._messages.get((chat_id, message_id), {})
            update_id = self._next_update_id() if update_id is None else update_id
        message: Dict[str, Any] = {
            "message_id": message_id,
            "from": user,
            "chat": chat,
            "date": original.get("date", now),
            "text": text,
            **in_topic,
        }
        if entities:
            message["entities"] = entities
        if edited:
            message["edit_date"] = now
        return {"update_id": update_id, "edited_message" if edited else "message": message}

    def callback_update(
        self,
        data: str,
        *,
        chat_id: int = 1001,
        user_id: int = 1001,
        message_id: int = 1,
        update_id: Optional[int] = None,
    ) -> Dict[str, Any]:
        """An update with a press on an inline button of the bot's message `message_id`
        (the message the bot sent there when the fake knows it)."""
        with self._lock:
            user = self._users.get(user_id, {"id": user_id, "is_bot": False, "first_name": "Kundin"})
            message = self._messages.get((chat_id, message_id)) or {
                "message_id": message_id,
                "from": self.bot_user,
                "chat": self._chat(chat_id),
                "date": int(time.time()),
            }
            self._last_query_id += 1
            query_id = f"{user_id}{self._last_query_id:08d}"
            update_id = self._next_update_id() if update_id is None else update_id
        query = {"id": query_id, "from": user, "message": message, "chat_instance": str(chat_id * 7919), "data": data}
        return {"update_id": update_id, "callback_query": query}

    def _next_update_id(self) -> int:
        self._last_update_id += 1
        return self._last_update_id

    def _next_message_id(self, chat_id: int) -> int:
        self._last_message_id[chat_id] += 1
        return self._last_message_id[chat_id]

    def _remember_message(self, message: Dict[str, Any]) -> None:
        chat_id = message["chat"]["id"]
        self._chats.setdefault(chat_id, message["chat"])
        self._messages[(chat_id, message["message_id"])] = message
        self._last_message_id[chat_id] = max(self._last_message_id[chat_id], message["message_id"])

    def _chat(self, chat_id: int) -> Dict[str, Any]:
        """A chat seen in an update, or one made up from the id: negative ids are groups (lock held)."""
        if chat_id in self._chats:
            chat = self._chats[chat_id]
        elif chat_id > 0:
            chat = {"id": chat_id, "type": "private"}
        else:
            chat = {
                "id": chat_id,
                "type": "supergroup" if str(chat_id).startswith("-100") else "group",
                "title": "Test group",
            }
        return {**chat, "is_forum": True} if chat_id in self._forums else chat

    def _wake_pollers(self) -> None:
        """Loop thread: tell waiting getUpdates calls that updates arrived."""
        assert self._updates_arrived is not None
        self._updates_arrived.set_result(None)
        self._updates_arrived = asyncio.get_running_loop().create_future()

    # ----------------------------------------------------------------- HTTP

    async def _handle_api(self, request: web.Request) -> web.Response:
        call: Call = {"method": request.match_info["method"], "params": {}, "time": time.time()}
        try:
            call["params"] = await _read_params(request)
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            name = self._method_names.get(call["method"].lower())
            if name is None:
                raise ApiError(404, "Not Found")
            call["method"] = name
            call["params"] = _typed(call["params"])
        except ApiError as error:
            return self._answer_error(call, error)
        if name == "getUpdates":
            return await self._answer(call)  # a long poll ends unrecorded when its client goes away
        return await asyncio.shield(self._answer(call))  # carried out even when the client gave up waiting

    async def _answer(self, call: Call) -> web.Response:
        """Delay, fail or carry out a checked call, and record it."""
        name = call["method"]
        with self._lock:
            delay = self._delays[name].popleft() if self._delays[name] else None
            failure = self._failures[name].popleft() if self._failures[name] else None
        try:
            if delay is not None:
                assert self._stopping is not None
                await asyncio.wait([self._stopping], timeout=delay)
            if failure is not None:
                raise failure
            result = self._methods[name](call["params"])
            if asyncio.iscoroutine(result):
                result = await result
        except ApiError as error:
            return self._answer_error(call, error)
        self._record({**call, "result": result})
        return web.json_response({"ok": True, "result": result})

    def _answer_error(self, call: Call, error: ApiError) -> web.Response:
        self._record({**call, "failed": True, "error_code": error.status, "description": error.description})
        return web.json_response(error.body(), status=error.status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        with self._lock:
            found = [
                upload
                for info, upload in self._files.values()
                if upload is not None and info.get("file_path") == request.match_info["path"]
            ]
        if request.match_info["token"] != self.token or not found:
            return await self._handle_unknown(request)
        return web.Response(body=found[0].data, content_type="application/octet-stream")

    async def _handle_unknown(self, request: web.Request) -> web.Response:
        return web.json_response(ApiError(404, "Not Found").body(), status=404)

    # ----------------------------------------------------------------- methods

    def _get_me(self, params: Params) -> Dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _send_message(self, params: Params) -> Dict[str, Any]:
        chat_id = _chat_id(params)
        content = _text_content(params)
        with self._lock:
            return self._new_message(chat_id, {**content, **self._in_topic(chat_id, params)})

    def _edit_message_text(self, params: Params) -> Union[Dict[str, Any], bool]:
        content = _text_content(params)
        if params.get("inline_message_id"):
            return True
        chat_id = _chat_id(params)
        message_id = params.get("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        with self._lock:
            message = self._messages.get((chat_id, message_id))
            if message is None:  # a message from before the fake was started: assume it is the bot's
                message = {
                    "message_id": message_id,
                    "from": self.bot_user,
                    "chat": self._chat(chat_id),
                    "date": int(time.time()),
                }
            elif message["from"]["id"] != self.bot_user["id"]:
                raise bad_request("message can't be edited")
            kept = {
                key: value
                for key, value in message.items()
                if key not in ("text", "entities", "reply_markup", "edit_date")
            }
            if {**kept, **content} == {key: value for key, value in message.items() if key != "edit_date"}:
                raise bad_request(NOT_MODIFIED)
            edited = {**kept, **content, "edit_date": int(time.time())}
            self._messages[(chat_id, message_id)] = edited
            return edited

    def _send_photo(self, params: Params) -> Dict[str, Any]:
        return self._send_file(params, "photo")

    def _send_document(self, params: Params) -> Dict[str, Any]:
        return self._send_file(params, "document")

    def _send_file(self, params: Params, kind: str) -> Dict[str, Any]:
        chat_id = _chat_id(params)
        source = params.get(kind)
        if source is None or source == "":
            raise bad_request(f"there is no {kind} in the request")
        caption = params.get("caption")
        if caption is not None and len(caption) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        _check_parse_mode(params)
        content: Dict[str, Any] = {}
        if caption:
            content["caption"] = caption
            if params.get("caption_entities"):
                content["caption_entities"] = params["caption_entities"]
        content.update(_visible_markup(params))
        with self._lock:
            content.update(self._in_topic(chat_id, params))
            info = self._file_info(kind, source)
            content[kind] = [info] if kind == "photo" else info
            return self._new_message(chat_id, content)

    def _in_topic(self, chat_id: int, params: Params) -> Dict[str, Any]:
        """What a message sent with message_thread_id carries: the topic, checked (lock held)."""
        thread = params.get("message_thread_id")
        if thread is None:
            return {}
        if (chat_id, thread) not in self._topics:
            raise bad_request("message thread not found")
        return {"message_thread_id": thread, "is_topic_message": True}

    def _file_info(self, kind: str, source: Union[str, UploadedFile]) -> Dict[str, Any]:
        """The File object for an upload, a known or unknown file_id or a URL (lock held)."""
        if isinstance(source, str) and source in self._files:
            return self._files[source][0]
        number = len(self._files) + 1
        info: Dict[str, Any] = {"file_id": f"FAKE-{kind.upper()}-{number}", "file_unique_id": f"U{number}"}
        if kind == "photo":
            info.update(width=0, height=0)
        upload: Optional[UploadedFile] = None
        if isinstance(source, UploadedFile):
            upload = source
            info["file_size"] = len(upload.data)
            info["file_path"] = f"{kind}s/file_{number}"
            if kind == "document":
                info.update(file_name=upload.filename or f"file_{number}", mime_type=upload.content_type)
        elif not source.startswith(("http://", "https://")):
            info["file_id"] = source  # a file_id the fake never saw: Telegram would know it
        self._files[info["file_id"]] = (info, upload)
        return info

    def _get_file(self, params: Params) -> Dict[str, Any]:
        with self._lock:
            info, upload = self._files.get(params.get("file_id", ""), ({}, None))
        if upload is None:
            raise bad_request("invalid file_id")
        return {key: info[key] for key in ("file_id", "file_unique_id", "file_size", "file_path")}

    def _send_chat_action(self, params: Params) -> bool:
        _chat_id(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _answer_callback_query(self, params: Params) -> bool:
        query_id = params.get("callback_query_id")
        if not query_id:
            raise bad_request(QUERY_ID_INVALID)
        if len(params.get("text") or "") > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        with self._lock:
            if query_id in self._answered_queries:
                raise bad_request(QUERY_ID_INVALID)
            self._answered_queries.add(query_id)
        return True

    def _create_forum_topic(self, params: Params) -> Dict[str, Any]:
        """A topic and its first message, the forum_topic_created service message whose id is the
        topic's message_thread_id; without icon_color Telegram picks one of its six colours."""
        chat_id = _chat_id(params)
        name = params.get("name")
        name = name.strip()[:MAX_TOPIC_NAME_LENGTH] if isinstance(name, str) else ""
        icon_color = params.get("icon_color")
        with self._lock:
            if chat_id not in self._forums:
                raise bad_request("the chat is not a forum")
            if not name:
                raise bad_request("title must be non-empty")
            if icon_color is None:
                icon_color = TOPIC_ICON_COLORS[len(self._topics) % len(TOPIC_ICON_COLORS)]
            elif not isinstance(icon_color, int) or not 0 <= icon_color <= 0xFFFFFF:
                raise bad_request("invalid icon color specified")
            topic = {"message_thread_id": self._next_message_id(chat_id), "name": name, "icon_color": icon_color}
            thread = topic["message_thread_id"]
            self._messages[(chat_id, thread)] = {
                "message_id": thread,
                "from": self.bot_user,
                "chat": self._chat(chat_id),
                "date": int(time.time()),
                "message_thread_id": thread,
                "is_topic_message": True,
                "forum_topic_created": {"name": name, "icon_color": icon_color},
            }
            self._topics[(chat_id, thread)] = {**topic, "is_closed": False}
        return topic

    def _close_forum_topic(self, params: Params) -> bool:
        chat_id = _chat_id(params)
        thread = params.get("message_thread_id")
        with self._lock:
            if chat_id not in self._forums:
                raise bad_request("the chat is not a forum")
            if not isinstance(thread, int) or thread <= 0:
                raise bad_request("invalid message thread identifier specified")
            topic = self._topics.get((chat_id, thread))
            if topic is None:
                raise bad_request("TOPIC_ID_INVALID")
            if topic["is_closed"]:
                raise bad_request("TOPIC_NOT_MODIFIED")
            topic["is_closed"] = True
        return True

    def _set_webhook(self, params: Params) -> bool:
        url = params.get("url") or ""
        secret = params.get("secret_token")
        if secret is not None and not SECRET_TOKEN.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        if not url:  # Telegram treats an empty url as deleteWebhook
            return self._delete_webhook(params)
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if (parts.port or 443) not in WEBHOOK_PORTS:
            raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        max_connections = params.get("max_connections", 40)
        if not 1 <= max_connections <= 100:
            raise bad_request("max_connections must be between 1 and 100")
        webhook: Dict[str, Any] = {
            "url": url,
            "has_custom_certificate": "certificate" in params,
            "max_connections": max_connections,
        }
        for optional in ("ip_address", "allowed_updates"):
            if params.get(optional):
                webhook[optional] = params[optional]
        with self._lock:
            self._webhook = webhook
            if params.get("drop_pending_updates"):
                self._updates.clear()
        self._end_poll("setWebhook")
        return True

    def _delete_webhook(self, params: Params) -> bool:
        with self._lock:
            self._webhook = None
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    def _get_webhook_info(self, params: Params) -> Dict[str, Any]:
        with self._lock:
            webhook = dict(self._webhook or {"url": "", "has_custom_certificate": False})
            webhook["pending_update_count"] = len(self._updates)
        return webhook

    async def _get_updates(self, params: Params) -> List[Dict[str, Any]]:
        with self._lock:
            if self._webhook is not None:
                raise ApiError(409, WEBHOOK_ACTIVE)
        offset = params.get("offset") or 0
        limit = min(max(params.get("limit") or 100, 1), 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(params.get("timeout") or 0, 0)
        self._end_poll("getUpdates")
        poll = self._poll = loop.create_future()
        try:
            while True:
                arrived = self._updates_arrived
                assert arrived is not None and self._stopping is not None
                with self._lock:
                    if offset > 0:
                        self._updates = [update for update in self._updates if update["update_id"] >= offset]
                    elif offset < 0:
                        self._updates = self._updates[offset:]
                    batch = self._updates[:limit]
                remaining = deadline - loop.time()
                if batch or remaining <= 0 or self._stopping.done():
                    return batch
                await asyncio.wait(
                    [poll, arrived, self._stopping], timeout=remaining, return_when=asyncio.FIRST_COMPLETED
                )
                if poll.done():
                    raise ApiError(409, POLL_TERMINATED[poll.result()])
        finally:
            if self._poll is poll:
                self._poll = None

    def _end_poll(self, by: str) -> None:
        """Make a getUpdates call in progress answer 409, as a newer getUpdates or setWebhook does."""
        if self._poll is not None and not self._poll.done():
            self._poll.set_result(by)

    def _new_message(self, chat_id: int, content: Dict[str, Any]) -> Dict[str, Any]:
        """A message from the bot, remembered for edits and callback updates (lock held)."""
        message = {
            "message_id": self._next_message_id(chat_id),
            "from": self.bot_user,
            "chat": self._chat(chat_id),
            "date": int(time.time()),
            **content,
        }
        self._messages[(chat_id, message["message_id"])] = message
        return message


async def _read_params(request: web.Request) -> Params:
    """The parameters of a call, from the query string and a JSON, form or multipart body."""
    params: Params = dict(request.query)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON encoded request parameters") from None
        if not isinstance(body, dict):
            raise bad_request("JSON object expected as request parameters")
        params.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                with value.file:  # aiohttp's temporary file
                    params[key] = UploadedFile(value.filename, value.content_type, value.file.read())
            else:
                params[key] = value
    return params


def _typed(params: Params) -> Params:
    """Form values are strings: turn them into ints, booleans and JSON values like Telegram does."""
    typed = dict(params)
    for name, value in params.items():
        if not isinstance(value, str):
            continue
        if name in INT_PARAMS:
            if re.fullmatch(r"-?\d+(\.\d*)?", value):  # Telegram reads the integer part of "0.5"
                typed[name] = int(float(value))
            elif name != "chat_id" or not value.startswith("@"):
                raise bad_request(f"invalid {name} specified")
        elif name in BOOL_PARAMS:
            typed[name] = value.lower() in ("true", "1")
        elif name in JSON_PARAMS:
            if not value:
                del typed[name]
                continue
            try:
                typed[name] = json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {JSON_PARAMS[name]} JSON object") from None
    return typed


def _chat_id(params: Params) -> int:
    chat_id = params.get("chat_id")
    if chat_id is None or chat_id == "":
        raise bad_request("chat_id is empty")
    if not isinstance(chat_id, int) or isinstance(chat_id, bool):
        raise bad_request("chat not found")
    return chat_id


def _text_content(params: Params) -> Dict[str, Any]:
    """The text, entities and visible reply markup of sendMessage and editMessageText, checked."""
    text = params.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    _check_parse_mode(params)
    content: Dict[str, Any] = {"text": text}
    if params.get("entities"):
        content["entities"] = params["entities"]
    content.update(_visible_markup(params))
    return content


def _check_parse_mode(params: Params) -> None:
    parse_mode = params.get("parse_mode")
    if parse_mode and str(parse_mode).lower() not in PARSE_MODES:
        raise bad_request("unsupported parse_mode")


def _visible_markup(params: Params) -> Dict[str, Any]:
    """Checks reply_markup; a message shows it only when it is an inline keyboard."""
    markup = params.get("reply_markup")
    if markup is None:
        return {}
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    keyboard = markup.get("inline_keyboard")
    if keyboard is None:
        return {}
    if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
    for button in (button for row in keyboard for button in row):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object with a text")
        if not INLINE_BUTTON_ACTIONS & button.keys():
            raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    return {"reply_markup": markup}


def _utf16_length(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets and lengths."""
    return len(text.encode("utf-16-le")) // 2
