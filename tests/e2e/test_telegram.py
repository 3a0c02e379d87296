"""Telegram end to end: the running assistant's python-telegram-bot channel against a local fake Bot API."""
from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
from typing import Optional

import pytest

from tests.e2e.conftest import TELEGRAM_SECRET, Platforms
from tests.fakes.telegram_api import FakeTelegram
from tests.helpers.system import RunningSystem

SECRET = TELEGRAM_SECRET
_chats = itertools.count(5001)


@pytest.fixture(scope="module")
def telegram(platforms: Platforms) -> FakeTelegram:
    return platforms.telegram


@pytest.fixture(scope="module")
def system(channels_system: RunningSystem) -> RunningSystem:
    return channels_system


def post_update(system: RunningSystem, update: dict, secret: Optional[str] = SECRET) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{system.rasa_port}/webhooks/telegram/webhook", data=json.dumps(update).encode(),
        headers={"Content-Type": "application/json", **({"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def deliver_update(system: RunningSystem, update: dict, timeout: float = 60) -> None:
    """Deliver an update as Telegram does: again and again until the webhook takes it. Right after a restart Rasa
    answers before its Telegram channel has started, which turns updates away with 503."""
    deadline = time.monotonic() + timeout
    while (status := post_update(system, update)) != 200:
        assert status == 503 and time.monotonic() < deadline, status
        time.sleep(0.5)


def replies(telegram: FakeTelegram, chat_id: int, count: int, timeout: float = 20) -> list:
    """The texts of the first `count` messages the bot sent to a chat, waiting for them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent = telegram.sent("sendMessage", chat_id)
        if len(sent) >= count:
            return sent
        time.sleep(0.05)
    raise AssertionError(f"expected {count} messages to {chat_id}, got {telegram.sent('sendMessage', chat_id)}")


def test_a_question_is_answered_with_buttons_and_a_typing_indicator(system: RunningSystem, telegram: FakeTelegram) -> None:
    chat = next(_chats)
    assert post_update(system, telegram.text_update("Was kostet das Stadtrad E7?", chat_id=chat, user_id=chat)) == 200
    answer, offer = replies(telegram, chat, 2)
    assert "2.799 €" in answer["params"]["text"]
    keyboard = offer["params"]["reply_markup"]["inline_keyboard"]
    assert [[button["text"] for button in row] for row in keyboard] == [["Welcher Akku passt?"]]
    assert telegram.sent("sendChatAction", chat)[0]["params"]["action"] == "typing"


def test_a_button_press_is_answered_and_its_payload_handled(system: RunningSystem, telegram: FakeTelegram) -> None:
    chat = next(_chats)
    post_update(system, telegram.text_update("Was kostet das Tour T9?", chat_id=chat, user_id=chat))
    offer = replies(telegram, chat, 2)[1]
    data = offer["params"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    post_update(system, telegram.callback_update(data, chat_id=chat, user_id=chat,
                                                 message_id=offer["result"]["message_id"]))
    assert "Akku 750 Wh" in replies(telegram, chat, 3)[2]["params"]["text"]
    assert telegram.sent("answerCallbackQuery")


@pytest.mark.parametrize("secret", [None, "wrong-secret"])
def test_a_missing_or_wrong_secret_token_is_refused_and_nothing_processed(
        system: RunningSystem, telegram: FakeTelegram, secret: Optional[str]) -> None:
    chat = next(_chats)
    assert post_update(system, telegram.text_update("Hallo", chat_id=chat, user_id=chat), secret=secret) == 403
    time.sleep(1.5)
    assert telegram.sent(chat_id=chat) == []


def test_start_greets(system: RunningSystem, telegram: FakeTelegram) -> None:
    chat = next(_chats)
    post_update(system, telegram.text_update("/start", chat_id=chat, user_id=chat))
    assert "Lindner Radwerk" in replies(telegram, chat, 1)[0]["params"]["text"]


def test_a_repeated_update_is_answered_once(system: RunningSystem, telegram: FakeTelegram) -> None:
    chat = next(_chats)
    update = telegram.text_update("Liefert ihr nach Österreich?", chat_id=chat, user_id=chat)
    assert post_update(system, update) == 200
    assert post_update(system, update) == 200
    replies(telegram, chat, 1)
    time.sleep(1.5)
    assert len(telegram.sent("sendMessage", chat)) == 1


def test_rate_limits_and_server_errors_are_retried_and_no_reply_is_lost(
        system: RunningSystem, telegram: FakeTelegram) -> None:
    chat = next(_chats)
    telegram.fail_next("sendMessage", times=1, status=429, retry_after=1)
    telegram.fail_next("sendMessage", times=2, status=502)
    post_update(system, telegram.text_update("Wie lange habe ich Garantie?", chat_id=chat, user_id=chat))
    delivered = replies(telegram, chat, 1, timeout=30)
    assert "Jahre" in delivered[0]["params"]["text"]
    attempts = [c for c in telegram.calls if c["method"] == "sendMessage" and c["params"].get("chat_id") == chat]
    assert len(attempts) == 4  # 429, 502, 502, delivered


def test_group_messages_are_ignored_unless_addressed_to_the_bot(system: RunningSystem, telegram: FakeTelegram) -> None:
    group = -next(_chats)
    post_update(system, telegram.text_update("Was kostet das Stadtrad E5?", chat_id=group, chat_type="group"))
    time.sleep(1.5)
    assert telegram.sent("sendMessage", group) == []
    post_update(system, telegram.text_update("@lindner_test_bot Was kostet das Stadtrad E5?", chat_id=group,
                                             chat_type="group"))
    assert "2.299 €" in replies(telegram, group, 1)[0]["params"]["text"]


def test_an_edited_message_is_answered_anew(system: RunningSystem, telegram: FakeTelegram) -> None:
    chat = next(_chats)
    first = telegram.text_update("Was kostet das Stadtrad E5?", chat_id=chat, user_id=chat)
    post_update(system, first)
    replies(telegram, chat, 2)
    post_update(system, telegram.text_update("Was kostet das Stadtrad E7?", chat_id=chat, user_id=chat, edited=True,
                                             message_id=first["message"]["message_id"]))
    assert "2.799 €" in replies(telegram, chat, 3)[2]["params"]["text"]
