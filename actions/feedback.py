"""What customers teach us: wishes, bug reports, praise and criticism are thanked for and stored; ratings come after
a handoff and at the end of a conversation the assistant handled alone (at a goodbye or a thank-you)."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.common import SETTINGS, BotAction, entity, intent, language, message_text
from bot.catalog import queries
from bot.db.models import Escalation, Feedback
from bot.feedback.store import record_feedback
from bot.privacy.pseudonym import conversation_ref

FEEDBACK_INTENTS = ("feature_request", "bug_report", "praise", "criticism")
# Intents that are small talk, not a question the assistant answered.
SMALL_TALK = {"greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "capabilities", "rate"}
# What remains of a typed rating ("4 Sterne", "5/5", "I give it 3 stars") once the rating itself is taken away;
# anything beyond that is a comment worth keeping.
_RATING_WORDS = re.compile(r"\b[1-5]\b|/\s*5|\b(von|out of|of)\s+5\b|\b(sterne?n?|stars?|punkte?|points?|bewertung|"
                           r"rating|ich|gebe|vergebe|i|give|it|volle|full|nur|only|insgesamt|overall)\b|[^\w]",
                           re.IGNORECASE)


def _channel(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or ""


def _product_sku(tracker: Tracker, db: Session) -> Optional[str]:
    """The product the feedback names, else the product the conversation was about."""
    text = message_text(tracker)
    named = queries.find_products(db, text) or queries.products_of_kind(db, text)
    if len(named) == 1:
        return named[0].sku
    return tracker.get_slot("product_sku")


class ActionStoreFeedback(BotAction):
    """A wish, a bug report, praise or criticism: stored (redacted) for product development, and thanked for."""

    def name(self) -> str:
        return "action_store_feedback"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> List[Dict[str, Any]]:
        kind = intent(tracker)
        if kind not in FEEDBACK_INTENTS:
            dispatcher.utter_message(response="utter_how_can_i_help")
            return []
        sku = _product_sku(tracker, db)
        record_feedback(db, kind=kind, text=tracker.latest_message.get("text") or "", language=language(tracker),
                        channel=_channel(tracker), conversation_ref=conversation_ref(tracker.sender_id, SETTINGS),
                        sku=sku)
        dispatcher.utter_message(response=f"utter_thanks_for_{kind}")
        return [SlotSet("product_sku", sku)] if sku else []


def _this_session(tracker: Tracker) -> List[Dict[str, Any]]:
    events = list(tracker.events)
    starts = [i for i, event in enumerate(events) if event.get("event") == "session_started"]
    return events[starts[-1]:] if starts else events


def _rating_due(tracker: Tracker, db: Session) -> bool:
    """The assistant answered the customer's questions alone this session, and has neither been rated nor asked for a
    rating yet: a conversation that was handed over is rated when staff hand it back."""
    session = _this_session(tracker)
    intents = [(event.get("parse_data") or {}).get("intent", {}).get("name")
               for event in session if event.get("event") == "user"]
    answered = any(name and name not in SMALL_TALK for name in intents)
    asked = any(event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") == "utter_ask_rating"
                for event in session)
    handed_over = db.scalars(select(Escalation.id).where(Escalation.conversation_id == tracker.sender_id)).first()
    return answered and "rate" not in intents and not asked and handed_over is None


class ActionGoodbye(BotAction):
    """Goodbye; when the assistant answered the customer's questions alone, it asks how well it did."""

    def name(self) -> str:
        return "action_goodbye"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> List[Dict[str, Any]]:
        dispatcher.utter_message(response="utter_goodbye")
        if _rating_due(tracker, db):
            dispatcher.utter_message(response="utter_ask_rating")
        return []


class ActionThank(BotAction):
    """'Danke!' often ends a conversation without a goodbye: after answered questions it is the moment to ask how
    well the assistant did (once a session); otherwise it offers more help."""

    def name(self) -> str:
        return "action_thank"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> List[Dict[str, Any]]:
        if _rating_due(tracker, db):
            dispatcher.utter_message(response="utter_glad_to_help")
            dispatcher.utter_message(response="utter_ask_rating")
        else:
            dispatcher.utter_message(response="utter_you_are_welcome")
        return []


def _comment(text: str) -> str:
    """The words given with a rating beyond the rating itself ('4 Sterne, aber die Wartezeit war lang')."""
    return text if len(_RATING_WORDS.sub("", text)) >= 3 else ""


class ActionStoreRating(BotAction):
    """A 1–5 rating: of the handoff that just ended, or of the assistant when it handled the conversation alone."""

    def name(self) -> str:
        return "action_store_rating"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> List[Dict[str, Any]]:
        raw = str(entity(tracker, "rating") or "")
        if not (raw.isdigit() and 1 <= int(raw) <= 5):
            dispatcher.utter_message(response="utter_how_can_i_help")
            return []
        rated = select(Feedback.escalation_id).where(Feedback.kind == "rating", Feedback.escalation_id.isnot(None))
        escalation = db.scalars(select(Escalation).where(Escalation.conversation_id == tracker.sender_id,
                                                         Escalation.status == "closed", Escalation.id.not_in(rated))
                                .order_by(Escalation.id.desc())).first()
        record_feedback(db, kind="rating", rating=int(raw), text=_comment(message_text(tracker)),
                        language=language(tracker), channel=_channel(tracker),
                        conversation_ref=conversation_ref(tracker.sender_id, SETTINGS),
                        escalation_id=escalation.id if escalation else None)
        dispatcher.utter_message(response="utter_thanks_for_rating")
        return []
