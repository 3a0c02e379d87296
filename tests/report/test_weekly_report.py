"""The weekly report of a generated week: its figures against the generator's own counts, on SQLite and PostgreSQL;
the files it writes; and the HTML rendered by Chromium into a picture that is not blank."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db import open_session
from bot.db.models import Feedback
from bot.report.data import build_report, last_week, parse_week
from bot.report.render import write_report
from bot.report.seed import TOPICS, seed_week

WEEK, PREVIOUS = "2026-W47", "2026-W46"


def pseudonym(conversation_id: str) -> str:
    return hashlib.sha256(conversation_id.encode()).hexdigest()[:16]


def _tracker_url(database_url: str, tmp_path: Path) -> str:
    """Where Rasa keeps conversations: the same PostgreSQL database, or a SQLite file of its own."""
    return database_url if database_url.startswith("postgresql") else f"sqlite:///{tmp_path / 'rasa.db'}"


@pytest.fixture
def seeded(company_db: str, tmp_path: Path):
    tracker = _tracker_url(company_db, tmp_path)
    before = seed_week(company_db, tracker, PREVIOUS, 300, pseudonym, seed=1)
    now = seed_week(company_db, tracker, WEEK, 600, pseudonym, seed=2)
    with open_session(company_db) as session:
        report = build_report(session, tracker, WEEK, pseudonym)
    return before, now, report, company_db


def test_the_figures_are_the_generated_ones(seeded) -> None:
    before, now, report, _ = seeded
    assert (report.week, str(report.start), str(report.end)) == (WEEK, "2026-11-16", "2026-11-22")
    assert (report.conversations, report.previous_conversations) == (now.conversations, before.conversations) == (600, 300)
    assert (report.contained, report.previous_contained) == (now.contained, before.contained)
    assert 0 < report.contained < report.conversations

    lines = {(line.team, line.priority): line for line in report.escalations}
    assert {key: line.count for key, line in lines.items() if line.count} == dict(now.escalations)
    assert {line.team: line.team_en for line in report.escalations} == {  # from teams.yaml, for the English report
        "Kundenservice": "Customer Service", "Vertrieb B2B": "B2B Sales", "Qualität & Sicherheit": "Quality & Safety",
        "Datenschutz": "Data Protection"}
    assert {key: line.previous_count for key, line in lines.items() if line.previous_count} == dict(before.escalations)
    for key, line in lines.items():
        assert line.answered == len(now.first_reply_minutes.get(key, []))
        expected = now.median_first_reply(*key)
        assert line.median_first_reply_minutes == (pytest.approx(expected, abs=0.01) if expected is not None else None)

    assert report.ratings == [now.ratings[n] for n in range(1, 6)]
    assert [w.week for w in report.satisfaction_trend][-2:] == [PREVIOUS, WEEK]
    assert report.satisfaction_trend[-1].count == sum(now.ratings.values())
    assert report.satisfaction_trend[-1].average == pytest.approx(
        sum(n * c for n, c in now.ratings.items()) / sum(now.ratings.values()))
    assert report.satisfaction_trend[-2].count == sum(before.ratings.values())
    assert report.satisfaction_trend[0].count == 0 and report.satisfaction_trend[0].average is None

    kinds = ("feature_request", "bug_report", "praise", "criticism", "unanswered")
    assert report.feedback_counts == {kind: now.feedback[kind] for kind in kinds}
    assert report.previous_feedback_counts == {kind: before.feedback[kind] for kind in kinds}


def test_topics_count_the_same_wish_in_other_words_and_languages(seeded) -> None:
    before, now, report, _ = seeded
    for kind, topics in (("feature_request", report.feature_requests), ("bug_report", report.bug_reports)):
        seeded_topics = {topic: count for (k, topic), count in now.topics.items() if k == kind}
        assert sorted(t.count for t in topics) == sorted(seeded_topics.values())
        for topic in topics:
            name = next(name for k, name, _, _, _ in TOPICS if k == kind and
                        now.topics[(k, name)] == topic.count and _belongs(topic.label, name))
            assert topic.previous_count == before.topics[(kind, name)]
            assert set(topic.languages) == now.topic_languages[(kind, name)]
    c2 = next(t for t in report.feature_requests if t.sku == "LR-C2")
    assert c2.product == "Lastenrad C2" and c2.examples


def _belongs(label: str, topic: str) -> bool:
    phrasings = next(de + en for _, name, _, de, en in TOPICS if name == topic)
    return any(label.split(" ")[:3] == p.split(" ")[:3] for p in phrasings)


def test_personal_data_in_the_generated_feedback_was_redacted(seeded) -> None:
    *_, database_url = seeded
    with open_session(database_url) as session:
        texts = set(session.scalars(select(Feedback.text)))
    assert not any("Jana Weber" in t or "0171" in t for t in texts)
    assert "Wäre super, wenn die App ein dunkles Design hätte – Gruß, [Name]" in texts
    assert "Bluetooth-Kopplung mit der App klappt nicht, ruft mich an: [Telefon]" in texts


def test_the_report_files_are_written_in_both_languages(seeded, tmp_path: Path) -> None:
    *_, report, _ = seeded
    german = write_report(report, tmp_path, "de")
    english = write_report(report, tmp_path, "en")
    names = {p.name for p in german + english}
    assert {"report-2026-W47.de.html", "report-2026-W47.en.html", "summary-2026-W47.de.md",
            "summary-2026-W47.en.md", "escalations.csv", "topics.csv"} <= names
    html = (tmp_path / WEEK / "report-2026-W47.de.html").read_text(encoding="utf-8")
    assert "KW 47" in html and "Lindner Radwerk" in html
    assert "Lastenrad C2" in html


def test_weeks_are_iso_weeks_in_berlin_time() -> None:
    from datetime import datetime, timezone

    start, end = parse_week("2026-W47")
    assert start.isoformat() == "2026-11-16T00:00:00+01:00" and end.isoformat() == "2026-11-23T00:00:00+01:00"
    # Monday 23 November, 06:30 in Berlin: the report due is the one of the week that just ended.
    assert last_week(datetime(2026, 11, 23, 5, 30, tzinfo=timezone.utc)) == "2026-W47"
    for wrong in ("2026-47", "2026-W54", "W47"):
        with pytest.raises(ValueError, match="week"):
            parse_week(wrong)


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"), reason="needs Debian's chromium")
def test_chromium_renders_the_report_into_a_picture_that_is_not_blank(seeded, tmp_path: Path) -> None:
    from io import BytesIO

    from PIL import Image
    from playwright.sync_api import sync_playwright

    *_, report, _ = seeded
    html = next(p for p in write_report(report, tmp_path, "de") if p.suffix == ".html")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(html.as_uri())
        png = page.screenshot(full_page=True)
        browser.close()
    (tmp_path / "report.png").write_bytes(png)
    image = Image.open(BytesIO(png)).convert("RGB")
    assert image.height > 1500  # the whole report, not an empty page
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50  # text, tiles and charts, not one flat colour
    most_common_share = max(count for count, _ in colours) / (image.width * image.height)
    assert most_common_share < 0.95
