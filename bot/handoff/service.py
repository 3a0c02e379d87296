"""Escalations: a person takes over a conversation, replies on the customer's channel and hands it back.

Every verb takes a session and explicit arguments, checks, changes state and returns the changed escalation.
Actions, the staff API and the staff Telegram bot only call these.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.db.models import PRIORITIES, Escalation, EscalationMessage, utcnow

STATUSES = ("open", "claimed", "closed")


class HandoffError(Exception):
    """A request staff can correct; `status` is the HTTP status the staff API answers with."""

    status = 400


class NotFound(HandoffError):
    status = 404


class NotAllowed(HandoffError):
    status = 403


class WrongState(HandoffError):
    status = 409


@dataclass(frozen=True)
class Staff:
    """Who acts: a team's account, or the admin (team None) who may act for every team."""

    name: str
    team: Optional[str]

    def may_handle(self, escalation: Escalation) -> bool:
        """The admin; the escalation's team; the fallback team once the second reminder has called on it."""
        return self.team is None or self.team in (escalation.team, escalation.fallback_team)


def open_escalation(session: Session, conversation_id: str) -> Optional[Escalation]:
    """The conversation's escalation that is not closed yet, if any."""
    return session.scalars(select(Escalation).where(
        Escalation.conversation_id == conversation_id, Escalation.status != "closed")
        .order_by(Escalation.id.desc())).first()


def escalate(session: Session, *, conversation_id: str, channel: str, team: str, priority: str, reason: str,
             language: str, context: List[Dict[str, str]]) -> Escalation:
    """Open an escalation; a conversation already with a person keeps its escalation (raised if more urgent)."""
    if priority not in PRIORITIES:
        raise HandoffError(f"priority must be one of {', '.join(PRIORITIES)}")
    existing = open_escalation(session, conversation_id)
    if existing is not None:
        if PRIORITIES.index(priority) < PRIORITIES.index(existing.priority):
            existing.priority, existing.team, existing.reason = priority, team, reason
        return existing
    escalation = Escalation(conversation_id=conversation_id, channel=channel or "unknown", team=team,
                            priority=priority, reason=reason, status="open", language=language, context=context)
    session.add(escalation)
    session.flush()
    return escalation


def get(session: Session, escalation_id: int, staff: Staff) -> Escalation:
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        raise NotFound(f"no escalation {escalation_id}")
    if not staff.may_handle(escalation):
        raise NotAllowed(f"escalation {escalation_id} belongs to {escalation.team}")
    return escalation


def escalations(session: Session, staff: Staff, *, status: Optional[str] = None, team: Optional[str] = None,
                conversation_id: Optional[str] = None) -> List[Escalation]:
    """The escalations staff may see, newest first, filtered; a team's are also those it was called on for as the
    fallback team."""
    if status is not None and status not in STATUSES:
        raise HandoffError(f"status must be one of {', '.join(STATUSES)}")
    if staff.team is not None and team not in (None, staff.team):
        raise NotAllowed(f"{staff.name} may only see escalations of {staff.team}")
    statement = select(Escalation).order_by(Escalation.id.desc())
    for column, value in ((Escalation.status, status), (Escalation.conversation_id, conversation_id)):
        if value is not None:
            statement = statement.where(column == value)
    wanted = team or staff.team
    if wanted is not None:
        statement = statement.where(or_(Escalation.team == wanted, Escalation.fallback_team == wanted))
    return list(session.scalars(statement))


def claim(session: Session, escalation_id: int, staff: Staff) -> Escalation:
    escalation = get(session, escalation_id, staff)
    if escalation.status == "closed":
        raise WrongState(f"escalation {escalation_id} is closed")
    if escalation.status == "claimed" and escalation.claimed_by != staff.name:
        raise WrongState(f"escalation {escalation_id} is already taken by {escalation.claimed_by}")
    if escalation.status == "open":
        escalation.status, escalation.claimed_by, escalation.claimed_at = "claimed", staff.name, utcnow()
    return escalation


def reply(session: Session, escalation_id: int, staff: Staff, text: str) -> EscalationMessage:
    """Record a staff reply; replying takes an open escalation.

    Nothing is written before the caller commits, so it can deliver the reply in between without holding a write
    lock (SQLite) while it waits, and a failed delivery changes nothing.
    """
    text = (text or "").strip()
    if not text:
        raise HandoffError("text must not be empty")
    if len(text) > 4000:
        raise HandoffError("text must be at most 4000 characters")
    escalation = get(session, escalation_id, staff)
    if escalation.status == "open":
        claim(session, escalation_id, staff)
    elif escalation.status == "closed":
        raise WrongState(f"escalation {escalation_id} is closed")
    if escalation.first_staff_reply_at is None:
        escalation.first_staff_reply_at = utcnow()
    message = EscalationMessage(escalation_id=escalation.id, sender="staff", author=staff.name, text=text)
    session.add(message)
    return message


def close(session: Session, escalation_id: int, staff: Staff) -> Escalation:
    """Close and hand the conversation back to the assistant (the caller resumes it in Rasa)."""
    escalation = get(session, escalation_id, staff)
    if escalation.status == "closed":
        raise WrongState(f"escalation {escalation_id} is already closed")
    escalation.status, escalation.closed_at = "closed", utcnow()
    return escalation
