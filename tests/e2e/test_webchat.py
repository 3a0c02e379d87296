"""The web chat end to end: the demo page in Chromium, the rasa-webchat widget over socket.io to the running Rasa.

Needs Debian's Chromium (/usr/bin/chromium, driven by Playwright without a browser download) and the npm bundle
(scripts/env.sh installs it). Without them the module is skipped locally and fails in CI, where they must be.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterator, List

import pytest
import socketio

from bot.console.webchat import WIDGET
from tests.helpers.system import RunningSystem, http_json, start_system

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
REPLY_TIMEOUT = 30_000  # ms: the first answer waits for the action server and the database


def _missing() -> List[str]:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not WIDGET.is_file():
        missing.append(f"the rasa-webchat bundle {WIDGET} (npm ci in web/)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the Python package playwright")
    return missing


MISSING = _missing()
if MISSING:
    reason = "the web chat test needs " + ", ".join(MISSING)
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module", params=["in-memory rooms", "rooms in Redis"])
def system(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """The running service; with Redis a second time, as several Rasa processes would run it."""
    if request.param == "in-memory rooms":
        yield request.getfixturevalue("plain_system")
        return
    if not os.environ.get("TEST_REDIS_URL"):
        pytest.skip("TEST_REDIS_URL is not set")
    running = start_system(tmp_path_factory.mktemp("webchat"), {"REDIS_URL": os.environ["TEST_REDIS_URL"]})
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh visitor: its own browser storage, so its own conversation."""
    context = browser.new_context(locale="de-DE")
    yield context.new_page()
    context.close()


def open_chat(page: Page, system: RunningSystem) -> None:
    """Open the demo page and the chat, and wait for the greeting (the widget's initial /greet)."""
    page.goto(f"http://127.0.0.1:{system.console_port}/")
    page.locator(".rw-launcher").click()
    expect(page.locator(".rw-response .rw-message-text").first).to_be_visible(timeout=REPLY_TIMEOUT)


def ask(page: Page, question: str) -> None:
    page.locator(".rw-new-message").fill(question)
    page.keyboard.press("Enter")


def session_id(page: Page) -> str:
    """The conversation id: the widget keeps it in localStorage, and it names the socket.io room."""
    return json.loads(page.evaluate("localStorage.getItem('chat_session')"))["session_id"]


def test_a_customer_gets_answers_and_keeps_the_conversation_after_a_reload(system: RunningSystem, page: Page) -> None:
    open_chat(page, system)
    messages = page.locator(".rw-messages-container")
    ask(page, "Was kostet das Stadtrad E7?")
    expect(messages).to_contain_text("2.799 €", timeout=REPLY_TIMEOUT)

    page.reload()
    expect(messages).to_contain_text("Was kostet das Stadtrad E7?")
    expect(messages).to_contain_text("2.799 €")
    ask(page, "Welcher Akku passt zum Stadtrad E7?")  # the same conversation goes on over the new connection
    expect(messages).to_contain_text("Akku 625 Wh", timeout=REPLY_TIMEOUT)


def test_a_staff_message_pushed_through_rasa_appears_in_the_open_page(system: RunningSystem, page: Page) -> None:
    open_chat(page, system)
    token = system.env.get("RASA_API_TOKEN") or (Path(system.env["BOT_VAR_DIR"]) / "rasa-api.token").read_text().strip()
    status, body = http_json(
        f"http://127.0.0.1:{system.rasa_port}/conversations/{session_id(page)}/tracker/events"
        f"?output_channel=latest&execute_side_effects=true&token={token}",
        {"event": "bot", "text": "Hier ist Kundenservice-1, ich übernehme."})
    assert status == 200, body
    expect(page.locator(".rw-messages-container")).to_contain_text("Hier ist Kundenservice-1, ich übernehme.")


@pytest.mark.parametrize("system", ["rooms in Redis"], indirect=True)
def test_with_redis_a_message_from_another_process_reaches_the_browser(system: RunningSystem, page: Page) -> None:
    open_chat(page, system)
    # What another Rasa process's output channel does: emit to the conversation's room through Redis.
    # (The synchronous manager publishes the same message; Playwright's sync API already runs an event loop.)
    socketio.RedisManager(system.env["REDIS_URL"], write_only=True).emit(
        "bot_uttered", {"text": "Grüße aus einem anderen Prozess."}, room=session_id(page))
    expect(page.locator(".rw-messages-container")).to_contain_text("Grüße aus einem anderen Prozess.")
