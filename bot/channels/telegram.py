"""Telegram as a Rasa input channel, built on python-telegram-bot (Rasa's own uses aiogram and cannot push).

Webhook mode (Telegram's secret token checked, any number of Rasa workers) or long polling (one process only).
Configured in credentials.yml under `bot.channels.telegram.TelegramInput`; see the README.
"""
from __future__ import annotations

import asyncio
import fcntl
import hashlib
import hmac
import logging
import re
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.ext import (Application, ApplicationBuilder, ApplicationHandlerStop, CallbackQueryHandler, CommandHandler,
                          ContextTypes, MessageHandler, TypeHandler, filters)

from bot.channels.delivery import (DeliveryError, Outbox, ReliableSender, RenderedOutput, first_delivery,
                                   with_staff)
from bot.channels.render import TELEGRAM
from bot.config import Settings, telegram_file_url

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
GREETING_PAYLOAD = "/greet"


class SecondPollerError(RuntimeError):
    """Long polling works from one process only."""


def _payload_key(payload: str) -> str:
    """Telegram allows 64 bytes of callback data; longer payloads travel as a short hash looked up on return."""
    return "#" + hashlib.sha256(payload.encode()).hexdigest()[:20]


class TelegramSender(ReliableSender):
    """Replies to Telegram chats, with the retries and the outbox of ReliableSender."""

    def __init__(self, bot: Bot, outbox: Outbox, payloads: Dict[str, str]) -> None:
        super().__init__(outbox)
        self.bot, self.payloads = bot, payloads

    async def deliver(self, recipient: str, payload: Dict[str, Any]) -> None:
        markup = self._keyboard(payload.get("buttons") or [])
        try:
            if payload.get("image"):
                await self.bot.send_photo(chat_id=recipient, photo=payload["image"],
                                          caption=payload.get("text") or None, reply_markup=markup)
            else:
                await self.bot.send_message(chat_id=recipient, text=payload["text"], reply_markup=markup)
        except RetryAfter as error:
            wait = error.retry_after
            raise DeliveryError(str(error), retry_after=wait if isinstance(wait, (int, float)) else wait.total_seconds())
        except (BadRequest, Forbidden, InvalidToken) as error:
            raise DeliveryError(str(error), permanent=True)
        except TelegramError as error:  # NetworkError, TimedOut, 5xx: worth another try
            raise DeliveryError(str(error))

    def _keyboard(self, buttons: List[Dict[str, str]]) -> Optional[InlineKeyboardMarkup]:
        if not buttons:
            return None
        rows = []
        for button in buttons:
            data = button["payload"]
            if len(data.encode()) > TELEGRAM.button_payload:
                key = _payload_key(data)
                self.payloads[key] = data
                data = key
            rows.append([InlineKeyboardButton(button["title"], callback_data=data)])
        return InlineKeyboardMarkup(rows)


class TelegramOutput(RenderedOutput):
    """Replies to one Telegram chat."""

    limits = TELEGRAM

    @classmethod
    def name(cls) -> Text:
        return CHANNEL


class TelegramInput(InputChannel):
    """Customers on Telegram."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TelegramInput":
        credentials = credentials or {}
        if not credentials.get("token"):
            raise ValueError("Telegram needs `token` in credentials.yml (from @BotFather)")
        mode = credentials.get("mode", "webhook")
        if mode not in ("webhook", "polling"):
            raise ValueError(f"Telegram mode must be 'webhook' or 'polling', not {mode!r}")
        if mode == "webhook" and not credentials.get("secret_token"):
            raise ValueError("Telegram webhook mode needs `secret_token` (1–256 characters A–Z, a–z, 0–9, _ and -)")
        return cls(token=credentials["token"], mode=mode, webhook_url=credentials.get("webhook_url") or "",
                   secret_token=credentials.get("secret_token") or "",
                   base_url=credentials.get("base_url") or "https://api.telegram.org/bot")

    def __init__(self, token: str, mode: str, webhook_url: str, secret_token: str, base_url: str,
                 settings: Optional[Settings] = None) -> None:
        self.token, self.mode, self.webhook_url, self.secret_token = token, mode, webhook_url, secret_token
        self.base_url = base_url
        self.settings = settings or Settings.from_env()
        self.application: Optional[Application] = None
        self.sender: Optional[TelegramSender] = None
        self.payloads: Dict[str, str] = {}
        self._poll_lock: Optional[Any] = None
        self._outbox_task: Optional[asyncio.Task] = None

    def get_output_channel(self) -> Optional[OutputChannel]:
        return TelegramOutput(self.sender) if self.sender else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram = Blueprint("telegram_webhook", __name__)

        @telegram.listener("after_server_start")
        async def start(app: Any, loop: Any) -> None:
            await self._start(on_new_message)

        @telegram.listener("before_server_stop")
        async def stop(app: Any, loop: Any) -> None:
            await self._stop()

        @telegram.get("/")
        async def health(request: Request) -> HTTPResponse:
            if self.application is None:  # still connecting to Telegram, or stopped
                return response.json({"status": "starting", "mode": self.mode}, status=503)
            return response.json({"status": "ok", "mode": self.mode})

        @telegram.post("/webhook")
        async def webhook(request: Request) -> HTTPResponse:
            given = request.headers.get(SECRET_HEADER, "")
            if self.mode != "webhook" or not hmac.compare_digest(given.encode(), self.secret_token.encode()):
                return response.json({"error": "forbidden"}, status=403)
            if self.application is None:
                return response.json({"error": "starting"}, status=503)  # Telegram delivers it again later
            try:
                update = Update.de_json(request.json, self.application.bot)
            except Exception:
                return response.json({"error": "not a Telegram update"}, status=400)
            await self.application.update_queue.put(update)
            return response.json({"ok": True})

        return telegram

    # ── life cycle ────────────────────────────────────────────────────────────────────────────────────────────

    async def _start(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        builder = (ApplicationBuilder().token(self.token).base_url(self.base_url)
                   .base_file_url(telegram_file_url(self.base_url)).concurrent_updates(True))
        if self.mode == "webhook":
            builder = builder.updater(None)
        application = builder.build()
        self.sender = TelegramSender(application.bot, Outbox(self.settings.database_url, CHANNEL), self.payloads)
        self._register(application, on_new_message)
        await application.initialize()
        await application.start()
        if self.mode == "webhook" and self.webhook_url:
            await application.bot.set_webhook(self.webhook_url, secret_token=self.secret_token,
                                              allowed_updates=Update.ALL_TYPES)
        elif self.mode == "polling":
            self._poll_lock = self._lock_polling()
            await application.bot.delete_webhook()
            await application.updater.start_polling(allowed_updates=Update.ALL_TYPES,
                                                    error_callback=self._polling_error)
        self.application = application
        self._outbox_task = asyncio.create_task(self.sender.deliver_outbox_forever())
        logger.info("Telegram channel started in %s mode as @%s", self.mode, application.bot.username)

    async def _stop(self) -> None:
        if self._outbox_task:
            self._outbox_task.cancel()
        if self.application is None:
            return
        if self.application.updater and self.application.updater.running:
            await self.application.updater.stop()
        await self.application.stop()
        await self.application.shutdown()
        self.application = None

    def _lock_polling(self) -> Any:
        """Refuse a second poller on this machine at once; Telegram's 409 catches one elsewhere."""
        path = Path(self.settings.var_dir) / f"telegram-polling-{hashlib.sha256(self.token.encode()).hexdigest()[:12]}.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise SecondPollerError(
                "Another process is already polling Telegram for this bot. Long polling works from one process "
                "only: run a single Rasa process, or use webhook mode (mode: webhook) for several.") from None
        return handle

    def _polling_error(self, error: TelegramError) -> None:
        if "terminated by other getUpdates request" in str(error):
            logger.error("Another process polls Telegram for this bot; only one may. Use webhook mode for several.")
        else:
            logger.warning("Telegram polling error (retrying): %s", error)

    # ── handlers ──────────────────────────────────────────────────────────────────────────────────────────────

    def _register(self, application: Application, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        database_url = self.settings.database_url

        async def once(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            """A repeated update (same update_id) is handled once, also across processes."""
            if not await asyncio.to_thread(first_delivery, database_url, CHANNEL, str(update.update_id)):
                raise ApplicationHandlerStop

        async def forward(update: Update, text: str, metadata: Dict[str, Any]) -> None:
            chat = update.effective_chat
            try:
                if not await asyncio.to_thread(with_staff, database_url, str(chat.id)):
                    await application.bot.send_chat_action(chat.id, ChatAction.TYPING)
            except TelegramError:
                pass  # only a courtesy
            user = update.effective_user
            await on_new_message(UserMessage(
                text, TelegramOutput(self.sender), str(chat.id), input_channel=CHANNEL,
                metadata={"telegram": {"chat_type": chat.type, "user_id": user.id if user else None,
                                       "first_name": user.first_name if user else None, **metadata}}))

        async def start_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            """`/start` greets."""
            await forward(update, GREETING_PAYLOAD, {"command": "start"})

        async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            message = update.effective_message
            text = self._addressed_text(message, application.bot.username)
            if text is None:
                return
            await forward(update, text, {"message_id": message.message_id,
                                         "edited": update.edited_message is not None})

        async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            query = update.callback_query
            try:
                await query.answer()
            except TelegramError:
                pass  # the spinner on the button stops by itself
            payload = self.payloads.get(query.data, query.data) if query.data else ""
            if payload:
                await forward(update, payload, {"button": True})

        application.add_handler(TypeHandler(Update, once), group=-1)
        application.add_handler(CommandHandler("start", start_command))
        application.add_handler(CallbackQueryHandler(button))
        application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, text_message))
        application.add_error_handler(self._on_error)

    @staticmethod
    def _addressed_text(message: Any, username: str) -> Optional[str]:
        """The text meant for the bot; None for group messages not addressed to it."""
        text = message.text or ""
        if message.chat.type == ChatType.PRIVATE:
            return text
        mention = f"@{username}"
        replied_to_bot = bool(message.reply_to_message and message.reply_to_message.from_user
                              and message.reply_to_message.from_user.username == username)
        if mention.lower() in text.lower():
            return re.sub(re.escape(mention), "", text, flags=re.IGNORECASE).strip()
        return text if replied_to_bot else None

    @staticmethod
    async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        logger.error("Telegram update could not be handled: %r", context.error, exc_info=context.error)
