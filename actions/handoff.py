"""Handing a conversation to a person: escalate, keep it paused while staff have it, take it back, ask for a rating."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.common import BotAction, intent, language, session
from bot.db.models import Team
from bot.handoff import service
from bot.handoff.hours import availability, describe_opening
from bot.handoff.routing import REASONS, Route, route

CONTEXT_MESSAGES = 10


def _context(tracker: Tracker) -> List[Dict[str, str]]:
    """The last messages before the escalation, so staff see what happened."""
    said = [{"from": "customer" if e["event"] == "user" else "assistant", "text": e.get("text") or "",
             "at": datetime.fromtimestamp(e.get("timestamp") or 0, timezone.utc).isoformat()}
            for e in tracker.events if e.get("event") in ("user", "bot") and e.get("text")]
    return said[-CONTEXT_MESSAGES:]


def escalate(dispatcher: CollectingDispatcher, tracker: Tracker, db: Session, found: Route) -> List[Dict[str, Any]]:
    """Write the escalation first, then tell the customer who takes over and when, then pause the bot."""
    team = db.scalars(select(Team).where(Team.key == found.team_key)).one()
    lang = language(tracker)
    service.escalate(db, conversation_id=tracker.sender_id, channel=tracker.get_latest_input_channel() or "",
                     team=team.name, priority=found.priority, reason=found.reason, language=lang,
                     context=_context(tracker))
    db.commit()  # recorded before the customer is told anything
    if found.reason == "safety":
        dispatcher.utter_message(response="utter_safety_advice")
    now = datetime.now(timezone.utc)
    when = availability(team.hours, team.on_call, now)
    if when.open_now:
        dispatcher.utter_message(response="utter_handoff_now", team=team.name_in(lang))
    elif when.next_opening is not None:
        dispatcher.utter_message(response="utter_handoff_later", team=team.name_in(lang),
                                 when=describe_opening(when.next_opening, lang, now))
    else:
        dispatcher.utter_message(response="utter_handoff_later", team=team.name_in(lang), when="–")
    return [SlotSet("pending_request", None), ConversationPaused()]


class ActionEscalate(BotAction):
    """Safety incidents, complaints and legal threats, data-protection requests, business requests, 'a person please'."""

    def name(self) -> str:
        return "action_escalate"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> List[Dict[str, Any]]:
        triggers = {team.key: team.triggers or {} for team in db.scalars(select(Team))}
        found = route(intent(tracker), tracker.latest_message.get("text") or "", triggers) \
            or Route("person", *REASONS["person"])
        return escalate(dispatcher, tracker, db, found)


class ActionSessionStart(Action):
    """A new session starts paused while a person still has the conversation (session expiry must not un-pause)."""

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        events: List[Dict[str, Any]] = [SessionStarted()]
        events += [SlotSet(name, value) for name, value in tracker.slots.items() if value is not None]
        with session() as db:
            if service.open_escalation(db, tracker.sender_id) is not None:
                events.append(ConversationPaused())
        events.append(ActionExecuted("action_listen"))
        return events


class ActionHandBack(BotAction):
    """Staff closed the escalation: the assistant is back, and asks how it went."""

    def name(self) -> str:
        return "action_hand_back"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> List[Dict[str, Any]]:
        dispatcher.utter_message(response="utter_handed_back")
        dispatcher.utter_message(response="utter_ask_rating")
        return []
