"""A local fake of Facebook's Graph API, the parts of the Messenger Platform a page bot uses, for tests.

`FakeGraph` serves the Send API (`POST /{version}/me/messages`), the Messenger Profile API
(`/{version}/me/messenger_profile`) and user profiles (`GET /{version}/{psid}`) from an aiohttp
application in a background thread on 127.0.0.1. It records every call, checks the page access token
and the documented message limits, answers with Graph's JSON error objects, and can be told to fail.
It also builds Messenger webhook deliveries, signed like Facebook signs them.

    with FakeGraph() as fake:
        client = fbmessenger.MessengerClient(fake.page_access_token)
        client.graph_url = fake.graph_url
        body, headers = FakeGraph.signed_webhook(fake.text_event("5012345678901234", "Hallo"), APP_SECRET)
        ...  # POST body with headers to the bot's webhook
        reply = fake.wait_for(lambda call: call["path"] == "me/messages")

Known differences from the real API: any PSID of digits is a user who can be messaged (others are
"No matching user found"), and their profile is made up unless set with `set_user`; lengths count
code points; media attachments and templates other than button and generic templates are checked
only for their type; error messages for malformed bodies follow Graph's style, but Graph's exact
wording for rarely seen ones may differ; the app secret proof is not checked; nothing is delivered
to a webhook.

The messaging window is enforced for users whose last message the fake knows, set with
`user_wrote(psid, at=...)` and by the webhook builders (`text_event` and the others record that the
user wrote at the event's time, as Facebook knows it whether or not the bot takes the delivery): a
RESPONSE or UPDATE message more than 24 hours later, or a HUMAN_AGENT-tagged one more than 7 days
later, is refused with Graph's "outside of allowed window" error. For users with no known message
there is no window check. MESSAGE_TAG needs a known `tag`; tags other than HUMAN_AGENT are not held
to a window (their use-case rules are not checked), nor are sender actions.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections import deque
from datetime import datetime
from typing import Any, Callable, Deque, Dict, List, Literal, Optional, Tuple, Union

from aiohttp import web

from tests.fakes.server import FakeServer

MAX_TEXT_LENGTH = 2000
MAX_TEMPLATE_TEXT_LENGTH = 640
MAX_BUTTONS = 3
MAX_ELEMENTS = 10
MAX_ELEMENT_TEXT_LENGTH = 80
MAX_TITLE_LENGTH = 20  # buttons and quick replies
MAX_QUICK_REPLIES = 13
MAX_PAYLOAD_LENGTH = 1000

SENDER_ACTIONS = frozenset({"typing_on", "typing_off", "mark_seen"})
MESSAGING_TYPES = frozenset({"RESPONSE", "UPDATE", "MESSAGE_TAG"})
MESSAGE_TAGS = frozenset({"CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE", "ACCOUNT_UPDATE", "HUMAN_AGENT"})
STANDARD_WINDOW = 24 * 3600  # seconds after the user's last message for RESPONSE and UPDATE messages
HUMAN_AGENT_WINDOW = 7 * 24 * 3600  # ... and for messages tagged HUMAN_AGENT
OUTSIDE_WINDOW = (
    "(#10) This message is sent outside of allowed window. Learn more about the new policy here: "
    "https://developers.facebook.com/docs/messenger-platform/policy-overview"
)
OUTSIDE_WINDOW_SUBCODE = 2018278
NOTIFICATION_TYPES = frozenset({"REGULAR", "SILENT_PUSH", "NO_PUSH"})
MEDIA_TYPES = frozenset({"image", "audio", "video", "file"})
TEMPLATE_TYPES = frozenset({"button", "generic", "media", "receipt", "customer_feedback", "product"})
BUTTON_TYPES = frozenset({"web_url", "postback", "phone_number", "account_link", "account_unlink", "game_play"})
TITLED_BUTTONS = frozenset({"web_url", "postback", "phone_number"})
QUICK_REPLY_TYPES = frozenset({"text", "user_phone_number", "user_email"})
PROFILE_PROPERTIES = (
    "account_linking_url",
    "commands",
    "description",
    "get_started",
    "greeting",
    "ice_breakers",
    "persistent_menu",
    "title",
    "whitelisted_domains",
)
USER_FIELDS = frozenset({"id", "name", "first_name", "last_name", "profile_pic", "locale", "timezone", "gender"})
DEFAULT_USER_FIELDS = "first_name,last_name,profile_pic"

# Graph's messages for the error codes fail_next knows without being told the message.
KNOWN_ERRORS = {
    1: "An unknown error has occurred.",
    2: "An unexpected error has occurred. Please retry your request later.",
    4: "(#4) Application request limit reached",
    32: "(#32) Page request limit reached",
    551: "(#551) This person isn't available right now.",
    613: "(#613) Calls to this api have exceeded the rate limit.",
}
TRANSIENT_CODES = frozenset({1, 2})

Params = Dict[str, Any]
Call = Dict[str, Any]


class GraphError(Exception):
    """An error answer of the Graph API."""

    def __init__(
        self,
        message: str,
        code: int,
        *,
        status: int = 400,
        error_type: str = "OAuthException",
        subcode: Optional[int] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.error_type = error_type
        self.subcode = subcode

    def body(self) -> Dict[str, Any]:
        """The JSON answer Graph sends for this error, with a fresh fbtrace_id."""
        error: Dict[str, Any] = {"message": self.message, "type": self.error_type, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.code in TRANSIENT_CODES:
            error["is_transient"] = True
        error["fbtrace_id"] = "A" + secrets.token_urlsafe(16)[:21]
        return {"error": error}


def _too_long(param: str, limit: int) -> GraphError:
    return GraphError(f"(#100) Length of param {param} must be less than or equal to {limit}", 100)


def _too_many(param: str) -> GraphError:
    return GraphError(f"(#105) param {param} has too many elements.", 105)


def _not_one_of(param: str, allowed: frozenset[str]) -> GraphError:
    return GraphError(f"(#100) param {param} must be one of {{{', '.join(sorted(allowed))}}}", 100)


def _check_string(value: Any, param: str, limit: int) -> None:
    """A required, non-empty string of at most `limit` characters."""
    if not isinstance(value, str) or not value.strip():
        raise GraphError(f"(#100) Param {param} must be a non-empty UTF-8 encoded string", 100)
    if len(value) > limit:
        raise _too_long(param, limit)


def _check_list(value: Any, param: str, limit: int) -> List[Any]:
    """A non-empty list of at most `limit` items."""
    if not isinstance(value, list) or not value:
        raise GraphError(f"(#100) param {param} must be a non-empty array", 100)
    if len(value) > limit:
        raise _too_many(param)
    return value


class FakeGraph(FakeServer):
    """The Graph API of one Facebook page, with recording and failure injection for tests.

    Each of `calls`, in the order they were answered: {"http_method", "path" (without the version,
    e.g. "me/messages"), "query" and "body" (both without the access token), "status", "response",
    "failed", "time"}."""

    _api_name = "Graph"

    def __init__(
        self,
        page_access_token: str = "EAAFakePageAccessToken0123456789",
        page_id: str = "106842391234567",
        api_version: str = "v15.0",
    ) -> None:
        super().__init__()
        self.page_access_token = page_access_token
        self.page_id = page_id
        self.api_version = api_version
        self.root_url = ""
        self.graph_url = ""  # what MessengerClient.graph_url should be set to

        # Guarded by self._lock.
        self._failures: Deque[GraphError] = deque()
        self._profile: Dict[str, Any] = {}
        self._users: Dict[str, Dict[str, Any]] = {}
        self._last_user_message: Dict[str, float] = {}  # PSID -> when the user last wrote (Unix seconds)

        self._routes: Dict[Tuple[str, str], Callable[[Params, Params], Dict[str, Any]]] = {
            ("POST", "me/messages"): self._send,
            ("POST", "me/messenger_profile"): self._set_profile,
            ("GET", "me/messenger_profile"): self._get_profile,
            ("DELETE", "me/messenger_profile"): self._delete_profile,
        }

    # ----------------------------------------------------------------- lifecycle

    def _started(self, root_url: str) -> None:
        self.root_url = root_url
        self.graph_url = f"{root_url}/{self.api_version}"

    # ----------------------------------------------------------------- what the bot did

    def sent(
        self,
        recipient_id: Optional[str] = None,
        *,
        kind: Literal["message", "sender_action"] = "message",
        include_failed: bool = False,
    ) -> List[Call]:
        """The successful Send API calls carrying a message (or with kind="sender_action", a sender
        action; all calls with include_failed), optionally only those to one PSID."""
        return [
            call
            for call in self.calls
            if call["path"] == "me/messages"
            and (include_failed or not call["failed"])
            and kind in call["body"]
            and (recipient_id is None or str((call["body"].get("recipient") or {}).get("id")) == recipient_id)
        ]

    @property
    def messenger_profile(self) -> Dict[str, Any]:
        """The page's Messenger profile properties as set through the API (a copy)."""
        with self._lock:
            return json.loads(json.dumps(self._profile))

    def set_user(self, psid: str, **fields: Any) -> None:
        """Set profile fields (first_name, last_name, locale, ...) that GET /{psid} answers with."""
        if not psid.isdigit():
            raise ValueError(f"a PSID is a string of digits, not {psid!r}")
        unknown = fields.keys() - USER_FIELDS
        if unknown:
            raise ValueError(f"unknown user profile fields {sorted(unknown)}; known: {sorted(USER_FIELDS)}")
        with self._lock:
            self._users.setdefault(psid, {}).update(fields)

    def user_wrote(self, psid: str, at: Union[float, datetime, None] = None) -> None:
        """Record that the user's last message to the page was at `at` (Unix seconds or an aware datetime;
        default now), which opens the messaging window from then on. Replaces what was recorded before."""
        if not psid.isdigit():
            raise ValueError(f"a PSID is a string of digits, not {psid!r}")
        if isinstance(at, datetime):
            if at.tzinfo is None:
                raise ValueError("pass an aware datetime (with tzinfo)")
            at = at.timestamp()
        with self._lock:
            self._last_user_message[psid] = time.time() if at is None else float(at)

    # ----------------------------------------------------------------- failure injection

    def fail_next(
        self, times: int = 1, *, status: int = 400, code: Optional[int] = None, message: Optional[str] = None
    ) -> None:
        """Answer the next `times` calls with a valid token with a Graph error instead of handling them.

        The code defaults to 613 (rate limit) for 4xx and 2 (transient server error) for 5xx
        statuses; the message defaults to Graph's for the codes in KNOWN_ERRORS."""
        if times < 1 or status < 400:
            raise ValueError("fail_next needs times >= 1 and an error status (>= 400)")
        if code is None:
            code = 2 if status >= 500 else 613
        if message is None:
            if code not in KNOWN_ERRORS:
                raise ValueError(f"pass the message for error code {code}; known codes: {sorted(KNOWN_ERRORS)}")
            message = KNOWN_ERRORS[code]
        with self._lock:
            self._failures.extend(GraphError(message, code, status=status) for _ in range(times))

    # ----------------------------------------------------------------- webhooks

    @staticmethod
    def signed_webhook(body: Dict[str, Any], app_secret: str) -> Tuple[bytes, Dict[str, str]]:
        """The raw body and headers of a webhook delivery of `body`, signed with the app secret.

        Like Facebook, the JSON is compact with non-ASCII characters escaped (lowercase \\uXXXX),
        and both signatures are HMACs of exactly these bytes."""
        raw = json.dumps(body, separators=(",", ":")).encode("ascii")
        key = app_secret.encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature": "sha1=" + hmac.new(key, raw, hashlib.sha1).hexdigest(),
            "X-Hub-Signature-256": "sha256=" + hmac.new(key, raw, hashlib.sha256).hexdigest(),
        }
        return raw, headers

    def text_event(self, psid: str, text: str, mid: Optional[str] = None) -> Dict[str, Any]:
        """A webhook body with a text message from the user `psid` to the page."""
        return self._webhook_body(psid, {"message": {"mid": mid or _message_id(), "text": text}})

    def postback_event(self, psid: str, payload: str, title: str) -> Dict[str, Any]:
        """A webhook body with a press on a postback button titled `title`."""
        return self._webhook_body(psid, {"postback": {"mid": _message_id(), "title": title, "payload": payload}})

    def quick_reply_event(self, psid: str, text: str, payload: str) -> Dict[str, Any]:
        """A webhook body with a tap on a quick reply: its title as text, and its payload."""
        message = {"mid": _message_id(), "text": text, "quick_reply": {"payload": payload}}
        return self._webhook_body(psid, {"message": message})

    def _webhook_body(self, psid: str, event: Dict[str, Any]) -> Dict[str, Any]:
        now = int(time.time() * 1000)
        if psid.isdigit():
            self.user_wrote(psid, at=now / 1000)
        messaging = {"sender": {"id": psid}, "recipient": {"id": self.page_id}, "timestamp": now, **event}
        return {"object": "page", "entry": [{"id": self.page_id, "time": now, "messaging": [messaging]}]}

    # ----------------------------------------------------------------- HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        path = request.match_info["path"].strip("/")
        first, _, rest = path.partition("/")
        if first.startswith("v") and first[1:].replace(".", "").isdigit():  # Graph also serves unversioned paths
            path = rest
        query = dict(request.query)
        token = query.pop("access_token", None)
        query.pop("appsecret_proof", None)
        call: Call = {"http_method": request.method, "path": path, "query": query, "body": {}, "time": time.time()}
        try:
            call["body"] = body = await _read_body(request)
            token = body.pop("access_token", token)
            self._check_token(token)
            with self._lock:
                failure = self._failures.popleft() if self._failures else None
            if failure is not None:
                raise failure
            response = self._route(request.method, path)(query, body)
        except GraphError as error:
            answer = error.body()
            self._record({**call, "status": error.status, "response": answer, "failed": True})
            return web.json_response(answer, status=error.status)
        self._record({**call, "status": 200, "response": response, "failed": False})
        return web.json_response(response)

    def _check_token(self, token: Optional[str]) -> None:
        if not token:
            raise GraphError("An active access token must be used to query information about the current user.", 2500)
        if token != self.page_access_token:
            raise GraphError("Invalid OAuth access token.", 190)

    def _route(self, method: str, path: str) -> Callable[[Params, Params], Dict[str, Any]]:
        if (method, path) in self._routes:
            return self._routes[(method, path)]
        if method == "GET" and path and "/" not in path and path != "me":
            return lambda query, body: self._user_profile(path, query)
        raise GraphError(f"Unknown path components: /{path}", 2500)

    # ----------------------------------------------------------------- Send API

    def _send(self, query: Params, body: Params) -> Dict[str, Any]:
        recipient = body.get("recipient")
        if recipient is None:
            raise GraphError("(#100) The parameter recipient is required", 100)
        psid = str(recipient.get("id") or "") if isinstance(recipient, dict) else ""
        if not psid:
            raise GraphError('(#100) param recipient[id] must be a valid ID string (e.g., "123")', 100)
        if not psid.isdigit():
            raise GraphError("(#100) No matching user found", 100, subcode=2018001)
        if "message" not in body and "sender_action" not in body:
            raise GraphError("(#100) Must send either message or state", 100)
        if "message" in body and "sender_action" in body:
            raise GraphError("(#100) Only one of message or sender_action can be specified", 100)
        if "messaging_type" in body and body["messaging_type"] not in MESSAGING_TYPES:
            raise _not_one_of("messaging_type", MESSAGING_TYPES)
        if "notification_type" in body and body["notification_type"] not in NOTIFICATION_TYPES:
            raise _not_one_of("notification_type", NOTIFICATION_TYPES)
        if "sender_action" in body:
            if body["sender_action"] not in SENDER_ACTIONS:
                raise _not_one_of("sender_action", SENDER_ACTIONS)
            return {"recipient_id": psid}
        _check_message(body["message"])
        self._check_window(psid, body.get("messaging_type") or "RESPONSE", body.get("tag"))
        return {"recipient_id": psid, "message_id": _message_id()}

    def _check_window(self, psid: str, messaging_type: str, tag: Any) -> None:
        """The messaging window: RESPONSE and UPDATE within 24 hours of the user's last message, HUMAN_AGENT
        within 7 days; other tags without a window. No check for users whose last message is unknown."""
        if messaging_type == "MESSAGE_TAG":
            if tag is None or tag == "":
                raise GraphError("(#100) The parameter tag is required", 100)
            if tag not in MESSAGE_TAGS:
                raise _not_one_of("tag", MESSAGE_TAGS)
            if tag != "HUMAN_AGENT":
                return
            window = HUMAN_AGENT_WINDOW
        else:
            window = STANDARD_WINDOW
        with self._lock:
            last = self._last_user_message.get(psid)
        if last is not None and time.time() - last > window:
            raise GraphError(OUTSIDE_WINDOW, 10, subcode=OUTSIDE_WINDOW_SUBCODE)

    # ----------------------------------------------------------------- Messenger Profile API

    def _set_profile(self, query: Params, body: Params) -> Dict[str, Any]:
        if not body or not body.keys() <= set(PROFILE_PROPERTIES):
            raise GraphError(f"(#100) Requires one of the params: {','.join(PROFILE_PROPERTIES)}", 100)
        with self._lock:
            if "persistent_menu" in body and "get_started" not in {**self._profile, **body}:
                raise GraphError(
                    "(#100) You must set a Get Started button if you also wish to use persistent menu.", 100
                )
            self._profile.update(body)
        return {"result": "success"}

    def _get_profile(self, query: Params, body: Params) -> Dict[str, Any]:
        fields = _profile_fields(query.get("fields") or body.get("fields"))
        with self._lock:
            found = {field: self._profile[field] for field in fields if field in self._profile}
        return {"data": [found] if found else []}

    def _delete_profile(self, query: Params, body: Params) -> Dict[str, Any]:
        fields = _profile_fields(body.get("fields") or query.get("fields"))
        with self._lock:
            for field in fields:
                self._profile.pop(field, None)
        return {"result": "success"}

    # ----------------------------------------------------------------- user profiles

    def _user_profile(self, psid: str, query: Params) -> Dict[str, Any]:
        if not psid.isdigit():
            raise GraphError(
                f"Unsupported get request. Object with ID '{psid}' does not exist, cannot be loaded due to missing "
                "permissions, or does not support this operation. Please read the Graph API documentation at "
                "https://developers.facebook.com/docs/graph-api",
                100,
                error_type="GraphMethodException",
                subcode=33,
            )
        fields = [field for field in (query.get("fields") or DEFAULT_USER_FIELDS).split(",") if field]
        for field in fields:
            if field not in USER_FIELDS:
                raise GraphError(f"(#100) Tried accessing nonexisting field ({field}) on node type (User)", 100)
        with self._lock:
            user = {
                "id": psid,
                "name": "Kundin Test",
                "first_name": "Kundin",
                "last_name": "Test",
                "profile_pic": f"https://platform-lookaside.fbsbx.com/platform/profilepic/?psid={psid}",
                "locale": "de_DE",
                "timezone": 1,
                "gender": "female",
                **self._users.get(psid, {}),
            }
        return {**{field: user[field] for field in fields}, "id": psid}


async def _read_body(request: web.Request) -> Params:
    """A JSON object body, or form fields with JSON values decoded as Graph does; {} without a body."""
    if not request.can_read_body:
        return {}
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise GraphError("(#100) Invalid JSON in the request body", 100) from None
        if not isinstance(body, dict):
            raise GraphError("(#100) The request body must be a JSON object", 100)
        return body
    fields: Params = {}
    for key, value in (await request.post()).items():
        if isinstance(value, str) and value.startswith(("{", "[")):
            try:
                value = json.loads(value)
            except ValueError:
                pass  # Graph takes such a value as a plain string
        fields[key] = value
    return fields


def _profile_fields(fields: Any) -> List[str]:
    """The `fields` of a Messenger Profile GET or DELETE: a list, JSON list or comma-separated string."""
    if isinstance(fields, str):
        try:
            fields = json.loads(fields) if fields.startswith("[") else fields.split(",")
        except ValueError:
            raise GraphError("(#100) param fields must be an array", 100) from None
    if not fields or not isinstance(fields, list):
        raise GraphError("(#100) The parameter fields is required", 100)
    for field in fields:
        if field not in PROFILE_PROPERTIES:
            raise GraphError(f"(#100) param fields[] must be one of {{{', '.join(PROFILE_PROPERTIES)}}}", 100)
    return fields


def _check_message(message: Any) -> None:
    """The checks of the Send API's `message`: text or attachment, and quick replies."""
    if not isinstance(message, dict) or ("text" not in message and "attachment" not in message):
        raise GraphError("(#100) Message cannot be empty, must provide valid attachment or text", 100)
    if "text" in message and "attachment" in message:
        raise GraphError("(#100) Only one of text or attachment can be specified", 100)
    if "text" in message:
        _check_string(message["text"], "message[text]", MAX_TEXT_LENGTH)
    else:
        _check_attachment(message["attachment"])
    quick_replies = message.get("quick_replies")
    if quick_replies is not None:
        for index, reply in enumerate(_check_list(quick_replies, "message[quick_replies]", MAX_QUICK_REPLIES)):
            _check_quick_reply(reply, f"message[quick_replies][{index}]")


def _check_attachment(attachment: Any) -> None:
    kind = attachment.get("type") if isinstance(attachment, dict) else None
    if kind not in MEDIA_TYPES | {"template"}:
        raise _not_one_of("message[attachment][type]", MEDIA_TYPES | {"template"})
    payload = attachment.get("payload")
    if not isinstance(payload, dict):
        raise GraphError("(#100) param message[attachment][payload] must be an object", 100)
    if kind in MEDIA_TYPES:
        if not payload.get("url") and not payload.get("attachment_id"):
            raise GraphError("(#100) Incomplete attachment: a url or an attachment_id is required", 100)
        return
    template_type = payload.get("template_type")
    if template_type not in TEMPLATE_TYPES:
        raise _not_one_of("name_placeholder[template_type]", TEMPLATE_TYPES)
    if template_type == "button":
        _check_string(payload.get("text"), "name_placeholder[text]", MAX_TEMPLATE_TEXT_LENGTH)
        for index, button in enumerate(_check_list(payload.get("buttons"), "name_placeholder[buttons]", MAX_BUTTONS)):
            _check_button(button, f"name_placeholder[buttons][{index}]")
    elif template_type == "generic":
        elements = _check_list(payload.get("elements"), "name_placeholder[elements]", MAX_ELEMENTS)
        for index, element in enumerate(elements):
            _check_element(element, f"name_placeholder[elements][{index}]")


def _check_element(element: Any, param: str) -> None:
    if not isinstance(element, dict):
        raise GraphError(f"(#100) param {param} must be an object", 100)
    _check_string(element.get("title"), f"{param}[title]", MAX_ELEMENT_TEXT_LENGTH)
    if element.get("subtitle") is not None:
        _check_string(element["subtitle"], f"{param}[subtitle]", MAX_ELEMENT_TEXT_LENGTH)
    if element.get("buttons") is not None:
        for index, button in enumerate(_check_list(element["buttons"], f"{param}[buttons]", MAX_BUTTONS)):
            _check_button(button, f"{param}[buttons][{index}]")


def _check_button(button: Any, param: str) -> None:
    kind = button.get("type") if isinstance(button, dict) else None
    if kind not in BUTTON_TYPES:
        raise _not_one_of(f"{param}[type]", BUTTON_TYPES)
    if kind in TITLED_BUTTONS:
        _check_string(button.get("title"), f"{param}[title]", MAX_TITLE_LENGTH)
    if kind == "web_url" and not button.get("url"):
        raise GraphError(f"(#100) param {param}[url] must be a valid URL", 100)
    if kind in ("postback", "phone_number"):
        _check_string(button.get("payload"), f"{param}[payload]", MAX_PAYLOAD_LENGTH)


def _check_quick_reply(reply: Any, param: str) -> None:
    kind = reply.get("content_type") if isinstance(reply, dict) else None
    if kind not in QUICK_REPLY_TYPES:
        raise _not_one_of(f"{param}[content_type]", QUICK_REPLY_TYPES)
    if kind != "text":
        return
    _check_string(reply.get("title"), f"{param}[title]", MAX_TITLE_LENGTH)
    payload = reply.get("payload")
    if not isinstance(payload, (str, int)) or (payload == "" and not reply.get("image_url")):
        raise GraphError(f"(#100) param {param}[payload] must be a non-empty UTF-8 encoded string", 100)
    if len(str(payload)) > MAX_PAYLOAD_LENGTH:
        raise _too_long(f"{param}[payload]", MAX_PAYLOAD_LENGTH)


def _message_id() -> str:
    """A message id in the style of Messenger's ("m_" and URL-safe base64)."""
    return "m_" + secrets.token_urlsafe(64)[:86]
