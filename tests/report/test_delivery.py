"""Monday's report reaches the staff Telegram group (through python-telegram-bot, against the fake Bot API) and
Produktmanagement's mailbox (a real SMTP server, aiosmtpd); a failed target is tried again, a sent one never twice."""
from __future__ import annotations

import asyncio
import dataclasses
import email
from datetime import datetime, timezone
from email import policy
from pathlib import Path
from typing import Iterator, List

import pytest
from aiosmtpd.controller import Controller

from bot.config import Settings
from bot.db import open_session
from bot.db.models import ReportDelivery
from bot.report.delivery import WeeklyReports, due_week, targets
from bot.report.seed import seed_week
from tests.fakes.telegram_api import FakeTelegram
from tests.helpers.system import free_port

STAFF_CHAT = -1009876543210
SUNDAY_EVENING = datetime(2026, 11, 22, 20, 0, tzinfo=timezone.utc)
MONDAY_BEFORE_SEVEN = datetime(2026, 11, 23, 5, 59, tzinfo=timezone.utc)  # 06:59 in Berlin
MONDAY_MORNING = datetime(2026, 11, 23, 6, 5, tzinfo=timezone.utc)  # 07:05 in Berlin


class Mailbox:
    def __init__(self) -> None:
        self.messages: List[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's handler protocol)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def mailbox() -> Iterator[tuple]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram("777:REPORT-TOKEN", "lindner_staff_bot") as fake:
        yield fake


@pytest.fixture
def settings(company_db: str, tmp_path: Path, mailbox: tuple, telegram: FakeTelegram) -> Settings:
    _, port = mailbox
    tracker = company_db if company_db.startswith("postgresql") else f"sqlite:///{tmp_path / 'rasa.db'}"
    seed_week(company_db, tracker, "2026-W47", 200, lambda c: c[-16:])
    return dataclasses.replace(
        Settings.from_env(), database_url=company_db, tracker_store_url=tracker, reports_dir=tmp_path / "reports",
        staff_telegram_token=telegram.token, staff_chat_id=str(STAFF_CHAT), staff_telegram_api_url=telegram.base_url,
        smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, report_email_from="insights@lindner-radwerk.de",
        report_email_to=("produkt@lindner-radwerk.de", "lea.becker@lindner-radwerk.de"))


def test_the_report_is_due_from_monday_seven_in_berlin(settings: Settings) -> None:
    assert due_week(settings, MONDAY_BEFORE_SEVEN) is None
    assert due_week(settings, MONDAY_MORNING) == "2026-W47"
    assert due_week(settings, SUNDAY_EVENING) == "2026-W46"  # a service started late still sends last week's
    assert targets(settings) == ["telegram", "email"]
    assert targets(dataclasses.replace(settings, smtp_host="")) == ["telegram"]


def test_monday_morning_the_report_goes_to_the_group_and_by_email_once(settings: Settings, telegram: FakeTelegram,
                                                                       mailbox: tuple) -> None:
    box, _ = mailbox
    reports = WeeklyReports(settings)
    assert asyncio.run(reports.send_due(MONDAY_BEFORE_SEVEN)) == []
    assert asyncio.run(reports.send_due(MONDAY_MORNING)) == ["telegram", "email"]

    [document] = telegram.sent("sendDocument", STAFF_CHAT)
    assert document["result"]["document"]["file_name"] == "report-2026-W47.de.html"
    assert "KW 47" in document["params"]["caption"] and len(document["params"]["caption"]) <= 1024

    [mail] = box.messages
    assert mail["To"] == "produkt@lindner-radwerk.de, lea.becker@lindner-radwerk.de"
    assert mail["Subject"] == "Wochenbericht Kundenfeedback 2026-W47"
    assert "KW 47" in mail.get_body(("plain",)).get_content()
    assert "<svg" in mail.get_body(("html",)).get_content()
    attached = {part.get_filename() for part in mail.iter_attachments()}
    assert {"report-2026-W47.de.html", "topics.csv", "escalations.csv"} <= attached

    assert asyncio.run(reports.send_due(MONDAY_MORNING)) == []  # sent is sent
    assert len(telegram.sent("sendDocument")) == 1 and len(box.messages) == 1


def test_a_target_that_failed_is_tried_again_and_the_other_is_not_sent_twice(settings: Settings,
                                                                              telegram: FakeTelegram,
                                                                              mailbox: tuple) -> None:
    box, _ = mailbox
    telegram.fail_next("sendDocument", status=502)
    reports = WeeklyReports(settings)
    assert asyncio.run(reports.send_due(MONDAY_MORNING)) == ["email"]
    with open_session(settings.database_url) as session:
        failed = session.get(ReportDelivery, ("2026-W47", "telegram"))
        assert failed.sent_at is None and failed.attempts == 1 and "Bad Gateway" in failed.last_error

    made = {path: path.stat().st_mtime_ns for path in (settings.reports_dir / "2026-W47").iterdir()}
    telegram.calls.clear()
    assert asyncio.run(reports.send_due(MONDAY_MORNING)) == ["telegram"]
    assert len(box.messages) == 1 and len(telegram.sent("sendDocument")) == 1
    # the retry sends the report made for the first try instead of making it again
    assert {path: path.stat().st_mtime_ns for path in (settings.reports_dir / "2026-W47").iterdir()} == made
    with open_session(settings.database_url) as session:
        sent = session.get(ReportDelivery, ("2026-W47", "telegram"))
        assert sent.sent_at is not None and sent.attempts == 2 and sent.last_error is None
