"""The weekly report's figures, computed from our database and Rasa's tracker store for one ISO week (Europe/Berlin)."""
from __future__ import annotations

import statistics
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from bot.db import engine_for
from bot.db.models import PRIORITIES, Escalation, Feedback, Product, Team, aware
from bot.feedback.topics import Item, group
from bot.handoff.hours import BERLIN
from bot.report.model import WEEK, EscalationLine, RatingWeek, Topic, WeeklyReport

TOPIC_KINDS = ("feature_request", "bug_report", "praise", "criticism", "unanswered")
TREND_WEEKS = 8
TOP_TOPICS = 10


def parse_week(week: str) -> Tuple[datetime, datetime]:
    """'2026-W47' → its Monday 00:00 and the next Monday 00:00 in Berlin time."""
    match = WEEK.fullmatch(week)
    if not match:
        raise ValueError(f"a week is written like 2026-W47, not {week!r}")
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise ValueError(f"{week} does not exist (ISO years have 52 or 53 weeks)") from None
    start = datetime.combine(monday, datetime.min.time(), tzinfo=BERLIN)
    return start, datetime.combine(monday + timedelta(days=7), datetime.min.time(), tzinfo=BERLIN)


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def last_week(now: datetime) -> str:
    """The ISO week before the one `now` lies in (Berlin time): the week a Monday report is about."""
    return week_of(now.astimezone(BERLIN).date() - timedelta(days=7))


def _weeks_before(week: str, count: int) -> List[str]:
    start, _ = parse_week(week)
    return [week_of((start - timedelta(days=7 * n)).date()) for n in range(count, 0, -1)]


def active_conversations(tracker_store_url: str, start: datetime, end: datetime) -> Set[str]:
    """Conversations in which a customer wrote at least once between start and end (Rasa's events table)."""
    engine = engine_for(tracker_store_url)
    if not inspect(engine).has_table("events"):
        return set()
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT DISTINCT sender_id FROM events WHERE type_name = 'user' "
                                       "AND timestamp >= :start AND timestamp < :end"),
                                  {"start": start.timestamp(), "end": end.timestamp()})
        return {row[0] for row in rows}


def percentile(values: Sequence[float], share: float) -> Optional[float]:
    """The value `share` of the way up the sorted values (nearest rank); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _escalations(session: Session, start: datetime, end: datetime, previous_start: datetime) -> List[EscalationLine]:
    rows = session.execute(select(Escalation.team, Escalation.priority, Escalation.created_at,
                                  Escalation.first_staff_reply_at)
                           .where(Escalation.created_at >= previous_start, Escalation.created_at < end)).all()
    now: Dict[Tuple[str, str], List[Optional[float]]] = {}
    before: Counter = Counter()
    for team, priority, created, replied in rows:
        created = aware(created)
        if created < start:
            before[(team, priority)] += 1
            continue
        now.setdefault((team, priority), []).append(
            (aware(replied) - created).total_seconds() / 60 if replied else None)
    english = dict(session.execute(select(Team.name, Team.name_en)).all())
    lines = []
    for team, priority in sorted(set(now) | set(before), key=lambda k: (k[0], PRIORITIES.index(k[1]))):
        waits = [w for w in now.get((team, priority), []) if w is not None]
        lines.append(EscalationLine(team=team, priority=priority, count=len(now.get((team, priority), [])),
                                    previous_count=before[(team, priority)], answered=len(waits),
                                    median_first_reply_minutes=statistics.median(waits) if waits else None,
                                    p90_first_reply_minutes=percentile(waits, 0.9), team_en=english.get(team)))
    return lines


def _topics(items: Iterable[Feedback], start: datetime, products: Dict[str, str]) -> Dict[str, List[Topic]]:
    """This and last week's feedback grouped together, so that a topic's count can be compared across weeks."""
    items = list(items)
    by_id = {f.id: f for f in items}
    grouped: Dict[str, List[Topic]] = {kind: [] for kind in TOPIC_KINDS}
    for members in group([Item(f.id, f.kind, f.text, f.language, f.sku) for f in items if f.text]):
        this_week = [by_id[m.id] for m in members if aware(by_id[m.id].created_at) >= start]
        if not this_week:
            continue
        skus = Counter(f.sku for f in this_week if f.sku)
        sku = skus.most_common(1)[0][0] if skus else None
        label = this_week[0].text
        examples = list(dict.fromkeys(f.text for f in this_week if f.text != label))[:3]
        grouped[members[0].kind].append(Topic(
            kind=members[0].kind, label=label, count=len(this_week), previous_count=len(members) - len(this_week),
            product=products.get(sku) if sku else None, sku=sku, examples=examples,
            languages=sorted({f.language for f in this_week})))
    for topics in grouped.values():
        topics.sort(key=lambda t: (-t.count, -t.previous_count, t.label))
    return grouped


def build_report(session: Session, tracker_store_url: str, week: str, pseudonym: Callable[[str], str],
                 progress: Callable[[str], None] = lambda _: None) -> WeeklyReport:
    """The report of `week` ('2026-W47'), compared with the week before.

    `pseudonym` turns a conversation id into the reference feedback is stored under. A conversation counts as
    handled by the assistant alone when it was not escalated and left no question unanswered.
    """
    monday, next_monday = parse_week(week)
    # Queried in UTC: SQLite keeps timestamps as UTC wall-clock text, so the bounds must be UTC too.
    start, end = monday.astimezone(timezone.utc), next_monday.astimezone(timezone.utc)
    previous_start = (monday - timedelta(days=7)).astimezone(timezone.utc)
    conversations = active_conversations(tracker_store_url, start, end)
    previous_conversations = active_conversations(tracker_store_url, previous_start, start)

    def contained(active: Set[str], since: datetime, until: datetime) -> int:
        escalated = set(session.scalars(select(Escalation.conversation_id).where(
            Escalation.created_at >= since, Escalation.created_at < until)))
        unanswered = set(session.scalars(select(Feedback.conversation_ref).where(
            Feedback.kind == "unanswered", Feedback.created_at >= since, Feedback.created_at < until)))
        return sum(1 for c in active if c not in escalated and pseudonym(c) not in unanswered)

    trend_weeks = [*_weeks_before(week, TREND_WEEKS - 1), week]
    trend_start = parse_week(trend_weeks[0])[0].astimezone(timezone.utc)
    ratings = session.execute(select(Feedback.rating, Feedback.created_at, Feedback.text).where(
        Feedback.kind == "rating", Feedback.created_at >= trend_start, Feedback.created_at < end)).all()
    by_week: Dict[str, List[int]] = {w: [] for w in trend_weeks}
    comments = []
    for rating, created, comment in ratings:
        by_week[week_of(aware(created).astimezone(BERLIN).date())].append(rating)
        if comment and aware(created) >= start:
            comments.append(comment)

    recent = list(session.scalars(select(Feedback).where(
        Feedback.kind.in_(TOPIC_KINDS), Feedback.created_at >= previous_start, Feedback.created_at < end)))
    counts = Counter(f.kind for f in recent if aware(f.created_at) >= start)
    previous_counts = Counter(f.kind for f in recent if aware(f.created_at) < start)
    products = dict(session.execute(select(Product.sku, Product.name)).all())
    progress(f"Grouping {len(recent)} feedback messages of this and last week into topics …")
    topics = _topics(recent, start, products)
    this_week_ratings = by_week[week]
    return WeeklyReport(
        week=week, start=monday.date(), end=(next_monday - timedelta(days=1)).date(), previous_week=trend_weeks[-2],
        conversations=len(conversations), previous_conversations=len(previous_conversations),
        contained=contained(conversations, start, end),
        previous_contained=contained(previous_conversations, previous_start, start),
        escalations=_escalations(session, start, end, previous_start),
        ratings=[this_week_ratings.count(n) for n in range(1, 6)],
        satisfaction_trend=[RatingWeek(week=w, count=len(by_week[w]),
                                       average=statistics.fmean(by_week[w]) if by_week[w] else None)
                            for w in trend_weeks],
        feedback_counts={kind: counts[kind] for kind in TOPIC_KINDS},
        previous_feedback_counts={kind: previous_counts[kind] for kind in TOPIC_KINDS},
        feature_requests=topics["feature_request"][:TOP_TOPICS], bug_reports=topics["bug_report"][:TOP_TOPICS],
        praise=topics["praise"][:TOP_TOPICS], criticism=topics["criticism"][:TOP_TOPICS],
        unanswered=topics["unanswered"][:TOP_TOPICS], rating_comments=comments[:20])
