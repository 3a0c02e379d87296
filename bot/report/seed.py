"""A generated week of conversations for the report's tests, its benchmark and demos: `python -m bot seed-week`.

Conversations go into Rasa's events table (as Rasa writes them), escalations and feedback into ours; feedback is
stored through the same code as the assistant's, so it is redacted the same way. The generator returns what it made
(its ground truth), so a test can check the report's figures against counts it did not compute from the report.
"""
from __future__ import annotations

import json
import random
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Dict, List, Optional, Tuple

import sqlalchemy as sa

from bot.db import engine_for, open_session
from bot.db.models import Escalation
from bot.feedback.store import record_feedback
from bot.report.data import parse_week

CHANNELS = ("rest", "telegram", "facebook", "twilio", "socketio")
ESCALATIONS = [  # team, priority, reason, share of conversations
    ("Qualität & Sicherheit", "critical", "safety", 0.01),
    ("Kundenservice", "high", "complaint", 0.03),
    ("Kundenservice", "normal", "person", 0.04),
    ("Datenschutz", "high", "data_protection", 0.01),
    ("Vertrieb B2B", "normal", "business", 0.02),
]
# Feedback topics: (kind, topic, SKU or None, German phrasings, English phrasings). Some carry personal data, which
# must be gone when it is stored.
TOPICS = [
    ("feature_request", "dark_mode", None,
     ["Bitte baut einen Dunkelmodus in die App ein", "Die App braucht dringend einen Nachtmodus",
      "Wäre super, wenn die App ein dunkles Design hätte – Gruß, Jana Weber"],
     ["Please add a dark mode to the app", "The app really needs a dark mode"]),
    ("feature_request", "green_c2", "LR-C2",
     ["Das Lastenrad C2 hätte ich gern in Grün", "Bitte das C2 auch in grüner Farbe anbieten"],
     ["I wish the C2 came in green", "Please offer the cargo bike C2 in green"]),
    ("feature_request", "child_seat", "LR-E7",
     ["Ein passender Kindersitz fürs Stadtrad E7 wäre toll", "Bitte einen Kindersitz für das E7 anbieten"],
     ["Please sell a child seat that fits the E7", "A child seat for the city bike E7 would be great"]),
    ("bug_report", "app_bluetooth", None,
     ["Die App findet mein Rad nicht per Bluetooth", "Bluetooth-Kopplung mit der App klappt nicht, ruft mich an: "
      "0171 2345678"],
     ["The app won't pair with my bike over Bluetooth", "Bluetooth pairing fails in the app"]),
    ("bug_report", "e7_squeak", "LR-E7",
     ["Mein E7 quietscht beim Treten", "Das Stadtrad E7 quietscht seit letzter Woche am Tretlager"],
     ["My E7 squeaks when I pedal", "The E7 has started squeaking at the bottom bracket"]),
    ("praise", "delivery_fast", None,
     ["Die Lieferung war super schnell, danke!", "Wahnsinn, wie schnell das Rad geliefert wurde"],
     ["Delivery was amazingly fast", "Super quick delivery, thank you!"]),
    ("criticism", "prices_high", None,
     ["Eure Preise sind ganz schön hoch geworden", "Die Räder sind mir inzwischen zu teuer"],
     ["Your prices have gone up a lot", "The bikes have become too expensive for me"]),
]
UNANSWERED = [
    ("de", "Kann ich mein Rad im Winter bei euch einlagern?"), ("de", "Habt ihr auch Rennräder ohne Motor?"),
    ("en", "Can I store my bike with you over winter?"), ("en", "Do you sell road bikes without a motor?"),
]
SHARES = {"feedback": 0.15, "unanswered": 0.05, "bot_rating": 0.10, "handoff_rating": 0.6}


@dataclass
class SeededWeek:
    """What the generator made: the ground truth a report of this week must show."""

    week: str
    conversations: int = 0
    contained: int = 0
    escalations: Counter = field(default_factory=Counter)  # (team, priority) → count
    first_reply_minutes: Dict[Tuple[str, str], List[float]] = field(default_factory=dict)
    feedback: Counter = field(default_factory=Counter)  # kind → count
    topics: Counter = field(default_factory=Counter)  # (kind, topic) → count
    topic_languages: Dict[Tuple[str, str], set] = field(default_factory=dict)  # (kind, topic) → {"de", "en"}
    ratings: Counter = field(default_factory=Counter)  # 1..5 → count

    def median_first_reply(self, team: str, priority: str) -> Optional[float]:
        waits = self.first_reply_minutes.get((team, priority))
        return statistics.median(waits) if waits else None


def _events_table(metadata: sa.MetaData) -> sa.Table:
    """Rasa's SQL tracker store table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent)."""
    return sa.Table("events", metadata,
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
                    sa.Column("type_name", sa.String(255), nullable=False),
                    sa.Column("timestamp", sa.Float),
                    sa.Column("intent_name", sa.String(255)),
                    sa.Column("action_name", sa.String(255)),
                    sa.Column("data", sa.Text))


def seed_week(database_url: str, tracker_store_url: str, week: str, conversations: int,
              pseudonym: Callable[[str], str], seed: int = 47,
              progress: Callable[[str], None] = lambda _: None) -> SeededWeek:
    """Generate `conversations` conversations within `week` (Berlin time); returns what was made.

    `pseudonym` turns a conversation id into the reference feedback is stored under, as the assistant does."""
    rng = random.Random(f"{seed}-{week}")
    monday, next_monday = parse_week(week)
    span = (next_monday - monday).total_seconds() - 3 * 3600  # every conversation ends inside the week
    truth = SeededWeek(week)
    events = _events_table(sa.MetaData())
    engine = engine_for(tracker_store_url)
    events.create(engine, checkfirst=True)
    rows: List[dict] = []
    with open_session(database_url) as session, session.begin():
        for number in range(conversations):
            if number and number % 2000 == 0:
                progress(f"  {number} of {conversations} conversations …")
            sender = f"seed-{week}-{seed}-{number}"
            channel = rng.choice(CHANNELS)
            language = "de" if rng.random() < 0.7 else "en"
            started = monday.astimezone(timezone.utc) + timedelta(seconds=rng.uniform(0, span))
            turns = rng.randint(1, 4)
            for turn in range(turns):
                at = (started + timedelta(seconds=40 * turn)).timestamp()
                user = {"event": "user", "timestamp": at, "text": f"Nachricht {turn + 1}", "input_channel": channel,
                        "parse_data": {"intent": {"name": "product_price", "confidence": 0.97}}}
                bot = {"event": "bot", "timestamp": at + 0.05, "text": "…"}
                rows += [dict(sender_id=sender, type_name="user", timestamp=at, intent_name="product_price",
                              action_name=None, data=json.dumps(user)),
                         dict(sender_id=sender, type_name="bot", timestamp=at + 0.05, intent_name=None,
                              action_name=None, data=json.dumps(bot))]
            truth.conversations += 1
            ref = pseudonym(sender)
            at = started + timedelta(seconds=40 * turns)
            escalation = _escalate(session, rng, truth, sender, channel, language, at)
            if rng.random() < SHARES["feedback"]:
                kind, topic, sku, german, english = rng.choice(TOPICS)
                text = rng.choice(german if language == "de" else english)
                _store(session, truth, at, kind=kind, text=text, language=language, channel=channel,
                       conversation_ref=ref, sku=sku)
                truth.topics[(kind, topic)] += 1
                truth.topic_languages.setdefault((kind, topic), set()).add(language)
            unanswered = rng.random() < SHARES["unanswered"]
            if unanswered:
                asked_in, text = rng.choice([q for q in UNANSWERED if q[0] == language])
                _store(session, truth, at, kind="unanswered", text=text, language=asked_in, channel=channel,
                       conversation_ref=ref)
            if escalation is None and not unanswered:
                truth.contained += 1
            rated = escalation is not None and escalation.closed_at and rng.random() < SHARES["handoff_rating"]
            if rated or (escalation is None and rng.random() < SHARES["bot_rating"]):
                rating = rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 2, 4, 5])[0]
                _store(session, truth, escalation.closed_at if rated else at, kind="rating", rating=rating,
                       text="", language=language, channel=channel, conversation_ref=ref,
                       escalation_id=escalation.id if rated else None)
                truth.ratings[rating] += 1
        progress(f"  writing {len(rows)} Rasa events …")
        with engine.begin() as connection:
            connection.execute(events.insert(), rows)
    return truth


def _escalate(session, rng: random.Random, truth: SeededWeek, sender: str, channel: str, language: str,
              at: datetime) -> Optional[Escalation]:
    draw = rng.random()
    for team, priority, reason, share in ESCALATIONS:
        if draw >= share:
            draw -= share
            continue
        escalation = Escalation(conversation_id=sender, channel=channel, team=team, priority=priority, reason=reason,
                                status="closed", language=language, context=[], created_at=at, reminders=0)
        truth.escalations[(team, priority)] += 1
        if rng.random() < 0.9:  # a few are still waiting for their first reply
            wait = rng.uniform(1, 120 if priority != "critical" else 15)
            escalation.claimed_at = at + timedelta(minutes=wait / 2)
            escalation.first_staff_reply_at = at + timedelta(minutes=wait)
            escalation.closed_at = at + timedelta(minutes=wait + 20)
            truth.first_reply_minutes.setdefault((team, priority), []).append(wait)
        else:
            escalation.status = "open"
        session.add(escalation)
        session.flush()
        return escalation
    return None


def _store(session, truth: SeededWeek, at: datetime, **values) -> None:
    feedback = record_feedback(session, **values)
    feedback.created_at = at
    truth.feedback[values["kind"]] += 1
