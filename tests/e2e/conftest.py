"""Running systems shared by the end-to-end tests of a run (starting Rasa takes a while)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterator

import pytest

from tests.fakes.graph_api import FakeGraph
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers.system import RunningSystem, start_system

TELEGRAM_SECRET = "test-secret_42"
FACEBOOK_APP_SECRET = "fb-app-secret-for-tests"
FACEBOOK_VERIFY_TOKEN = "fb-verify-token"
STAFF_TOKENS = {"Qualität & Sicherheit": "token-quality", "Kundenservice": "token-service",
                "Produktmanagement": "token-product"}
STAFF_ADMIN_TOKEN = "token-admin"
STAFF_CHAT = -1001234567890


@pytest.fixture(scope="session")
def plain_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """The assistant as `scripts/start` runs it: SQLite, REST and the web chat."""
    running = start_system(tmp_path_factory.mktemp("system"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def system(plain_system: RunningSystem) -> RunningSystem:
    return plain_system


@dataclass
class Platforms:
    telegram: FakeTelegram
    graph: FakeGraph
    twilio: FakeTwilio
    staff: FakeTelegram  # the staff group's bot


@pytest.fixture(scope="session")
def platforms() -> Iterator[Platforms]:
    with FakeTelegram() as telegram, FakeGraph() as graph, FakeTwilio() as twilio, \
            FakeTelegram("654321:STAFF-TOKEN", "lindner_staff_bot") as staff:
        yield Platforms(telegram, graph, twilio, staff)


@pytest.fixture(scope="session")
def channels_system(platforms: Platforms, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """The assistant with Telegram, Messenger and WhatsApp enabled, each against its local fake platform."""
    running = start_system(tmp_path_factory.mktemp("channels"), {
        "TELEGRAM_TOKEN": platforms.telegram.token, "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "TELEGRAM_API_URL": platforms.telegram.base_url, "TELEGRAM_MODE": "webhook",
        "FACEBOOK_VERIFY_TOKEN": FACEBOOK_VERIFY_TOKEN, "FACEBOOK_APP_SECRET": FACEBOOK_APP_SECRET,
        "FACEBOOK_PAGE_ACCESS_TOKEN": platforms.graph.page_access_token, "FACEBOOK_GRAPH_URL": platforms.graph.graph_url,
        "TWILIO_ACCOUNT_SID": platforms.twilio.account_sid, "TWILIO_AUTH_TOKEN": platforms.twilio.auth_token,
        "TWILIO_WHATSAPP_NUMBER": platforms.twilio.whatsapp_number, "TWILIO_API_URL": platforms.twilio.base_url,
        "STAFF_TOKENS": json.dumps(STAFF_TOKENS), "STAFF_ADMIN_TOKEN": STAFF_ADMIN_TOKEN,
        "STAFF_TELEGRAM_TOKEN": platforms.staff.token, "STAFF_TELEGRAM_CHAT_ID": str(STAFF_CHAT),
        "STAFF_TELEGRAM_API_URL": platforms.staff.base_url,
    })
    yield running
    running.stop()
