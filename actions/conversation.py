"""The conversation around the answers: greeting, follow-ups, unclear messages and the way to a person."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.common import PENDING, SETTINGS, BotAction, entity, intent, language, message_text
from actions.handoff import escalate
from actions.jobs import answer_application
from actions.orders import answer_order
from actions.products import answer_recall
from bot.catalog import queries
from bot.feedback.store import record_feedback
from bot.handoff.routing import REASONS, Route
from bot.privacy.pseudonym import conversation_ref

UNCLEAR = ("nlu_fallback", "out_of_scope")


class ActionGreet(BotAction):
    """Hello, with the company's name."""

    def name(self) -> str:
        return "action_greet"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> List[Dict[str, Any]]:
        dispatcher.utter_message(response="utter_greet", company=queries.company(db).name)
        return []


def _unclear_in_a_row(tracker: Tracker) -> int:
    """How many of the latest user messages, counting back from this one, the assistant did not understand."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if (event.get("parse_data") or {}).get("intent", {}).get("name") not in UNCLEAR:
                break
            count += 1
    return count


class ActionHandleUnclear(BotAction):
    """Not understood: ask once to rephrase, then say honestly that we can't answer it yet and offer a person."""

    def name(self) -> str:
        return "action_handle_unclear"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> List[Dict[str, Any]]:
        text = tracker.latest_message.get("text") or ""
        record_feedback(db, kind="unanswered", text=text, language=language(tracker),
                        channel=tracker.get_latest_input_channel() or "",
                        conversation_ref=conversation_ref(tracker.sender_id, SETTINGS))
        if _unclear_in_a_row(tracker) >= 2:
            dispatcher.utter_message(response="utter_cannot_answer")
            return [SlotSet(PENDING, "person")]
        if intent(tracker) == "out_of_scope":
            dispatcher.utter_message(response="utter_out_of_scope")
        else:
            dispatcher.utter_message(response="utter_clarify")
        return []


class ActionContinue(BotAction):
    """A bare answer (a number, an e-mail address, yes or no) continues what the assistant asked for last."""

    def name(self) -> str:
        return "action_continue"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> List[Dict[str, Any]]:
        pending = tracker.get_slot(PENDING)
        said = intent(tracker)
        text = message_text(tracker)
        if pending == "person" and said == "affirm":
            return escalate(dispatcher, tracker, db, Route("person", *REASONS["person"]))
        if pending and said in ("deny", "affirm"):  # "nein, lassen Sie nur" after a question for a number
            dispatcher.utter_message(response="utter_anything_else")
            return []
        if pending in ("application_ref", "application_email") or entity(tracker, "application_ref") \
                or (tracker.get_slot("application_ref") and queries.parse_email(text)):
            return answer_application(dispatcher, tracker, db)
        if pending == "order_number" or entity(tracker, "order_number") or queries.ORDER_NUMBER.search(text):
            return answer_order(dispatcher, tracker, db)
        if pending == "batch_number" or entity(tracker, "batch_number"):
            return answer_recall(dispatcher, tracker, db)
        if said == "deny":
            dispatcher.utter_message(response="utter_anything_else")
        else:
            dispatcher.utter_message(response="utter_how_can_i_help")
        return []
