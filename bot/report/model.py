"""What the weekly insights report says, computed from the database and independent of how it is shown."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import List, Optional

WEEK = re.compile(r"(\d{4})-W(\d{2})")  # an ISO week as the report names it: 2026-W47 (use fullmatch)


@dataclass
class EscalationLine:
    """Escalations of one team and priority in the week."""

    team: str  # the team's name in teams.yaml
    priority: str  # critical, high, normal
    count: int
    previous_count: int  # the same team and priority in the week before
    answered: int  # how many got a first staff reply
    median_first_reply_minutes: Optional[float]  # created → first staff reply; None when none was answered
    p90_first_reply_minutes: Optional[float]
    team_en: Optional[str] = None  # the team's English name in teams.yaml, if it has one


@dataclass
class RatingWeek:
    """Satisfaction ratings (1–5) of one ISO week, for the trend."""

    week: str  # "2026-W47"
    count: int
    average: Optional[float]  # None when there were no ratings


@dataclass
class Topic:
    """Near-duplicate feedback grouped into one topic (the same wish in other words, in either language)."""

    kind: str  # feature_request, bug_report, praise, criticism, unanswered
    label: str  # a representative message of the group, already redacted
    count: int
    previous_count: int  # messages of the same topic in the week before
    product: Optional[str] = None  # product name when the feedback named one or was about one
    sku: Optional[str] = None
    examples: List[str] = field(default_factory=list)  # up to three other messages, redacted
    languages: List[str] = field(default_factory=list)  # e.g. ["de", "en"]


@dataclass
class WeeklyReport:
    week: str  # ISO week, "2026-W47"
    start: date  # Monday
    end: date  # Sunday
    previous_week: str
    conversations: int  # conversations with at least one customer message in the week
    previous_conversations: int
    contained: int  # of those, handled by the assistant alone: no escalation, no question left unanswered
    previous_contained: int
    escalations: List[EscalationLine]  # by team, then priority (critical, high, normal)
    ratings: List[int]  # count of ratings 1..5 this week, index 0 = rating 1
    satisfaction_trend: List[RatingWeek]  # the last 8 weeks, oldest first, this week last
    feedback_counts: dict  # kind → messages this week (feature_request, bug_report, praise, criticism, unanswered)
    previous_feedback_counts: dict  # kind → messages the week before
    feature_requests: List[Topic]  # most frequent first
    bug_reports: List[Topic]
    praise: List[Topic]
    criticism: List[Topic]
    unanswered: List[Topic]
    rating_comments: List[str] = field(default_factory=list)  # optional comments given with a rating, redacted

    @property
    def containment(self) -> Optional[float]:
        return self.contained / self.conversations if self.conversations else None

    @property
    def previous_containment(self) -> Optional[float]:
        return self.previous_contained / self.previous_conversations if self.previous_conversations else None
