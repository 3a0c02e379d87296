"""Where is my order?"""
from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.common import PENDING, BotAction, entity, language, message_text
from bot.catalog import format, queries


def answer_order(dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> List[Dict[str, Any]]:
    lang = language(tracker)
    lookup = queries.order_status(db, entity(tracker, "order_number") or message_text(tracker))
    if lookup.outcome == "missing":
        dispatcher.utter_message(response="utter_ask_order_number")
        return [SlotSet(PENDING, "order_number")]
    if lookup.outcome == "malformed":
        dispatcher.utter_message(response="utter_order_malformed", given=lookup.number)
        return [SlotSet(PENDING, "order_number")]
    if lookup.outcome == "unknown":
        dispatcher.utter_message(response="utter_order_unknown", number=lookup.number)
        return []
    order = lookup.order
    dispatcher.utter_message(
        response=f"utter_order_{order.status}",
        number=order.number,
        items=format.join_words((p.name for p in lookup.items), lang),
        ordered=format.day(order.ordered_on, lang),
        updated=format.day(order.updated_on, lang),
        expected=format.day(order.expected_on, lang) if order.expected_on else "–",
        carrier=order.carrier or "–",
        tracking=order.tracking_number or "–",
    )
    return []


class ActionOrderStatus(BotAction):
    """Status of an order by its number (LR- and six digits); asks for the number when it is missing."""

    def name(self) -> str:
        return "action_order_status"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> List[Dict[str, Any]]:
        return answer_order(dispatcher, tracker, db)
