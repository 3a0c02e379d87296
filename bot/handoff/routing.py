"""Which team takes an escalation and how urgent it is: the stakeholder map, applied to intent and trigger terms."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional

from bot.db.models import PRIORITIES
from bot.handoff.triggers import find_triggers

# reason → (team key in teams.yaml, priority)
REASONS = {
    "safety": ("quality_safety", "critical"),
    "complaint": ("customer_service", "high"),
    "data_protection": ("data_protection", "high"),
    "person": ("customer_service", "normal"),
    "business": ("b2b_sales", "normal"),
}
INTENTS = {"report_safety_issue": "safety", "complaint": "complaint", "data_protection_request": "data_protection",
           "request_human": "person", "business_inquiry": "business"}
TEAM_REASONS = {"quality_safety": "safety", "customer_service": "complaint", "data_protection": "data_protection",
                "b2b_sales": "business"}


@dataclass(frozen=True)
class Route:
    reason: str
    team_key: str
    priority: str


def route(intent: str, text: str, triggers_by_team: Dict[str, Dict[str, List[str]]]) -> Optional[Route]:
    """The most urgent reason the message gives to hand it to a person, from its intent or a team's trigger terms."""
    reasons = [INTENTS[intent]] if intent in INTENTS else []
    reasons += [TEAM_REASONS[m.team_key] for m in find_triggers(text, triggers_by_team) if m.team_key in TEAM_REASONS]
    if not reasons:
        return None
    reason = min(reasons, key=lambda r: PRIORITIES.index(REASONS[r][1]))
    team_key, priority = REASONS[reason]
    return Route(reason, team_key, priority)


def escalation_intent(reason: str) -> str:
    return next(intent for intent, r in INTENTS.items() if r == reason)
