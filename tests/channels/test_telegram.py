"""The Telegram channel against the fake Bot API: retries, the outbox, long payloads, one poller, its health."""
from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Iterator

import aiohttp
import pytest
from sanic import Sanic
from telegram import Bot

from bot.channels.delivery import Outbox, first_delivery
from bot.channels.render import Part, Button
from bot.channels.telegram import SecondPollerError, TelegramInput, TelegramSender
from bot.config import Settings
from bot.db import migrate
from tests.fakes.telegram_api import FakeTelegram
from tests.helpers.system import free_port


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


def _send(telegram: FakeTelegram, database_url: str, chat: str, parts: list, payloads: dict) -> Outbox:
    async def run() -> Outbox:
        async with Bot(telegram.token, base_url=telegram.base_url) as bot:
            sender = TelegramSender(bot, Outbox(database_url, "telegram"), payloads)
            await sender.send_parts(chat, parts)
            return sender.outbox
    return asyncio.run(run())


def test_long_replies_arrive_in_order_within_telegrams_limit(telegram: FakeTelegram, database_url: str) -> None:
    from bot.channels.render import TELEGRAM, render

    text = "\n".join(f"Zeile {n} " + "x" * 90 for n in range(100))
    _send(telegram, database_url, "77", render(text, limits=TELEGRAM), {})
    sent = [c["params"]["text"] for c in telegram.sent("sendMessage", 77)]
    assert len(sent) == 3 and all(len(t) <= 4096 for t in sent)
    assert "\n".join(sent) == text


def test_payloads_longer_than_64_bytes_travel_as_a_short_key(telegram: FakeTelegram, database_url: str) -> None:
    payload = '/product_compatibility{"sku":"LR-A750","note":"' + "x" * 60 + '"}'
    payloads: dict = {}
    _send(telegram, database_url, "78", [Part("Bitte wählen", [Button("Akku", payload)])], payloads)
    data = telegram.sent("sendMessage", 78)[0]["params"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert len(data.encode()) <= 64 and payloads[data] == payload


def test_a_reply_telegram_keeps_refusing_waits_in_the_outbox_and_later_ones_queue_behind_it(
        telegram: FakeTelegram, database_url: str) -> None:
    telegram.fail_next("sendMessage", times=5, status=502)
    outbox = _send(telegram, database_url, "79", [Part("erste"), Part("zweite")], {})
    assert telegram.sent("sendMessage", 79) == []
    assert [m.payload["text"] for m in outbox.pending()] == ["erste", "zweite"]

    async def flush() -> int:
        async with Bot(telegram.token, base_url=telegram.base_url) as bot:
            return await outbox.flush(TelegramSender(bot, outbox, {}).deliver)

    assert asyncio.run(flush()) == 2
    assert [c["params"]["text"] for c in telegram.sent("sendMessage", 79)] == ["erste", "zweite"]
    assert outbox.pending() == []


def test_a_reply_telegram_will_never_accept_is_reported_not_retried(telegram: FakeTelegram, database_url: str) -> None:
    outbox = _send(telegram, database_url, "80", [Part("x" * 5000)], {})  # not split: Telegram says too long
    assert outbox.pending() == []
    assert len([c for c in telegram.calls if c["method"] == "sendMessage"]) == 1


def test_each_delivery_is_handled_once(database_url: str) -> None:
    assert first_delivery(database_url, "telegram", "42") is True
    assert first_delivery(database_url, "telegram", "42") is False
    assert first_delivery(database_url, "messenger", "42") is True


def test_a_second_poller_on_this_machine_is_refused(tmp_path: Path) -> None:
    settings = dataclasses.replace(Settings.from_env(), var_dir=tmp_path)
    first = TelegramInput("1:x", "polling", "", "", "http://127.0.0.1:9/bot", settings)
    second = TelegramInput("1:x", "polling", "", "", "http://127.0.0.1:9/bot", settings)
    lock = first._lock_polling()
    with pytest.raises(SecondPollerError, match="only one process|one process only"):
        second._lock_polling()
    lock.close()
    second._lock_polling().close()


def test_webhook_mode_needs_a_secret_token() -> None:
    with pytest.raises(ValueError, match="secret_token"):
        TelegramInput.from_credentials({"token": "1:x", "mode": "webhook"})
    with pytest.raises(ValueError, match="mode"):
        TelegramInput.from_credentials({"token": "1:x", "mode": "carrier-pigeon"})


def test_health_says_starting_until_the_channel_is_connected_to_telegram(telegram: FakeTelegram,
                                                                         tmp_path: Path) -> None:
    """A load balancer may only send updates once the channel has reached Telegram. Run once, on SQLite: Sanic 21.12
    rewrites its own code when a server starts, and cannot start a second one in the same process."""
    telegram.delay_next("getMe", 2.0)
    database_url = f"sqlite:///{tmp_path / 'bot.db'}"
    migrate(database_url)
    settings = dataclasses.replace(Settings.from_env(), database_url=database_url)
    channel = TelegramInput(telegram.token, "webhook", "", "s3cret", telegram.base_url, settings)
    app = Sanic("telegram_health_test")
    port = free_port()
    app.blueprint(channel.blueprint(lambda message: asyncio.sleep(0)), url_prefix="/webhooks/telegram")

    async def health(session: aiohttp.ClientSession) -> tuple:
        async with session.get(f"http://127.0.0.1:{port}/webhooks/telegram/") as answer:
            return answer.status, (await answer.json())["status"]

    async def run() -> list:
        server = await app.create_server("127.0.0.1", port, return_asyncio_server=True, access_log=False)
        await server.startup()
        await server.start_serving()
        starting = asyncio.create_task(server.after_start())  # connects to Telegram: getMe, held back for 2 s
        async with aiohttp.ClientSession() as session:
            await asyncio.sleep(0.5)
            seen = [await health(session)]
            await starting
            seen.append(await health(session))
        await server.before_stop()
        server.close()
        await server.wait_closed()
        return seen

    assert asyncio.run(run()) == [(503, "starting"), (200, "ok")]
