"""Service and company facts: shipping, returns, warranty and the rest, in the company's own words."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.common import BotAction, intent, language
from bot.catalog import queries

TOPICS = {
    "ask_shipping": "shipping", "ask_returns": "returns", "ask_warranty": "warranty", "ask_payment": "payment",
    "ask_hours": "hours", "ask_contact": "contact", "ask_test_ride": "test_ride", "ask_inspection": "inspection",
    "ask_leasing": "leasing", "ask_company": "company", "how_to_apply": "how_to_apply",
    "job_benefits": "benefits", "apprenticeship": "apprenticeship",
}


class ActionAnswerFaq(BotAction):
    """One service or company fact, from data/company/faq.yaml."""

    def name(self) -> str:
        return "action_answer_faq"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> List[Dict[str, Any]]:
        topic = TOPICS.get(intent(tracker), "contact")
        dispatcher.utter_message(response="utter_faq", answer=queries.faq(db, topic, language(tracker)))
        if topic in ("how_to_apply", "apprenticeship", "benefits"):
            dispatcher.utter_message(response="utter_jobs_follow_up")
        elif topic == "leasing":
            dispatcher.utter_message(response="utter_offer_b2b_contact")
        return []
