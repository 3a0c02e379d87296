"""The staff API: escalations listed, read with their transcript, claimed, answered and closed.

Bearer tokens per team (STAFF_TOKENS) and one admin token (STAFF_ADMIN_TOKEN). No token → 401, another team's
escalation → 403, malformed input → 400; nothing changes on any error.
"""
from __future__ import annotations

import hmac
from datetime import datetime
from functools import wraps
from typing import Any, Awaitable, Callable, Dict, Optional

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.db import open_session
from bot.db.models import Escalation
from bot.handoff import service
from bot.handoff.rasa_api import RasaUnavailable
from bot.handoff.service import HandoffError, Staff

api = Blueprint("api", url_prefix="/api")

FIELDS = ("id", "conversation_id", "channel", "team", "priority", "reason", "status", "language", "claimed_by",
          "created_at", "claimed_at", "first_staff_reply_at", "closed_at", "rating")


def as_json(escalation: Escalation) -> Dict[str, Any]:
    return {field: (value.isoformat() if isinstance(value, datetime) else value)
            for field in FIELDS for value in [getattr(escalation, field)]}


def _staff(request: Request) -> Optional[Staff]:
    header = request.headers.get("Authorization", "")
    token = header[7:] if header.startswith("Bearer ") else ""
    if not token:
        return None
    settings = request.app.ctx.settings
    member = (request.headers.get("X-Staff-Member") or "").strip()[:100]
    if settings.staff_admin_token and hmac.compare_digest(token, settings.staff_admin_token):
        return Staff(member or "admin", None)
    for team, team_token in settings.staff_tokens.items():
        if hmac.compare_digest(token, team_token):
            return Staff(member or f"{team} (API)", team)
    return None


def staff_only(handler: Callable[..., Awaitable[HTTPResponse]]) -> Callable[..., Awaitable[HTTPResponse]]:
    """Authenticate, run the handler in one database transaction, turn domain errors into 4xx answers."""

    @wraps(handler)
    async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        staff = _staff(request)
        if staff is None:
            return json({"error": "a valid 'Authorization: Bearer <token>' header is required"}, status=401)
        with open_session(request.app.ctx.settings.database_url) as session:
            try:
                result = await handler(request, session, staff, *args, **kwargs)
                session.commit()
                return result
            except HandoffError as error:
                session.rollback()
                return json({"error": str(error)}, status=error.status)
            except RasaUnavailable as error:
                session.rollback()
                return json({"error": f"the assistant could not be reached, nothing was changed: {error}"}, status=502)

    return wrapper


def _id(raw: str) -> int:
    if not raw.isdigit():
        raise HandoffError(f"escalation id must be a number, not {raw!r}")
    return int(raw)


@api.get("/escalations")
@staff_only
async def list_escalations(request: Request, session: Any, staff: Staff) -> HTTPResponse:
    unknown = set(request.args) - {"status", "team", "conversation_id"}
    if unknown:
        raise HandoffError(f"unknown filter(s): {', '.join(sorted(unknown))}")
    found = service.escalations(session, staff, status=request.args.get("status"), team=request.args.get("team"),
                                conversation_id=request.args.get("conversation_id"))
    return json({"escalations": [as_json(e) for e in found]})


@api.get("/escalations/<escalation_id>")
@staff_only
async def get_escalation(request: Request, session: Any, staff: Staff, escalation_id: str) -> HTTPResponse:
    escalation = service.get(session, _id(escalation_id), staff)
    since = await request.app.ctx.rasa.messages_since(escalation.conversation_id, escalation.created_at)
    return json({**as_json(escalation), "context": escalation.context, "transcript": since})


@api.post("/escalations/<escalation_id>/claim")
@staff_only
async def claim(request: Request, session: Any, staff: Staff, escalation_id: str) -> HTTPResponse:
    return json(as_json(service.claim(session, _id(escalation_id), staff)))


@api.post("/escalations/<escalation_id>/reply")
@staff_only
async def reply(request: Request, session: Any, staff: Staff, escalation_id: str) -> HTTPResponse:
    body = request.json if request.body else None
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        raise HandoffError('send JSON like {"text": "…"}')
    with session.no_autoflush:  # deliver first, write after: no database lock is held while Rasa answers
        message = service.reply(session, _id(escalation_id), staff, body["text"])
        escalation = session.get(Escalation, message.escalation_id)
        await request.app.ctx.rasa.say(escalation.conversation_id, message.text, staff.name)
    return json(as_json(escalation))


@api.post("/escalations/<escalation_id>/close")
@staff_only
async def close(request: Request, session: Any, staff: Staff, escalation_id: str) -> HTTPResponse:
    with session.no_autoflush:  # hand back first, write after: no database lock is held while Rasa answers
        escalation = service.close(session, _id(escalation_id), staff)
        await request.app.ctx.rasa.hand_back(escalation.conversation_id)
    return json(as_json(escalation))
