"""Unclaimed escalations are announced again in the staff group after the delay teams.yaml sets for their priority,
the second time calling on the fallback team; sent through python-telegram-bot to the fake Bot API."""
from __future__ import annotations

import asyncio
import dataclasses
import shutil
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Iterator

import pytest
import yaml
from telegram import Bot

from bot.config import ROOT, Settings
from bot.db import open_session
from bot.db.models import Escalation, utcnow
from bot.handoff import service
from bot.handoff.staff_group import StaffGroup
from tests.fakes.telegram_api import FakeTelegram

STAFF_CHAT = -1001112223334


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram("555:STAFF-TOKEN", "lindner_staff_bot") as fake:
        yield fake


@pytest.fixture
def settings(company_db: str, tmp_path: Path, telegram: FakeTelegram) -> Settings:
    data = tmp_path / "company"
    shutil.copytree(ROOT / "data" / "company", data)
    teams = yaml.safe_load((data / "teams.yaml").read_text(encoding="utf-8"))
    teams["escalation"] = {"remind_after_minutes": {"critical": 1, "high": 5, "normal": 20}, "fallback_team": "Datenschutz"}
    (data / "teams.yaml").write_text(yaml.safe_dump(teams, allow_unicode=True), encoding="utf-8")
    return dataclasses.replace(Settings.from_env(), database_url=company_db, data_dir=data,
                               staff_telegram_token=telegram.token, staff_chat_id=str(STAFF_CHAT),
                               staff_telegram_api_url=telegram.base_url)


def _escalation(database_url: str, conversation: str, priority: str, minutes_ago: float) -> int:
    with open_session(database_url) as session, session.begin():
        escalation = service.escalate(session, conversation_id=conversation, channel="telegram", team="Kundenservice",
                                      priority=priority, reason="complaint", language="de", context=[])
        escalation.notified_at, escalation.card_message_id = utcnow() - timedelta(minutes=minutes_ago), 1
        return escalation.id


def _age(database_url: str, number: int, minutes: float) -> None:
    with open_session(database_url) as session, session.begin():
        session.get(Escalation, number).reminded_at = utcnow() - timedelta(minutes=minutes)


def _remind(group: StaffGroup, settings: Settings, telegram: FakeTelegram) -> None:
    async def run() -> None:
        async with Bot(settings.staff_telegram_token, base_url=telegram.base_url) as bot:
            group.application = SimpleNamespace(bot=bot)  # the reminder only sends; no polling needed
            await group.remind_unclaimed()
    asyncio.run(run())


def test_reminders_follow_the_delays_per_priority_then_call_on_the_fallback_team(settings: Settings,
                                                                               telegram: FakeTelegram) -> None:
    critical = _escalation(settings.database_url, "c-1", "critical", minutes_ago=1.5)
    high = _escalation(settings.database_url, "c-2", "high", minutes_ago=1.5)  # 5 minutes for high: not yet
    group = StaffGroup(settings, rasa=None)  # type: ignore[arg-type]

    def remind() -> list:
        _remind(group, settings, telegram)
        return [call["params"]["text"] for call in telegram.sent("sendMessage", STAFF_CHAT)]

    first = remind()
    assert len(first) == 1 and first[0].startswith("⏰ Noch nicht übernommen!") and f"#{critical}" in first[0]
    assert remind() == first  # the delay counts again from the reminder

    _age(settings.database_url, critical, minutes=1.5)
    second = remind()[1]
    assert second.startswith("⏰ Noch nicht übernommen – bitte Datenschutz übernehmen!")

    _age(settings.database_url, critical, minutes=60)
    assert len(remind()) == 2  # two reminders, then the fallback team has it
    with open_session(settings.database_url) as session:
        assert session.get(Escalation, high).reminders == 0


def test_the_fallback_team_called_on_may_take_the_escalation_through_the_api(settings: Settings,
                                                                              telegram: FakeTelegram) -> None:
    number = _escalation(settings.database_url, "c-1", "critical", minutes_ago=1.5)
    group = StaffGroup(settings, rasa=None)  # type: ignore[arg-type]
    fallback, other = service.Staff("Datenschutz (API)", "Datenschutz"), service.Staff("B2B (API)", "Vertrieb B2B")

    _remind(group, settings, telegram)
    with open_session(settings.database_url) as session:  # the first reminder is the team's own
        assert session.get(Escalation, number).fallback_team is None
        assert service.escalations(session, fallback) == []
        with pytest.raises(service.NotAllowed):
            service.claim(session, number, fallback)
    _age(settings.database_url, number, minutes=1.5)
    _remind(group, settings, telegram)
    with open_session(settings.database_url) as session, session.begin():
        assert [e.id for e in service.escalations(session, fallback)] == [number]
        assert [e.id for e in service.escalations(session, fallback, team="Datenschutz")] == [number]
        assert service.escalations(session, other) == []
        with pytest.raises(service.NotAllowed):
            service.get(session, number, other)
        claimed = service.claim(session, number, fallback)
        assert (claimed.team, claimed.fallback_team, claimed.claimed_by) == (
            "Kundenservice", "Datenschutz", "Datenschutz (API)")
