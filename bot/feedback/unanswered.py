"""Questions the assistant could not answer, kept for product development."""
from __future__ import annotations

from typing import List

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import UnansweredQuestion


def record_unanswered(session: Session, *, text: str, language: str, channel: str,
                      conversation_ref: str) -> UnansweredQuestion:
    question = UnansweredQuestion(text=text.strip(), language=language, channel=channel or "unknown",
                                  conversation_ref=conversation_ref)
    session.add(question)
    session.flush()
    return question


def unanswered_questions(session: Session, conversation_ref: str = "") -> List[UnansweredQuestion]:
    statement = select(UnansweredQuestion).order_by(UnansweredQuestion.created_at, UnansweredQuestion.id)
    if conversation_ref:
        statement = statement.where(UnansweredQuestion.conversation_ref == conversation_ref)
    return list(session.scalars(statement))
