"""Every Monday morning the report of the week before goes to Produktmanagement: as a document in the staff
Telegram group and by e-mail when SMTP is configured. What could not be sent is tried again a minute later."""
from __future__ import annotations

import asyncio
import logging
import smtplib
from datetime import datetime, time as clock, timezone
from email.message import EmailMessage
from pathlib import Path
from typing import Dict, List, Optional

from sqlalchemy import select

from bot.config import Settings, telegram_file_url
from bot.db import open_session
from bot.db.models import ReportDelivery
from bot.handoff.hours import BERLIN
from bot.report import make_report
from bot.report.data import last_week

logger = logging.getLogger(__name__)
CHECK_SECONDS = 60.0
CAPTION_LIMIT = 1024  # Telegram's limit for a document's caption


def targets(settings: Settings) -> List[str]:
    """Where reports go with this configuration."""
    found = []
    if settings.staff_group_enabled:
        found.append("telegram")
    if settings.smtp_host and settings.report_email_to:
        found.append("email")
    return found


def due_week(settings: Settings, now: datetime) -> Optional[str]:
    """The week whose report is due at `now`: last week's, from Monday's send time on."""
    local = now.astimezone(BERLIN)
    hours, minutes = map(int, settings.report_send_time.split(":"))
    if local.weekday() == 0 and local.time() < clock(hours, minutes):
        return None
    return last_week(now)


def _files(paths: List[Path]) -> tuple:
    html = next(p for p in paths if p.suffix == ".html")
    summary = next(p for p in paths if p.suffix == ".md")
    return html, summary


async def send_telegram(settings: Settings, paths: List[Path]) -> None:
    from telegram import Bot

    html, summary = _files(paths)
    caption = summary.read_text(encoding="utf-8")
    if len(caption) > CAPTION_LIMIT:
        caption = caption[:CAPTION_LIMIT - 1].rsplit("\n", 1)[0] + "\n…"
    base = settings.staff_telegram_api_url
    async with Bot(settings.staff_telegram_token, base_url=base, base_file_url=telegram_file_url(base)) as bot:
        with html.open("rb") as document:
            await bot.send_document(int(settings.staff_chat_id), document, filename=html.name, caption=caption)


def send_email(settings: Settings, paths: List[Path], week: str) -> None:
    html, summary = _files(paths)
    message = EmailMessage()
    title = "Wochenbericht Kundenfeedback" if settings.report_language == "de" else "Weekly customer insights"
    message["Subject"] = f"{title} {week}"
    message["From"] = settings.report_email_from
    message["To"] = ", ".join(settings.report_email_to)
    message.set_content(summary.read_text(encoding="utf-8"))
    message.add_alternative(html.read_text(encoding="utf-8"), subtype="html")
    for path in paths:
        subtype = {".html": "html", ".csv": "csv", ".md": "markdown"}.get(path.suffix, "plain")
        message.add_attachment(path.read_bytes(), maintype="text", subtype=subtype, filename=path.name)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)


class WeeklyReports:
    """The staff service's Monday job; each target is recorded as sent once it accepted the report."""

    def __init__(self, settings: Settings, check_seconds: float = CHECK_SECONDS) -> None:
        self.settings, self.check_seconds = settings, check_seconds
        self._task: Optional[asyncio.Task] = None
        self._built: Dict[str, List[Path]] = {}  # the week's report, made once while a target keeps failing

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()

    async def _run(self) -> None:
        while True:
            try:
                await self.send_due(datetime.now(timezone.utc))
            except Exception:  # the next round tries again; each failure is recorded with the delivery
                logger.exception("Sending the weekly report failed")
            await asyncio.sleep(self.check_seconds)

    async def send_due(self, now: datetime) -> List[str]:
        """Send the due report to every target that has not got it yet; returns the targets sent to."""
        week = due_week(self.settings, now)
        wanted = targets(self.settings)
        if week is None or not wanted:
            return []
        with open_session(self.settings.database_url) as session:
            done = set(session.scalars(select(ReportDelivery.target).where(ReportDelivery.week == week,
                                                                           ReportDelivery.sent_at.is_not(None))))
        missing = [target for target in wanted if target not in done]
        if not missing:
            return []
        paths = self._built.get(week, [])
        if not paths or not all(path.exists() for path in paths):
            paths = await asyncio.to_thread(make_report, self.settings, week, self.settings.report_language,
                                            self.settings.reports_dir)
            self._built = {week: paths}
        sent = []
        for target in missing:
            error = None
            try:
                if target == "telegram":
                    await send_telegram(self.settings, paths)
                else:
                    await asyncio.to_thread(send_email, self.settings, paths, week)
                sent.append(target)
            except Exception as failure:  # recorded and retried in the next round
                error = f"{type(failure).__name__}: {failure}"
                logger.warning("The report %s could not be sent by %s: %s", week, target, error)
            self._record(week, target, error)
        return sent

    def _record(self, week: str, target: str, error: Optional[str]) -> None:
        with open_session(self.settings.database_url) as session, session.begin():
            delivery = session.get(ReportDelivery, (week, target)) or ReportDelivery(week=week, target=target,
                                                                                     attempts=0)
            session.add(delivery)
            delivery.attempts += 1
            delivery.last_error = error
            if error is None:
                delivery.sent_at = datetime.now(timezone.utc)
