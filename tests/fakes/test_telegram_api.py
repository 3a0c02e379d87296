"""The fake Telegram Bot API answers the real python-telegram-bot client like Telegram does."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
import urllib.error
import urllib.request
from typing import Any, Awaitable, Callable, Dict, Iterator, Optional, TypeVar

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Conflict, InvalidToken, NetworkError, RetryAfter, TimedOut

from tests.fakes.telegram_api import FakeTelegram, UploadedFile

T = TypeVar("T")


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


def with_bot(fake: FakeTelegram, scenario: Callable[[Bot], Awaitable[T]], token: Optional[str] = None) -> T:
    """Run `scenario` with an initialized real client pointed at the fake."""

    async def main() -> T:
        async with Bot(token or fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url) as bot:
            return await scenario(bot)

    return asyncio.run(main())


def raw_call(fake: FakeTelegram, path: str, params: Dict[str, Any]) -> Dict[str, Any]:
    """POST `params` as JSON without any client library; the decoded answer, errors included."""
    request = urllib.request.Request(
        fake.root_url + path, data=json.dumps(params).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        return json.load(error)


KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Größe S", callback_data="size:s")]])


def test_get_me_answers_with_the_bot_user(fake: FakeTelegram) -> None:
    me = with_bot(fake, lambda bot: bot.get_me())
    assert (me.id, me.username, me.is_bot) == (123456, "lindner_test_bot", True)
    assert fake.sent("getMe")


def test_send_message_is_recorded_with_decoded_params(fake: FakeTelegram) -> None:
    async def scenario(bot: Bot) -> Any:
        await bot.send_message(1001, "Hallo!")
        return await bot.send_message(chat_id=1001, text="Welche Größe?", reply_markup=KEYBOARD)

    message = with_bot(fake, scenario)

    assert (message.message_id, message.chat.type, message.from_user.username) == (2, "private", "lindner_test_bot")
    assert message.reply_markup == KEYBOARD
    [_, call] = fake.sent("sendMessage", chat_id=1001)
    assert call["params"] == {
        "chat_id": 1001,
        "text": "Welche Größe?",
        "reply_markup": {"inline_keyboard": [[{"text": "Größe S", "callback_data": "size:s"}]]},
    }
    assert call["result"]["message_id"] == 2


def test_a_wrong_token_is_rejected(fake: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        with_bot(fake, lambda bot: bot.get_me(), token="654321:WRONG")
    assert raw_call(fake, "/bot654321:WRONG/getMe", {}) == {
        "ok": False,
        "error_code": 401,
        "description": "Unauthorized",
    }
    assert raw_call(fake, f"/bot{fake.token}/sendTelepathy", {}) == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found",
    }


@pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")  # retry_after becomes a timedelta
def test_an_injected_429_raises_retry_after_and_counts_as_an_attempt(fake: FakeTelegram) -> None:
    fake.fail_next("sendMessage")

    async def scenario(bot: Bot) -> RetryAfter:
        with pytest.raises(RetryAfter) as raised:
            await bot.send_message(1001, "Hallo!")
        await bot.send_message(1001, "Hallo!")
        return raised.value

    error = with_bot(fake, scenario)
    assert error.retry_after in (1, dt.timedelta(seconds=1))  # a timedelta with PTB_TIMEDELTA=true
    attempts = fake.sent("sendMessage", include_failed=True)
    assert [call.get("failed", False) for call in attempts] == [True, False]
    assert attempts[0]["description"] == "Too Many Requests: retry after 1"
    assert len(fake.sent("sendMessage")) == 1


def test_an_injected_502_raises_network_error(fake: FakeTelegram) -> None:
    fake.fail_next("sendMessage", status=502)
    with pytest.raises(NetworkError) as raised:
        with_bot(fake, lambda bot: bot.send_message(1001, "Hallo!"))
    assert type(raised.value) is NetworkError and "Bad Gateway" in str(raised.value)


def test_a_late_answer_times_the_client_out_but_the_message_is_still_sent(fake: FakeTelegram) -> None:
    fake.delay_next("sendMessage", 1.0)
    with pytest.raises(TimedOut):
        with_bot(fake, lambda bot: bot.send_message(1001, "Hallo!", read_timeout=0.2))
    assert fake.wait_for(lambda call: call["method"] == "sendMessage")["params"]["text"] == "Hallo!"


@pytest.mark.parametrize(
    "kwargs, reason",  # python-telegram-bot rewrites the description as "Button_data_invalid"
    [
        ({"text": "x" * 5000}, "(?i)too long"),
        ({"text": "   "}, "(?i)text is empty"),
        ({"text": "Hallo", "parse_mode": "Markdown3"}, "(?i)unsupported parse_mode"),
        (
            {
                "text": "Hallo",
                "reply_markup": InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a" * 65)]]),
            },
            "(?i)BUTTON_DATA_INVALID",
        ),
    ],
)
def test_invalid_messages_raise_bad_request(fake: FakeTelegram, kwargs: Dict[str, Any], reason: str) -> None:
    with pytest.raises(BadRequest, match=reason):
        with_bot(fake, lambda bot: bot.send_message(1001, **kwargs))
    assert fake.sent("sendMessage") == []
    assert fake.sent("sendMessage", include_failed=True)[0]["error_code"] == 400


def test_get_updates_returns_pushed_updates_and_waits_for_new_ones(fake: FakeTelegram) -> None:
    fake.push_update(fake.text_update("/start"))

    async def scenario(bot: Bot) -> Any:
        [first] = await bot.get_updates(timeout=5)
        again = await bot.get_updates(offset=first.update_id, timeout=0)
        waiting = asyncio.ensure_future(bot.get_updates(offset=first.update_id + 1, timeout=5))
        await asyncio.sleep(0.2)
        fake.push_update(fake.text_update("Ich suche eine Jacke"))
        started = time.monotonic()
        return first, again, await waiting, time.monotonic() - started

    first, again, [second], waited = with_bot(fake, scenario)

    assert first.message.text == "/start" and first.message.entities[0].type == "bot_command"
    assert [update.update_id for update in again] == [first.update_id]  # not yet confirmed
    assert second.message.text == "Ich suche eine Jacke" and second.message.message_id == 2
    assert waited < 2


def test_a_second_poller_and_a_webhook_conflict_with_get_updates(fake: FakeTelegram) -> None:
    async def two_instances(bot: Bot) -> Any:
        async with Bot(fake.token, base_url=fake.base_url) as other:
            first = asyncio.ensure_future(bot.get_updates(timeout=5))
            await asyncio.sleep(0.2)
            second = asyncio.ensure_future(other.get_updates(timeout=0))
            return await asyncio.gather(first, second, return_exceptions=True)

    terminated, answered = with_bot(fake, two_instances)
    assert isinstance(terminated, Conflict) and "terminated by other getUpdates request" in str(terminated)
    assert answered == ()

    async def webhook(bot: Bot) -> Any:
        with pytest.raises(BadRequest, match="(?i)secret token contains unallowed characters"):
            await bot.set_webhook("https://shop.example/telegram", secret_token="not:allowed")
        await bot.set_webhook("https://shop.example/telegram", secret_token="s3cret_-")
        with pytest.raises(Conflict, match="(?i)webhook is active"):
            await bot.get_updates()
        info = await bot.get_webhook_info()
        await bot.delete_webhook()
        return info, await bot.get_updates()

    info, updates = with_bot(fake, webhook)
    assert info.url == "https://shop.example/telegram" and updates == ()


def test_a_button_press_can_be_answered_once_and_the_message_edited(fake: FakeTelegram) -> None:
    async def scenario(bot: Bot) -> Any:
        sent = await bot.send_message(1001, "Welche Größe?", reply_markup=KEYBOARD)
        fake.push_update(fake.callback_update("size:s", message_id=sent.message_id))
        [update] = await bot.get_updates()
        query = update.callback_query
        assert query is not None
        with pytest.raises(BadRequest, match="(?i)MESSAGE_TOO_LONG"):
            await bot.answer_callback_query(query.id, text="x" * 201)
        await bot.answer_callback_query(query.id, text="Notiert")
        with pytest.raises(BadRequest, match="(?i)query is too old"):
            await bot.answer_callback_query(query.id)
        edited = await bot.edit_message_text("Größe S, notiert.", chat_id=1001, message_id=sent.message_id)
        with pytest.raises(BadRequest, match="(?i)not modified"):
            await bot.edit_message_text("Größe S, notiert.", chat_id=1001, message_id=sent.message_id)
        return query, edited

    query, edited = with_bot(fake, scenario)
    assert query.data == "size:s" and query.message.reply_markup == KEYBOARD
    assert edited.text == "Größe S, notiert." and edited.reply_markup is None and edited.edit_date is not None


def test_uploads_arrive_as_multipart_and_can_be_downloaded(fake: FakeTelegram) -> None:
    async def scenario(bot: Bot) -> Any:
        message = await bot.send_document(
            1001, InputFile(b"%PDF-1.4 Rechnung", filename="rechnung.pdf"), caption="Ihre Rechnung"
        )
        with pytest.raises(BadRequest, match="(?i)caption is too long"):
            await bot.send_photo(1001, "https://shop.example/jacke.jpg", caption="x" * 1025)
        photo = await bot.send_photo(1001, "https://shop.example/jacke.jpg")
        assert message.document is not None
        file = await bot.get_file(message.document.file_id)
        return message, photo, await file.download_as_bytearray()

    message, photo, downloaded = with_bot(fake, scenario)
    assert message.document.file_name == "rechnung.pdf" and message.caption == "Ihre Rechnung"
    assert photo.photo[0].file_id
    assert downloaded == b"%PDF-1.4 Rechnung"
    upload = fake.sent("sendDocument")[0]["params"]["document"]
    assert isinstance(upload, UploadedFile) and upload.data == b"%PDF-1.4 Rechnung"


def test_wait_for_finds_recorded_calls_and_gives_up_with_the_calls_so_far(fake: FakeTelegram) -> None:
    def chat_action(call: Dict[str, Any]) -> bool:
        return call["method"] == "sendChatAction"

    with_bot(fake, lambda bot: bot.send_chat_action(1001, "typing"))
    assert fake.wait_for(chat_action)["result"] is True
    with pytest.raises(AssertionError, match="sendChatAction"):
        fake.wait_for(chat_action, timeout=0.2, after=len(fake.calls))


STAFF_GROUP = -1001234567890


def test_forum_topics_are_created_written_in_and_closed(fake: FakeTelegram) -> None:
    fake.set_forum(STAFF_GROUP)

    async def scenario(bot: Bot) -> Any:
        topic = await bot.create_forum_topic(STAFF_GROUP, "🔴 #12 Qualität & Sicherheit")
        named = await bot.create_forum_topic(STAFF_GROUP, "x" * 200, icon_color=0x8EEE98)
        with pytest.raises(BadRequest, match="(?i)title must be non-empty"):
            await bot.create_forum_topic(STAFF_GROUP, "   ")
        sent = await bot.send_message(STAFF_GROUP, "Karte", message_thread_id=topic.message_thread_id)
        plain = await bot.send_message(STAFF_GROUP, "Allgemein")
        with pytest.raises(BadRequest, match="(?i)message thread not found"):
            await bot.send_message(STAFF_GROUP, "Wohin?", message_thread_id=999)
        assert await bot.close_forum_topic(STAFF_GROUP, topic.message_thread_id) is True
        with pytest.raises(BadRequest, match="(?i)TOPIC_NOT_MODIFIED"):
            await bot.close_forum_topic(STAFF_GROUP, topic.message_thread_id)
        with pytest.raises(BadRequest, match="(?i)TOPIC_ID_INVALID"):
            await bot.close_forum_topic(STAFF_GROUP, 999)
        return topic, named, sent, plain

    topic, named, sent, plain = with_bot(fake, scenario)

    assert topic.name == "🔴 #12 Qualität & Sicherheit" and topic.icon_color in (
        0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)
    assert (named.name, named.icon_color) == ("x" * 128, 0x8EEE98)  # Telegram shortens long names
    assert (sent.message_thread_id, sent.is_topic_message) == (topic.message_thread_id, True)
    assert sent.chat.is_forum and sent.message_id > topic.message_thread_id  # the topic's first message came first
    assert plain.message_thread_id is None and not plain.is_topic_message
    assert fake.sent("createForumTopic")[0]["result"] == {
        "message_thread_id": topic.message_thread_id, "name": topic.name, "icon_color": topic.icon_color}
    assert [(t["name"], t["is_closed"]) for t in fake.topics(STAFF_GROUP)] == [(topic.name, True), ("x" * 128, False)]


def test_topics_need_a_forum(fake: FakeTelegram) -> None:
    async def scenario(bot: Bot) -> None:
        with pytest.raises(BadRequest, match="(?i)the chat is not a forum"):
            await bot.create_forum_topic(STAFF_GROUP, "#1 Kundenservice")
        with pytest.raises(BadRequest, match="(?i)the chat is not a forum"):
            await bot.close_forum_topic(STAFF_GROUP, 1)

    with_bot(fake, scenario)
    [failed, _] = fake.sent("createForumTopic", include_failed=True) + fake.sent("closeForumTopic", include_failed=True)
    assert (failed["error_code"], failed["description"]) == (400, "Bad Request: the chat is not a forum")
    assert fake.topics(STAFF_GROUP) == []
    with pytest.raises(ValueError, match="supergroups"):
        fake.set_forum(1001)


def test_a_staff_message_can_be_injected_into_a_topic(fake: FakeTelegram) -> None:
    fake.set_forum(STAFF_GROUP)
    topic = with_bot(fake, lambda bot: bot.create_forum_topic(STAFF_GROUP, "🟠 #7 Kundenservice"))
    fake.push_update(fake.text_update("Wir kümmern uns darum.", chat_id=STAFF_GROUP, user_id=4242, first_name="ks-1",
                                      chat_type="supergroup", message_thread_id=topic.message_thread_id))
    fake.push_update(fake.text_update("Mittagspause?", chat_id=STAFF_GROUP, user_id=4242, chat_type="supergroup"))
    with pytest.raises(ValueError, match="no forum topic 999"):
        fake.text_update("Hallo?", chat_id=STAFF_GROUP, chat_type="supergroup", message_thread_id=999)

    in_topic, in_general = [update.message for update in with_bot(fake, lambda bot: bot.get_updates())]

    assert (in_topic.message_thread_id, in_topic.is_topic_message) == (topic.message_thread_id, True)
    assert in_topic.chat.is_forum and in_topic.from_user.first_name == "ks-1"
    # Like on Telegram, a message in a topic replies to the topic's first message, the service message.
    assert in_topic.reply_to_message.message_id == topic.message_thread_id
    assert in_topic.reply_to_message.forum_topic_created.name == "🟠 #7 Kundenservice"
    assert in_general.message_thread_id is None and not in_general.is_topic_message
