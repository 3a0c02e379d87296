"""The web chat end to end: the demo page in Chromium, the rasa-webchat widget over socket.io to the running Rasa.

Needs Debian's Chromium (/usr/bin/chromium, driven by Playwright without a browser download) and the npm bundle
(scripts/env.sh installs it). Without them the module is skipped locally and fails in CI, where they must be.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator, List
from urllib.parse import quote

import pytest

from bot.console.webchat import WIDGET
from tests.e2e.conftest import STAFF_ADMIN_TOKEN, STAFF_TOKENS
from tests.e2e.test_handoff import staff_api, transcript_with
from tests.helpers.services import missing, service_url
from tests.helpers.system import RunningSystem, start_system

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
    missing("the web chat test needs " + ", ".join(MISSING), "test the web chat in a real browser")

from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright  # noqa: E402


# The staff API's tokens; the same pseudonym key on every process, as the README asks of several machines.
STAFF_API = {"STAFF_TOKENS": json.dumps(STAFF_TOKENS), "STAFF_ADMIN_TOKEN": STAFF_ADMIN_TOKEN,
             "PSEUDONYM_KEY": "webchat-tests-pseudonym-key"}
SERVICE = STAFF_TOKENS["Kundenservice"]


@pytest.fixture(scope="module", params=["in-memory rooms", "rooms in Redis"])
def system(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """The running service with its staff API; with Redis a second time, as several Rasa processes would run it.

    With in-memory rooms it is the service with every channel (the web chat is always on) that the other
    end-to-end modules share, so no further system is started for it.
    """
    if request.param == "in-memory rooms":
        yield request.getfixturevalue("channels_system")
        return
    redis_url = service_url("TEST_REDIS_URL", "run the web chat with rooms in Redis")
    running = start_system(tmp_path_factory.mktemp("webchat"), {"REDIS_URL": redis_url, **STAFF_API})
    yield running
    running.stop()


@pytest.fixture(scope="module")
def second_process(system: RunningSystem, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """A second service beside `system` (its own Rasa, action server and staff service) on the same database,
    conversations and Redis, as a second machine runs it."""
    running = start_system(tmp_path_factory.mktemp("webchat-second"), {
        **STAFF_API, "REDIS_URL": system.env["REDIS_URL"], "DATABASE_URL": system.database_url,
        "TRACKER_STORE_URL": f"sqlite:///{system.var_dir / 'rasa.db'}"})
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


def bot_messages(page: Page) -> Locator:
    return page.locator(".rw-response .rw-message-text")


def escalate(page: Page, system: RunningSystem) -> dict:
    """Ask for a person in the open chat, see the handoff notice; the escalation as the staff API lists it."""
    ask(page, "Ich möchte bitte mit einem Menschen sprechen")
    expect(page.locator(".rw-messages-container")).to_contain_text(
        "Ich gebe Ihr Anliegen an unser Team Kundenservice weiter", timeout=REPLY_TIMEOUT)
    status, listed = staff_api(system, "GET", f"/escalations?conversation_id={quote(session_id(page), safe='')}",
                               SERVICE)
    assert status == 200 and len(listed["escalations"]) == 1, listed
    escalation = listed["escalations"][0]
    assert (escalation["team"], escalation["status"], escalation["channel"]) == ("Kundenservice", "open", "socketio")
    return escalation


def close_and_rate(page: Page, system: RunningSystem, number: int) -> None:
    """Staff close: the page shows the assistant is back and asks for stars; the customer's 4 is stored."""
    status, closed = staff_api(system, "POST", f"/escalations/{number}/close", SERVICE)
    assert status == 200 and closed["status"] == "closed", closed
    messages = page.locator(".rw-messages-container")
    expect(messages).to_contain_text("ab jetzt bin wieder ich, der digitale Assistent", timeout=REPLY_TIMEOUT)
    expect(messages).to_contain_text("Wie zufrieden waren Sie mit der Hilfe?", timeout=REPLY_TIMEOUT)
    stars = page.locator(".rw-replies .rw-reply")
    expect(stars).to_have_count(5)
    stars.nth(3).click()
    expect(messages).to_contain_text("Vielen Dank für Ihre Bewertung", timeout=REPLY_TIMEOUT)
    assert staff_api(system, "GET", f"/escalations/{number}", SERVICE)[1]["rating"] == 4


def test_staff_take_over_the_conversation_in_the_open_page_and_hand_it_back(system: RunningSystem,
                                                                             page: Page) -> None:
    open_chat(page, system)
    messages = page.locator(".rw-messages-container")
    ask(page, "Was kostet das Stadtrad E7?")
    expect(messages).to_contain_text("2.799 €", timeout=REPLY_TIMEOUT)
    number = escalate(page, system)["id"]

    # While the person has the conversation, the assistant stays silent and staff see what the customer writes.
    answered = bot_messages(page).count()
    ask(page, "Danke, ich warte. Geht es um mein Stadtrad E7?")
    transcript = transcript_with(system, number, "Danke, ich warte. Geht es um mein Stadtrad E7?", SERVICE)
    assert any("Stadtrad E7" in m["text"] and m["from"] == "customer" for m in transcript)
    page.wait_for_timeout(1000)
    expect(bot_messages(page)).to_have_count(answered)

    status, claimed = staff_api(system, "POST", f"/escalations/{number}/claim", SERVICE)
    assert status == 200 and claimed["status"] == "claimed", claimed
    staff_text = "Hier ist Kundenservice, Frau Albers. Ich habe Ihre Nachricht und kümmere mich darum."
    status, answered_by_staff = staff_api(system, "POST", f"/escalations/{number}/reply", SERVICE, {"text": staff_text})
    assert status == 200 and answered_by_staff["first_staff_reply_at"], answered_by_staff
    expect(bot_messages(page).last).to_have_text(staff_text, timeout=REPLY_TIMEOUT)

    close_and_rate(page, system, number)
    ask(page, "Welcher Akku passt zum Stadtrad E7?")  # the assistant answers again
    expect(messages).to_contain_text("Akku 625 Wh", timeout=REPLY_TIMEOUT)


@pytest.mark.parametrize("system", ["rooms in Redis"], indirect=True)
def test_with_redis_a_staff_reply_through_another_rasa_process_reaches_the_browser(
        system: RunningSystem, second_process: RunningSystem, page: Page) -> None:
    """The browser is connected to one Rasa process; staff work through another service on the same data."""
    open_chat(page, system)
    number = escalate(page, system)["id"]
    assert staff_api(second_process, "GET", f"/escalations/{number}", SERVICE)[0] == 200

    staff_text = "Grüße aus dem Kundenservice, über einen anderen Rasa-Prozess."
    status, body = staff_api(second_process, "POST", f"/escalations/{number}/reply", SERVICE, {"text": staff_text})
    assert status == 200, body
    expect(bot_messages(page).last).to_have_text(staff_text, timeout=REPLY_TIMEOUT)
    close_and_rate(page, second_process, number)
