"""Storing what customers teach us (redacted, pseudonymous) and reading it back for the staff API and the report."""
from __future__ import annotations

from datetime import datetime
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import FEEDBACK_KINDS, Feedback
from bot.feedback.redact import redact


def record_feedback(session: Session, *, kind: str, text: str, language: str, channel: str, conversation_ref: str,
                    sku: Optional[str] = None, rating: Optional[int] = None,
                    escalation_id: Optional[int] = None) -> Feedback:
    """Store one piece of feedback; personal data in the text is redacted first and never reaches the database."""
    if kind not in FEEDBACK_KINDS:
        raise ValueError(f"unknown feedback kind {kind!r}; expected one of {', '.join(FEEDBACK_KINDS)}")
    if kind == "rating" and not (isinstance(rating, int) and 1 <= rating <= 5):
        raise ValueError(f"a rating must be a whole number from 1 to 5, not {rating!r}")
    feedback = Feedback(kind=kind, text=redact(text.strip()), rating=rating, sku=sku, language=language,
                        channel=channel or "unknown", conversation_ref=conversation_ref, escalation_id=escalation_id)
    session.add(feedback)
    session.flush()
    return feedback


def feedback(session: Session, *, kind: Optional[str] = None, sku: Optional[str] = None,
             since: Optional[datetime] = None, until: Optional[datetime] = None,
             conversation_ref: Optional[str] = None, limit: Optional[int] = None,
             newest_first: bool = False) -> List[Feedback]:
    """Stored feedback in the order it came (or newest first), filtered by kind, product, time and conversation."""
    order = (Feedback.created_at.desc(), Feedback.id.desc()) if newest_first else (Feedback.created_at, Feedback.id)
    statement = select(Feedback).order_by(*order)
    if kind:
        statement = statement.where(Feedback.kind == kind)
    if sku:
        statement = statement.where(Feedback.sku == sku)
    if since:
        statement = statement.where(Feedback.created_at >= since)
    if until:
        statement = statement.where(Feedback.created_at < until)
    if conversation_ref:
        statement = statement.where(Feedback.conversation_ref == conversation_ref)
    if limit:
        statement = statement.limit(limit)
    return list(session.scalars(statement))
