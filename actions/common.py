"""What every action needs: the settings, a database session, the user's language and the message."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.db import open_session
from bot.language import DEFAULT, SUPPORTED

SETTINGS = Settings.from_env()

# What the assistant asked for last, so that a bare answer ("LR-123456", "ja") continues that conversation.
PENDING = "pending_request"


def language(tracker: Tracker) -> str:
    value = tracker.get_slot("language")
    return value if value in SUPPORTED else DEFAULT


def message_text(tracker: Tracker) -> str:
    """The user's words; empty for a button press, whose payload is an intent and not something they wrote."""
    text = tracker.latest_message.get("text") or ""
    return "" if text.startswith("/") else text


def intent(tracker: Tracker) -> str:
    """The intent of the latest message as classified, nlu_fallback included (unlike get_intent_of_latest_message)."""
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def entity(tracker: Tracker, name: str) -> Optional[str]:
    return next(tracker.get_latest_entity_values(name), None)


def session() -> Session:
    return open_session(SETTINGS.database_url)


class BotAction(Action, ABC):
    """An action that answers one kind of question; what it asked for before is forgotten unless it asks again."""

    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> List[Dict[str, Any]]:
        """Utter the answer and return slot events."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        with session() as db, db.begin():
            events = self.answer(dispatcher, tracker, db)
        if not any(event.get("name") == PENDING for event in events):
            events.append(SlotSet(PENDING, None))
        return events
