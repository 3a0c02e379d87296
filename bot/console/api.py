"""The staff API: escalations listed, read with their transcript, claimed, answered and closed; feedback listed.

Bearer tokens per team (STAFF_TOKENS) and one admin token (STAFF_ADMIN_TOKEN). No token → 401, another team's
escalation → 403, malformed input → 400; nothing changes on any error.
"""
from __future__ import annotations

import hmac
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, file, json

from sqlalchemy import select

from bot.catalog.queries import find_products
from bot.db import open_session
from bot.db.models import FEEDBACK_KINDS, Escalation, Product
from bot.feedback.store import feedback
from bot.handoff import service
from bot.handoff.hours import BERLIN
from bot.handoff.rasa_api import RasaUnavailable
from bot.handoff.service import HandoffError, NotAllowed, NotFound, Staff
from bot.privacy.pseudonym import conversation_ref
from bot.report.model import WEEK

api = Blueprint("api", url_prefix="/api")

FIELDS = ("id", "conversation_id", "channel", "team", "fallback_team", "priority", "reason", "status", "language",
          "claimed_by", "created_at", "claimed_at", "first_staff_reply_at", "closed_at", "rating")


def _fields(row: Any, names: Tuple[str, ...]) -> Dict[str, Any]:
    return {name: (value.isoformat() if isinstance(value, datetime) else value)
            for name in names for value in [getattr(row, name)]}


def as_json(escalation: Escalation) -> Dict[str, Any]:
    return _fields(escalation, FIELDS)


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
    staff_group = getattr(request.app.ctx, "staff_group", None)
    if staff_group is not None:  # closed here, the escalation's topic in the staff group is closed as well
        await staff_group.close_topic(escalation.topic_id)
    return json(as_json(escalation))


FEEDBACK_TEAM = "Produktmanagement"  # feedback is theirs (and the admin's) to read
FEEDBACK_FIELDS = ("id", "kind", "text", "rating", "sku", "language", "channel", "conversation_ref", "escalation_id",
                   "created_at")


def _since(raw: str) -> datetime:
    try:
        since = datetime.fromisoformat(raw)
    except ValueError:
        raise HandoffError(f"since must be an ISO date or time such as 2026-11-16 or 2026-11-16T08:00:00+01:00, "
                           f"not {raw!r}") from None
    return since if since.tzinfo else since.replace(tzinfo=BERLIN)


def _product_people_only(staff: Staff) -> None:
    if staff.team not in (None, FEEDBACK_TEAM):
        raise NotAllowed(f"feedback and reports are for the team {FEEDBACK_TEAM}; the team {staff.team} may not "
                         f"read them")


@api.get("/feedback")
@staff_only
async def list_feedback(request: Request, session: Any, staff: Staff) -> HTTPResponse:
    _product_people_only(staff)
    unknown = set(request.args) - {"kind", "product", "since", "conversation_id", "limit"}
    if unknown:
        raise HandoffError(f"unknown filter(s): {', '.join(sorted(unknown))}")
    kind = request.args.get("kind")
    if kind is not None and kind not in FEEDBACK_KINDS:
        raise HandoffError(f"kind must be one of {', '.join(FEEDBACK_KINDS)}, not {kind!r}")
    product = request.args.get("product")
    sku = None
    if product is not None:
        found = find_products(session, product)
        if len(found) != 1:
            raise HandoffError(f"product {product!r} names {'no' if not found else 'more than one'} product; "
                               f"give its SKU, e.g. LR-E7")
        sku = found[0].sku
    limit = request.args.get("limit", "1000")
    if not limit.isdigit() or not 1 <= int(limit) <= 10000:
        raise HandoffError(f"limit must be a number from 1 to 10000, not {limit!r}")
    since, conversation_id = request.args.get("since"), request.args.get("conversation_id")
    items = feedback(session, kind=kind, sku=sku, since=_since(since) if since is not None else None,
                     conversation_ref=conversation_ref(conversation_id, request.app.ctx.settings)
                     if conversation_id is not None else None, limit=int(limit), newest_first=True)
    names = {p.sku: p.name for p in session.scalars(select(Product).where(Product.sku.in_({i.sku for i in items})))}
    return json({"feedback": [{**_fields(item, FEEDBACK_FIELDS), "product": names.get(item.sku)} for item in items]})


def _report_weeks(folder: Path) -> List[Path]:
    """The weeks' report folders, newest first."""
    return sorted((d for d in folder.iterdir() if d.is_dir() and WEEK.fullmatch(d.name)), reverse=True) \
        if folder.is_dir() else []


@api.get("/reports")
@staff_only
async def list_reports(request: Request, session: Any, staff: Staff) -> HTTPResponse:
    """The weekly reports written so far, newest week first, with their files."""
    _product_people_only(staff)
    weeks = _report_weeks(request.app.ctx.settings.reports_dir)
    return json({"reports": [{"week": d.name, "files": [f"/api/reports/{d.name}/{f.name}" for f in sorted(d.iterdir())
                                                        if f.is_file()]} for d in weeks]})


@api.get("/reports/latest")
@staff_only
async def latest_report(request: Request, session: Any, staff: Staff) -> HTTPResponse:
    """The newest week's HTML report, in the configured language when it exists."""
    _product_people_only(staff)
    weeks = _report_weeks(request.app.ctx.settings.reports_dir)
    for week in weeks:
        pages = sorted(week.glob("*.html"), key=lambda f: f".{request.app.ctx.settings.report_language}." not in f.name)
        if pages:
            return await file(pages[0], mime_type="text/html; charset=utf-8")
    raise NotFound("no report has been written yet (python -m bot report)")


@api.get("/reports/<week>/<name>")
@staff_only
async def report_file(request: Request, session: Any, staff: Staff, week: str, name: str) -> HTTPResponse:
    _product_people_only(staff)
    path = request.app.ctx.settings.reports_dir / week / name
    if not WEEK.fullmatch(week) or "/" in name or name.startswith(".") or not path.is_file():
        raise NotFound(f"there is no report file {week}/{name}")
    mime = {".html": "text/html; charset=utf-8", ".md": "text/markdown; charset=utf-8",
            ".csv": "text/csv; charset=utf-8"}.get(path.suffix, "application/octet-stream")
    return await file(path, mime_type=mime)
