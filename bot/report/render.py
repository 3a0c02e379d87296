"""The weekly insights report as people read it: an HTML page, a Markdown summary and CSV exports.

This module only presents a WeeklyReport (bot/report/model.py); it computes nothing from the database.
Every user-facing word, in German and English, is in templates/texts.yaml; the page and the summary are the
Jinja2 templates templates/report.html.j2 and templates/report.md.j2.

HTML: one self-contained file (inline CSS, charts as inline SVG built here, no JavaScript, no fonts or scripts
from elsewhere). Customer text is escaped by Jinja's autoescape, and by markupsafe.escape inside the SVG.
German numbers have a decimal comma and a (non-breaking) space before "%": "12,5 %"; English ones "12.5%".

Markdown: a short summary for e-mail bodies and chat. Customer text is put on one line and the characters that
could start Markdown or HTML (\\ ` * _ [ ] < > | ~, and & where it would start an entity) are backslash-escaped,
so "<script>" arrives as "\\<script\\>".

CSV: separated by ";", with a decimal comma, UTF-8 with a byte-order mark and CRLF line ends. That is what German
Excel opens correctly on a double-click: it only recognises UTF-8 (umlauts) by the BOM, splits on ";" in a German
locale and reads "4,25" as a number. The files are the same whatever the report language; column names are English
snake_case like the model's fields. Read them back with
``csv.reader(open(path, encoding="utf-8-sig", newline=""), delimiter=";")`` or
``pandas.read_csv(path, sep=";", decimal=",")``. Empty cells mean "no value" (None). Customer text that starts
with = + - @ (or a tab) gets a leading apostrophe, so that Excel shows it as text instead of running it as a
formula. The up to three examples of a topic share one cell, one per line.
"""
from __future__ import annotations

import csv
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from bot.db.models import PRIORITIES
from bot.report.model import WEEK, EscalationLine, Topic, WeeklyReport

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = ("de", "en")
KINDS = ("feature_request", "bug_report", "praise", "criticism", "unanswered")
FEEDBACK_KINDS = ("feature_request", "bug_report", "praise", "criticism")  # the "feedback messages" key figure
HTML_TOP = 10  # rows of a topic table in the HTML report; the CSV has them all
MARKDOWN_TOP = 5
HIGHLIGHTS_TOP = 5  # praise and criticism cards each
COMMENTS_TOP = 5
NEW_TOPICS_NAMED = 3  # new topics named in "what changed"; the rest are counted
LABEL_CHARS = 90  # customer text quoted in a sentence or the Markdown summary is cut after this many characters
NBSP = "\u00a0"
MINUS = "\u2212"

# Whether a rise is good (1), bad (-1) or neither (0): decides the colour of a change.
POLARITY = {"conversations": 0, "containment": 1, "escalations": -1, "rating": 1, "feedback": 0,
            "feature_request": 0, "bug_report": -1, "praise": 1, "criticism": -1, "unanswered": -1}
PRIORITY_COLOURS = {"critical": "#b42318", "high": "#e8842c", "normal": "#2f7f93"}
OTHER_COLOUR = "#8a94a3"
STAR_COLOURS = ("#b42318", "#e8842c", "#d9a21b", "#7cae4f", "#2e8b47")
INK, MUTED, GRID, ACCENT = "#1f2933", "#66717f", "#e3e7ec", "#0f4c5c"


@lru_cache(maxsize=1)
def load_texts() -> Dict[str, dict]:
    """All user-facing strings, by language."""
    with open(TEMPLATES / "texts.yaml", encoding="utf-8") as stream:
        return yaml.safe_load(stream)


# ---------------------------------------------------------------- numbers, dates and durations in one language


def _round(value: float, digits: int = 0) -> float:
    """Rounded half away from zero, as people round (Python's round() takes 2.5 to 2, and 0.125 to 0.12)."""
    exponent = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(value)).quantize(exponent, rounding=ROUND_HALF_UP)) + 0.0  # + 0.0: no -0.0


class _Format:
    """Numbers, dates and durations written the way one language writes them."""

    def __init__(self, language: str, html: bool) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported report language {language!r}, expected one of {LANGUAGES}")
        self.language = language
        self.t = load_texts()[language]
        self.html = html

    def team(self, line: EscalationLine) -> str:
        """The team's name in the report's language."""
        return line.team_en if self.language == "en" and line.team_en else line.team

    def _spaced(self, text: str) -> str:
        """A space of a number format ("12,5 %", "45 min") must not break a line in the page."""
        return text.replace(" ", NBSP) if self.html else text

    def number(self, value: float, digits: int = 0) -> str:
        rounded = _round(value, digits)
        text = f"{abs(rounded):,.{digits}f}"
        separators = self.t["number"]
        text = text.replace(",", "\0").replace(".", separators["decimal"]).replace("\0", separators["thousands"])
        return (MINUS + text) if rounded < 0 else text

    def integer(self, value: int) -> str:
        return self.number(value, 0)

    def decimal(self, value: float, digits: int = 1) -> str:
        return self.number(value, digits)

    def signed(self, value: float, digits: int = 0) -> str:
        rounded = _round(value, digits)
        if rounded > 0:
            return "+" + self.number(value, digits)
        if rounded < 0:
            return self.number(value, digits)
        return "±" + self.number(0, digits)

    def percent(self, ratio: float, digits: int = 1, signed: bool = False) -> str:
        value = (self.signed if signed else self.number)(ratio * 100, digits)
        return self._spaced(self.t["number"]["percent"].format(value=value))

    def count(self, value: int, unit: str) -> str:
        """'1 Gespräch', '12 Gespräche'."""
        singular, plural = self.t["units"][unit]
        return f"{self.integer(value)} {singular if value == 1 else plural}"

    def trimmed(self, value: float) -> str:
        """One decimal, without a trailing zero: '2,5', '3'."""
        return self.number(value, 0) if _round(value, 1) == _round(value) else self.number(value, 1)

    def duration(self, minutes: Optional[float]) -> str:
        """Minutes in a readable unit: '< 1 min', '45 min', '2,5 h', '3 Tage'."""
        if minutes is None:
            return "–"
        texts = self.t["duration"]
        if minutes < 1:
            return self._spaced(texts["under_minute"])
        whole = math.floor(minutes + 0.5)
        if whole < 60:
            return self._spaced(texts["minutes"].format(value=self.integer(whole)))
        hours = minutes / 60
        if _round(hours, 1) < 48:
            return self._spaced(texts["hours"].format(value=self.trimmed(hours)))
        days = self.trimmed(hours / 24)
        singular, plural = self.t["units"]["days"]
        return self._spaced(texts["days"].format(value=days, unit=singular if days == "1" else plural))

    def date_range(self, start, end) -> str:
        months = self.t["months"]
        if start.year != end.year:
            pattern = self.t["date_other_year"]
        elif start.month != end.month:
            pattern = self.t["date_same_year"]
        else:
            pattern = self.t["date_same_month"]
        return pattern.format(d1=start.day, d2=end.day, month=months[end.month - 1], month1=months[start.month - 1],
                              month2=months[end.month - 1], year=end.year, year1=start.year, year2=end.year)

    def week(self, week: str, pattern: str = "week_title") -> str:
        """'2026-W47' → 'KW 47/2026' (or the pattern given)."""
        year, number = _week_parts(week)
        return self.t[pattern].format(week=number, year=year)

    def quoted(self, text: str) -> str:
        opening, closing = self.t["quote"]
        return f"{opening}{text}{closing}"

    def kind(self, kind: str, plural: bool = False) -> str:
        forms = self.t["kinds"].get(kind)
        return (forms[1] if plural else forms[0]) if forms else kind

    def priority(self, priority: str) -> str:
        return self.t["priorities"].get(priority, priority)


def _week_parts(week: str) -> Tuple[int, int]:
    match = WEEK.fullmatch(week)
    if not match:
        raise ValueError(f"not an ISO week like 2026-W47: {week!r}")
    return int(match.group(1)), int(match.group(2))


def _cut(text: str, limit: int = LABEL_CHARS) -> str:
    """On one line, at most `limit` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~]|&(?=#?\w+;))")


def markdown_escape(text: str) -> str:
    """Customer text made inert in Markdown: on one line, with every character that could start markup escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


# ---------------------------------------------------------------- what is shown: changes, sentences, rows


@dataclass
class Change:
    """A change against the previous week, as shown: '▲ +12 (+12,5 %)', coloured by whether it is good news."""

    arrow: str  # ▲, ▼ or ""
    text: str
    tone: str  # good, bad, neutral (no judgement or no change), new, none (nothing to compare with)

    def __str__(self) -> str:
        return f"{self.arrow} {self.text}" if self.arrow else self.text


def _tone(direction: float, polarity: int) -> str:
    judged = direction * polarity
    return "good" if judged > 0 else "bad" if judged < 0 else "neutral"


def _change(f: _Format, current: Optional[float], previous: Optional[float], polarity: int, how: str = "count",
            compact: bool = False) -> Change:
    """how: count (with the relative change unless compact), rate (a ratio, in percentage points), rating."""
    if current is None or previous is None:
        return Change("", f.t["no_comparison"], "none")
    if how == "rate":
        delta = _round(_round(current * 100, 1) - _round(previous * 100, 1), 1)
        text = f._spaced(f"{f.signed(delta, 1)} {f.t['percentage_points']}")
    elif how == "rating":
        delta = _round(_round(current, 1) - _round(previous, 1), 1)
        text = f.signed(delta, 1)
    else:
        delta = current - previous
        text = f.signed(delta)
        if previous and not compact:
            text += f" ({f.percent(delta / previous, signed=True)})"
    if delta == 0:
        return Change("", "±0" if compact else f.t["unchanged"], "neutral")
    return Change("▲" if delta > 0 else "▼", text, _tone(delta, polarity))


def _topic_change(f: _Format, topic: Topic, polarity: int) -> Change:
    if topic.previous_count == 0:
        return Change("", f.t["new"], "new")
    return _change(f, topic.count, topic.previous_count, polarity, compact=True)


@dataclass
class Sentence:
    """One plain sentence of "what changed"."""

    text: str
    arrow: str  # ▲ ▼ ★ (new) or ● (level)
    tone: str


def average_rating(report: WeeklyReport) -> Optional[float]:
    """This week's average: the trend's, so that the key figure and the chart agree; from the 1–5 distribution
    where the trend lacks it."""
    average = next((w.average for w in report.satisfaction_trend if w.week == report.week), None)
    if average is not None:
        return average
    total = sum(report.ratings)
    return sum((i + 1) * n for i, n in enumerate(report.ratings)) / total if total else None


def previous_average_rating(report: WeeklyReport) -> Optional[float]:
    """The previous week's average, from the trend (the model has no field of its own for it)."""
    return next((w.average for w in report.satisfaction_trend if w.week == report.previous_week), None)


def previous_rating_count(report: WeeklyReport) -> Optional[int]:
    return next((w.count for w in report.satisfaction_trend if w.week == report.previous_week), None)


def _escalation_totals(report: WeeklyReport) -> Tuple[int, int]:
    return sum(e.count for e in report.escalations), sum(e.previous_count for e in report.escalations)


def _feedback_total(counts: dict) -> int:
    return sum(counts.get(kind, 0) for kind in FEEDBACK_KINDS)


def _all_topics(report: WeeklyReport) -> List[Topic]:
    return [*report.feature_requests, *report.bug_reports, *report.criticism, *report.praise, *report.unanswered]


def what_changed(report: WeeklyReport, f: _Format, esc: Callable[[str], str] = str) -> List[Sentence]:
    """Plain sentences about the biggest changes against the previous week. `esc` is applied to every text that
    comes from the data (topic labels, team and product names) before it is put into a sentence."""
    t = f.t["changes"]
    out: List[Sentence] = []

    def say(key: str, direction: float, polarity: int, **values) -> None:
        arrow = "▲" if direction > 0 else "▼" if direction < 0 else "●"
        out.append(Sentence(t[key].format(**values), arrow, _tone(direction, polarity)))

    current, previous = report.conversations, report.previous_conversations
    polarity = POLARITY["conversations"]
    if current == 0 and previous:
        say("conversations_none", -1, polarity, previous=f.integer(previous))
    elif current and not previous:
        say("conversations_from_zero", 1, polarity, conversations=f.count(current, "conversations"))
    elif current != previous:
        say("conversations_up" if current > previous else "conversations_down", current - previous, polarity,
            percent=f.percent(abs(current - previous) / previous), count=f.integer(current),
            previous=f.integer(previous))
    elif current:
        say("conversations_same", 0, polarity, count=f.integer(current))

    rate, previous_rate = report.containment, report.previous_containment
    if rate is not None and previous_rate is not None:
        points = _round(_round(rate * 100, 1) - _round(previous_rate * 100, 1), 1)
        key = "containment_up" if points > 0 else "containment_down" if points < 0 else "containment_same"
        say(key, points, POLARITY["containment"], rate=f.percent(rate), previous=f.percent(previous_rate),
            points=f.decimal(abs(points), 1))

    total, previous_total = _escalation_totals(report)
    polarity = POLARITY["escalations"]
    if total != previous_total:
        say("escalations_up" if total > previous_total else "escalations_down", total - previous_total, polarity,
            escalations=f.count(total, "escalations"), delta=f.integer(abs(total - previous_total)))
    elif total:
        say("escalations_same", 0, polarity, count=f.integer(total))
    by_team: Dict[str, List[int]] = {}
    for line in report.escalations:
        counts = by_team.setdefault(f.team(line), [0, 0])
        counts[0] += line.count
        counts[1] += line.previous_count
    active = {team: c for team, c in by_team.items() if c[0] or c[1]}
    if len(active) > 1:  # with one team the total has said it all
        deltas = sorted(active.items(), key=lambda item: (item[1][0] - item[1][1], item[1][0]))
        rise, fall = deltas[-1], deltas[0]
        if rise[1][0] > rise[1][1]:
            say("team_up", 1, polarity, team=esc(rise[0]), count=f.integer(rise[1][0]),
                previous=f.integer(rise[1][1]))
        if fall[1][0] < fall[1][1]:
            say("team_down", -1, polarity, team=esc(fall[0]), count=f.integer(fall[1][0]),
                previous=f.integer(fall[1][1]))

    average, previous_average = average_rating(report), previous_average_rating(report)
    if average is not None:
        ratings = f.count(sum(report.ratings), "ratings")
        if previous_average is None:
            say("rating_first", 0, 0, average=f.decimal(average), ratings=ratings)
        else:
            delta = _round(_round(average, 1) - _round(previous_average, 1), 1)
            key = "rating_up" if delta > 0 else "rating_down" if delta < 0 else "rating_same"
            say(key, delta, POLARITY["rating"], average=f.decimal(average), previous=f.decimal(previous_average),
                ratings=ratings)

    kinds = [(kind, report.feedback_counts.get(kind, 0), report.previous_feedback_counts.get(kind, 0))
             for kind in KINDS]
    kind_rises = [k for k in kinds if k[1] > k[2]]
    kind_falls = [k for k in kinds if k[1] < k[2]]
    for key, candidates, pick in (("kind_up", kind_rises, max), ("kind_down", kind_falls, min)):
        if candidates:
            kind, count, previous = pick(candidates, key=lambda k: k[1] - k[2])
            name = f.kind(kind, plural=True)
            say(key, count - previous, POLARITY[kind], kind=name[:1].upper() + name[1:], count=f.integer(count),
                previous=f.integer(previous))

    def topic_values(topic: Topic) -> dict:
        product = t["product"].format(product=esc(topic.product)) if topic.product else ""
        return dict(kind=f.kind(topic.kind), label=f.quoted(esc(_cut(topic.label))), product=product,
                    messages=f.count(topic.count, "messages"), previous=f.integer(topic.previous_count))

    topics = _all_topics(report)
    known = [topic for topic in topics if topic.previous_count > 0]
    rises = [topic for topic in known if topic.count > topic.previous_count]
    falls = [topic for topic in known if topic.count < topic.previous_count]
    if rises:
        topic = max(rises, key=lambda x: (x.count - x.previous_count, x.count))
        say("topic_rise", 1, POLARITY.get(topic.kind, 0), **topic_values(topic))
    if falls:
        topic = min(falls, key=lambda x: (x.count - x.previous_count, -x.count))
        say("topic_fall", -1, POLARITY.get(topic.kind, 0), **topic_values(topic))
    new = sorted((topic for topic in topics if topic.previous_count == 0), key=lambda x: -x.count)
    for topic in new[:NEW_TOPICS_NAMED]:
        out.append(Sentence(t["topic_new"].format(**topic_values(topic)), "★", "new"))
    if len(new) > NEW_TOPICS_NAMED:
        more = len(new) - NEW_TOPICS_NAMED
        out.append(Sentence(t["topic_new_more"][0 if more == 1 else 1].format(count=f.integer(more)), "★", "new"))
    return out


@dataclass
class Tile:
    key: str
    label: str
    value: str
    change: Change
    note: str = ""


def _tiles(report: WeeklyReport, f: _Format) -> List[Tile]:
    t = f.t["tiles"]
    total, previous_total = _escalation_totals(report)
    critical = sum(e.count for e in report.escalations if e.priority == "critical")
    average, previous_average = average_rating(report), previous_average_rating(report)
    feedback = _feedback_total(report.feedback_counts)
    counts = report.feedback_counts
    unanswered = counts.get("unanswered", 0)
    rate = report.containment
    return [
        Tile("conversations", t["conversations"], f.integer(report.conversations),
             _change(f, report.conversations, report.previous_conversations, POLARITY["conversations"])),
        Tile("containment", t["containment"], f.percent(rate) if rate is not None else "–",
             _change(f, rate, report.previous_containment, POLARITY["containment"], how="rate"),
             t["containment_note"].format(contained=f.integer(report.contained),
                                          conversations=f.integer(report.conversations)) if rate is not None else ""),
        Tile("escalations", t["escalations"], f.integer(total),
             _change(f, total, previous_total, POLARITY["escalations"]),
             t["escalations_note"].format(critical=f.integer(critical)) if critical else ""),
        Tile("rating", t["rating"], f.decimal(average) if average is not None else "–",
             _change(f, average, previous_average, POLARITY["rating"], how="rating"),
             t["rating_note"].format(ratings=f.count(sum(report.ratings), "ratings"))),
        Tile("feedback", t["feedback"], f.integer(feedback),
             _change(f, feedback, _feedback_total(report.previous_feedback_counts), POLARITY["feedback"]),
             t["feedback_note"].format(requests=f.integer(counts.get("feature_request", 0)),
                                       bugs=f.integer(counts.get("bug_report", 0)),
                                       praise=f.integer(counts.get("praise", 0)),
                                       criticism=f.integer(counts.get("criticism", 0)))),
        Tile("unanswered", t["unanswered"], f.integer(unanswered),
             _change(f, unanswered, report.previous_feedback_counts.get("unanswered", 0), POLARITY["unanswered"]),
             t["unanswered_note"]),
    ]


@dataclass
class TopicRow:
    label: str
    product: str
    sku: str
    count: str
    messages: str  # "5 Meldungen"
    change: Change
    examples: List[str]
    languages: List[str]


@dataclass
class TopicTable:
    rows: List[TopicRow]
    total: int  # topics in the report's list
    more: str = ""  # "7 more topics are in the CSV export"
    by_product: List[Tuple[str, str]] = field(default_factory=list)


def _topic_table(topics: Sequence[Topic], f: _Format, top: int) -> TopicTable:
    rows = [TopicRow(label=topic.label, product=topic.product or "", sku=topic.sku or "",
                     count=f.integer(topic.count), messages=f.count(topic.count, "messages"),
                     change=_topic_change(f, topic, POLARITY.get(topic.kind, 0)),
                     examples=list(topic.examples[:3]), languages=[code.upper() for code in topic.languages])
            for topic in topics[:top]]
    more = len(topics) - top
    products: Dict[str, int] = {}
    for topic in topics:
        products[topic.product or ""] = products.get(topic.product or "", 0) + topic.count
    by_product = [(name or f.t["no_product"], f.integer(n))  # most mentioned first, "no product" last
                  for name, n in sorted(products.items(), key=lambda item: (item[0] == "", -item[1], item[0]))]
    more_text = f.t["more_topics"][0 if more == 1 else 1].format(count=f.integer(more)) if more > 0 else ""
    return TopicTable(rows, len(topics), more_text, by_product if any(products) else [])


@dataclass
class EscalationRow:
    team: str
    first_of_team: bool
    team_rows: int
    priority: str
    priority_label: str
    count: str
    change: Change
    answered: str
    median: str
    p90: str


def _escalation_rows(report: WeeklyReport, f: _Format) -> List[EscalationRow]:
    lines = report.escalations
    rows = []
    for i, line in enumerate(lines):
        first = i == 0 or lines[i - 1].team != line.team
        team_rows = 0
        if first:
            while i + team_rows < len(lines) and lines[i + team_rows].team == line.team:
                team_rows += 1
        rows.append(EscalationRow(
            team=f.team(line), first_of_team=first, team_rows=team_rows, priority=line.priority,
            priority_label=f.priority(line.priority), count=f.integer(line.count),
            change=_change(f, line.count, line.previous_count, POLARITY["escalations"], compact=True),
            answered=f.t["answered_of"].format(answered=f.integer(line.answered), count=f.integer(line.count)),
            median=f.duration(line.median_first_reply_minutes), p90=f.duration(line.p90_first_reply_minutes)))
    return rows


# ---------------------------------------------------------------- charts: inline SVG


def _svg_open(css_class: str, width: float, height: float, title: str) -> List[str]:
    return [f'<svg class="chart {css_class}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'width="100%" role="img" aria-label="{escape(title)}">', f"<title>{escape(title)}</title>"]


def _text(x: float, y: float, text: str, anchor: str = "start", size: float = 12, fill: str = INK,
          weight: str = "normal", css_class: str = "") -> str:
    extra = f' class="{css_class}"' if css_class else ""
    bold = f' font-weight="{weight}"' if weight != "normal" else ""
    return (f'<text{extra} x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{bold}>'
            f"{escape(text)}</text>")


def escalation_chart(report: WeeklyReport, f: _Format) -> Optional[Markup]:
    """One horizontal bar per team, split by priority, with a tick at the previous week's total."""
    teams: Dict[str, Dict[str, List[int]]] = {}
    for line in report.escalations:
        counts = teams.setdefault(f.team(line), {})
        pair = counts.setdefault(line.priority, [0, 0])
        pair[0] += line.count
        pair[1] += line.previous_count
    teams = {team: c for team, c in teams.items() if sum(p[0] for p in c.values()) > 0}
    if not teams:
        return None
    totals = {team: (sum(p[0] for p in c.values()), sum(p[1] for p in c.values())) for team, c in teams.items()}
    biggest = max(max(now, before) for now, before in totals.values())
    # drawn at about the size it is shown (a card is about 1000 px wide), so its text matches the page's
    width, label_width, right, row, bar, top = 1000, 210, 56, 36, 22, 44
    height = top + row * len(teams) + 4
    scale = (width - label_width - right) / biggest
    title = f.t["charts"]["escalations"]
    parts = _svg_open("chart-escalations", width, height, title)
    priorities = list(PRIORITIES) + sorted({p for c in teams.values() for p in c} - set(PRIORITIES))
    x = label_width
    slot = 18 + 7 * max(len(f.priority(p)) for p in priorities) + 22  # the same room for each legend entry
    for priority in priorities:
        parts.append(f'<rect x="{x}" y="10" width="12" height="12" rx="2" '
                     f'fill="{PRIORITY_COLOURS.get(priority, OTHER_COLOUR)}"/>')
        parts.append(_text(x + 18, 20.5, f.priority(priority), size=13, fill=MUTED))
        x += slot
    parts.append(f'<line x1="{x + 6:.1f}" y1="8" x2="{x + 6:.1f}" y2="24" stroke="{INK}" stroke-width="2"/>')
    parts.append(_text(x + 14, 20.5, f.t["charts"]["previous_week"], size=13, fill=MUTED))
    for i, (team, counts) in enumerate(teams.items()):
        y = top + i * row
        parts.append(_text(label_width - 14, y + bar / 2 + 5, team, anchor="end", size=14, weight="bold"))
        parts.append(f'<rect x="{label_width}" y="{y}" width="{width - label_width - right}" height="{bar}" '
                     f'fill="#f3f5f7"/>')
        x = label_width
        for priority in priorities:
            now = counts.get(priority, [0, 0])[0]
            if not now:
                continue
            w = now * scale
            tooltip = f"{team} · {f.priority(priority)}: {f.integer(now)}"
            parts.append(f'<rect class="bar bar-{escape(priority)}" x="{x:.1f}" y="{y}" width="{w:.1f}" '
                         f'height="{bar}" fill="{PRIORITY_COLOURS.get(priority, OTHER_COLOUR)}">'
                         f"<title>{escape(tooltip)}</title></rect>")
            x += w
        now, before = totals[team]
        if before:
            tick = label_width + before * scale
            parts.append(f'<line class="previous" x1="{tick:.1f}" y1="{y - 4}" x2="{tick:.1f}" y2="{y + bar + 4}" '
                         f'stroke="{INK}" stroke-width="2"/>')
        parts.append(_text(max(x, label_width + (before or 0) * scale) + 8, y + bar / 2 + 5, f.integer(now),
                           weight="bold", size=14))
    parts.append("</svg>")
    return Markup("".join(parts))


def trend_chart(report: WeeklyReport, f: _Format) -> Optional[Markup]:
    """The weekly average rating as a line on a 1–5 scale, broken where a week had no ratings."""
    weeks = report.satisfaction_trend
    if not any(w.average is not None for w in weeks):
        return None
    charts = f.t["charts"]
    width, height, left, right, top, bottom = 480, 260, 40, 12, 26, 46
    plot_width, plot_height = width - left - right, height - top - bottom
    step = plot_width / len(weeks)

    def x(i: int) -> float:
        return left + (i + 0.5) * step

    def y(value: float) -> float:
        return top + (5 - value) / 4 * plot_height

    parts = _svg_open("chart-trend", width, height, charts["trend"])
    for value in range(1, 6):
        parts.append(f'<line x1="{left}" y1="{y(value):.1f}" x2="{width - right}" y2="{y(value):.1f}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(_text(left - 10, y(value) + 4, f"{value} ★", anchor="end", size=11, fill=MUTED))
    segments: List[List[Tuple[float, float]]] = [[]]
    for i, week in enumerate(weeks):
        if week.average is None:
            segments.append([])
        else:
            segments[-1].append((x(i), y(week.average)))
    for segment in segments:
        if len(segment) > 1:
            d = " ".join(f"{'M' if j == 0 else 'L'}{px:.1f},{py:.1f}" for j, (px, py) in enumerate(segment))
            parts.append(f'<path class="trend-line" d="{d}" fill="none" stroke="{ACCENT}" stroke-width="2.5" '
                         f'stroke-linejoin="round" stroke-linecap="round"/>')
    last = len(weeks) - 1
    for i, week in enumerate(weeks):
        label = f.week(week.week, "week_short")
        current = i == last
        parts.append(_text(x(i), height - bottom + 20, label, anchor="middle", size=11,
                           fill=INK if current else MUTED, weight="bold" if current else "normal"))
        parts.append(_text(x(i), height - bottom + 35, charts["count_short"].format(count=f.integer(week.count)),
                           anchor="middle", size=10, fill=MUTED))
        if week.average is None:  # a gap in the line; "n = 0" below says why
            continue
        tooltip = charts["trend_point"].format(week=label, average=f.decimal(week.average),
                                               ratings=f.count(week.count, "ratings"))
        px, py = x(i), y(week.average)
        parts.append(f'<circle class="point{" current" if current else ""}" cx="{px:.1f}" cy="{py:.1f}" '
                     f'r="{6 if current else 4.5}" fill="{"#e8842c" if current else "#ffffff"}" stroke="{ACCENT}" '
                     f'stroke-width="2.5"><title>{escape(tooltip)}</title></circle>')
        parts.append(_text(px, py - 12, f.decimal(week.average), anchor="middle", size=12,
                           weight="bold" if current else "normal"))
    parts.append("</svg>")
    return Markup("".join(parts))


def distribution_chart(report: WeeklyReport, f: _Format) -> Optional[Markup]:
    """This week's ratings 1–5 as five columns."""
    ratings = (list(report.ratings) + [0] * 5)[:5]
    total = sum(ratings)
    if not total:
        return None
    charts = f.t["charts"]
    width, height, left, right, top, bottom = 480, 260, 8, 8, 30, 32
    plot_width, plot_height = width - left - right, height - top - bottom
    slot = plot_width / 5
    column = slot * 0.55
    biggest = max(ratings)
    parts = _svg_open("chart-distribution", width, height, charts["distribution"])
    base = top + plot_height
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="{GRID}" stroke-width="1"/>')
    for i, n in enumerate(ratings):
        h = max(n / biggest * plot_height, 1.5)
        cx = left + (i + 0.5) * slot
        label = charts["ratings_of"].format(count=f.integer(n), percent=f.percent(n / total, digits=0))
        stars = charts["stars"].format(stars=i + 1)
        parts.append(f'<rect class="rating-bar" x="{cx - column / 2:.1f}" y="{base - h:.1f}" width="{column:.1f}" '
                     f'height="{h:.1f}" rx="3" fill="{STAR_COLOURS[i]}"><title>{escape(stars)}: {escape(label)}'
                     f"</title></rect>")
        parts.append(_text(cx, base - h - 8, label, anchor="middle", size=12))
        parts.append(_text(cx, base + 22, stars, anchor="middle", size=13, weight="bold"))
    parts.append("</svg>")
    return Markup("".join(parts))


# ---------------------------------------------------------------- rendering


@lru_cache(maxsize=2)
def _environment(html: bool) -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=html, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _header(report: WeeklyReport, f: _Format) -> dict:
    year, number = _week_parts(report.week)
    previous_year, previous_number = _week_parts(report.previous_week)
    return dict(
        lang=f.language, t=f.t,
        title=f.t["title"].format(week=number, year=year),
        date_range=f.date_range(report.start, report.end),
        compared_with=f.t["compared_with"].format(week=previous_number, year=previous_year),
        empty_week=report.conversations == 0,
    )


def render_html(report: WeeklyReport, language: str = "de") -> str:
    """The whole report as one self-contained HTML page."""
    f = _Format(language, html=True)
    return _environment(True).get_template("report.html.j2").render(
        **_header(report, f),
        tiles=_tiles(report, f),
        changes=what_changed(report, f),
        escalations=_escalation_rows(report, f),
        escalation_total=dict(count=f.integer(_escalation_totals(report)[0]),
                              change=_change(f, *_escalation_totals(report), POLARITY["escalations"], compact=True),
                              answered=f.t["answered_of"].format(
                                  answered=f.integer(sum(e.answered for e in report.escalations)),
                                  count=f.integer(_escalation_totals(report)[0]))),
        escalation_chart=escalation_chart(report, f),
        trend_chart=trend_chart(report, f),
        distribution_chart=distribution_chart(report, f),
        rating_comments=report.rating_comments[:COMMENTS_TOP],
        feature_requests=_topic_table(report.feature_requests, f, HTML_TOP),
        bug_reports=_topic_table(report.bug_reports, f, HTML_TOP),
        praise=_topic_table(report.praise, f, HIGHLIGHTS_TOP),
        criticism=_topic_table(report.criticism, f, HIGHLIGHTS_TOP),
        unanswered=_topic_table(report.unanswered, f, HTML_TOP),
    )


def render_markdown(report: WeeklyReport, language: str = "de") -> str:
    """A short summary for e-mail bodies and chat: key figures, what changed, the top 5 of three lists."""
    f = _Format(language, html=False)

    def top(topics: Sequence[Topic]) -> List[dict]:
        return [dict(label=f.quoted(markdown_escape(_cut(topic.label))),
                     product=markdown_escape(topic.product) if topic.product else "",
                     messages=f.count(topic.count, "messages"),
                     change=_topic_change(f, topic, POLARITY.get(topic.kind, 0)))
                for topic in topics[:MARKDOWN_TOP]]

    return _environment(False).get_template("report.md.j2").render(
        **_header(report, f),
        top_count=MARKDOWN_TOP,
        tiles=_tiles(report, f),
        changes=what_changed(report, f, esc=markdown_escape),
        feature_requests=top(report.feature_requests),
        bug_reports=top(report.bug_reports),
        unanswered=top(report.unanswered),
    )


# ---------------------------------------------------------------- CSV


def _csv_text(text: Optional[str]) -> str:
    """Text Excel will not take for a formula."""
    if not text:
        return ""
    return "'" + text if text[0] in "=+-@\t\r" else text


def _csv_number(value: Optional[float], digits: Optional[int] = None) -> str:
    """Decimal comma, no thousands separator; None as an empty cell."""
    if value is None:
        return ""
    if digits is None:
        return str(value)
    rounded = _round(value, digits)
    return f"{rounded:.{digits}f}".replace(".", ",")


def _difference(value: Optional[float], previous: Optional[float], digits: Optional[int] = None) -> str:
    if value is None or previous is None:
        return ""
    if digits is None:
        return _csv_number(value - previous)
    return _csv_number(_round(_round(value, digits) - _round(previous, digits), digits), digits)  # as the cells show


def _summary_rows(report: WeeklyReport) -> List[List[str]]:
    rows = [["week", report.week, report.previous_week, ""],
            ["start", report.start.isoformat(), "", ""],
            ["end", report.end.isoformat(), "", ""]]

    def metric(name: str, value, previous, digits: Optional[int] = None) -> None:
        rows.append([name, _csv_number(value, digits), _csv_number(previous, digits),
                     _difference(value, previous, digits)])

    rate, previous_rate = report.containment, report.previous_containment
    total, previous_total = _escalation_totals(report)
    metric("conversations", report.conversations, report.previous_conversations)
    metric("contained", report.contained, report.previous_contained)
    metric("containment_rate_percent", None if rate is None else rate * 100,
           None if previous_rate is None else previous_rate * 100, 2)
    metric("escalations", total, previous_total)
    for priority in PRIORITIES:
        metric(f"escalations_{priority}", sum(e.count for e in report.escalations if e.priority == priority),
               sum(e.previous_count for e in report.escalations if e.priority == priority))
    metric("escalations_answered", sum(e.answered for e in report.escalations), None)
    metric("ratings", sum(report.ratings), previous_rating_count(report))
    metric("average_rating", average_rating(report), previous_average_rating(report), 2)
    for stars, n in enumerate((list(report.ratings) + [0] * 5)[:5], start=1):
        metric(f"ratings_{stars}", n, None)
    metric("feedback_messages", _feedback_total(report.feedback_counts),
           _feedback_total(report.previous_feedback_counts))
    kinds = list(KINDS) + sorted(set(report.feedback_counts) | set(report.previous_feedback_counts) - set(KINDS))
    for kind in kinds:
        metric(f"feedback_{kind}", report.feedback_counts.get(kind, 0), report.previous_feedback_counts.get(kind, 0))
    return rows


def write_csv(report: WeeklyReport, directory: Path) -> List[Path]:
    """escalations.csv, topics.csv, satisfaction.csv and summary.csv in `directory` (see the module's docstring)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    topics = [(kind, topic) for kind, topics in (("feature_request", report.feature_requests),
                                                ("bug_report", report.bug_reports), ("praise", report.praise),
                                                ("criticism", report.criticism), ("unanswered", report.unanswered))
              for topic in topics]
    tables = {
        "escalations.csv": (
            ["team", "priority", "count", "previous_count", "answered", "median_first_reply_minutes",
             "p90_first_reply_minutes"],
            [[_csv_text(e.team), e.priority, _csv_number(e.count), _csv_number(e.previous_count),
              _csv_number(e.answered), _csv_number(e.median_first_reply_minutes, 1),
              _csv_number(e.p90_first_reply_minutes, 1)] for e in report.escalations]),
        "topics.csv": (
            ["kind", "label", "product", "sku", "count", "previous_count", "examples", "languages"],
            [[topic.kind or kind, _csv_text(topic.label), _csv_text(topic.product), _csv_text(topic.sku),
              _csv_number(topic.count), _csv_number(topic.previous_count),
              "\n".join(_csv_text(" ".join(example.split())) for example in topic.examples),
              ",".join(topic.languages)] for kind, topic in topics]),
        "satisfaction.csv": (
            ["week", "count", "average"],
            [[w.week, _csv_number(w.count), _csv_number(w.average, 2)] for w in report.satisfaction_trend]),
        "summary.csv": (["metric", "value", "previous_value", "change"], _summary_rows(report)),
    }
    paths = []
    for name, (header, rows) in tables.items():
        path = directory / name
        with open(path, "w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
            writer.writerow(header)
            writer.writerows(rows)
        paths.append(path)
    return paths


def write_report(report: WeeklyReport, directory: Path, language: str = "de") -> List[Path]:
    """The HTML report, the Markdown summary and the CSVs in directory/<week>/, e.g. directory/2026-W47/."""
    _Format(language, html=True)  # refuses an unknown language before anything is written
    _week_parts(report.week)  # and a week that is no safe folder name
    folder = Path(directory) / report.week
    folder.mkdir(parents=True, exist_ok=True)
    html = folder / f"report-{report.week}.{language}.html"
    html.write_text(render_html(report, language), encoding="utf-8")
    summary = folder / f"summary-{report.week}.{language}.md"
    summary.write_text(render_markdown(report, language), encoding="utf-8")
    return [html, summary, *write_csv(report, folder)]
