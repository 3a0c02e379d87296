"""Several Rasa workers (RASA_WORKERS=2, Redis as the lock store): while a person has a conversation, no worker
answers the customer, whichever worker a message lands on; every message reaches the staff, and handing back works.

Which worker gets a message is the kernel's choice (the workers share one listening socket), so the tests hold
keep-alive connections whose accepting worker they looked up in /proc, and send over connections of both.
"""
from __future__ import annotations

import http.client
import itertools
import json
import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest

from tests.e2e.conftest import STAFF_ADMIN_TOKEN, STAFF_TOKENS, TELEGRAM_SECRET, Platforms
from tests.e2e.test_conversations import Chat
from tests.e2e.test_handoff import staff_api, transcript_with
from tests.e2e.test_serve import _descendants
from tests.e2e.test_telegram import replies
from tests.helpers.services import service_url
from tests.helpers.system import RunningSystem, start_system

WORKERS = 2
QUALITY, SERVICE = STAFF_TOKENS["Qualität & Sicherheit"], STAFF_TOKENS["Kundenservice"]
_chats = itertools.count(9001)

# What a waiting customer writes, much of which the assistant would answer if it were not paused (all German: the
# conversation's language follows the latest message, and which one is latest is up to the workers).
WAITING = [
    "Hallo? Ist da jemand?", "Was kostet das Stadtrad E7?", "Wo bleibt meine Bestellung LR-123456?",
    "Welcher Akku passt zum Stadtrad E7?", "Liefert ihr auch nach Österreich?", "Wann haben Sie geöffnet?",
    "Was kostet das Tour T9?", "Kann ich eine Probefahrt machen?", "Ich warte jetzt schon eine Weile.",
    "Haben Sie offene Stellen?", "Ist der Gipfel X1 lieferbar?", "Bitte melden Sie sich bald!",
]


@pytest.fixture(scope="module")
def system(platforms: Platforms, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """The service with two Rasa workers on Redis, its staff API, and Telegram (webhook mode) against the fake."""
    redis_url = service_url("TEST_REDIS_URL", "run several Rasa workers with Redis")
    running = start_system(tmp_path_factory.mktemp("workers"), {
        "RASA_WORKERS": str(WORKERS), "REDIS_URL": redis_url,
        "STAFF_TOKENS": json.dumps(STAFF_TOKENS), "STAFF_ADMIN_TOKEN": STAFF_ADMIN_TOKEN,
        "TELEGRAM_TOKEN": platforms.telegram.token, "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "TELEGRAM_API_URL": platforms.telegram.base_url, "TELEGRAM_MODE": "webhook",
    })
    yield running
    running.stop()


# ── which process serves what, from /proc ─────────────────────────────────────────────────────────────────────

def _command(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _sockets(pid: int) -> Set[int]:
    """The inodes of the sockets a process has open."""
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(int(target[8:-1]))
    return found


def _tcp(port: int) -> List[Tuple[int, str, int]]:
    """(remote port, state, inode) of every IPv4 socket on local `port`; state 0A is listening, 01 connected."""
    found = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port:
            found.append((int(fields[2].split(":")[1], 16), fields[3], int(fields[9])))
    return found


def _listening(root: int, port: int) -> List[int]:
    """`root` and the processes under it that hold the socket listening on `port`."""
    listener = {inode for _, state, inode in _tcp(port) if state == "0A"}
    return [pid for pid in [root, *_descendants(root)] if _sockets(pid) & listener]


def _started(system: RunningSystem, fragment: str) -> int:
    """The process `python -m bot serve` started whose command line contains `fragment`."""
    [pid] = [pid for pid in _descendants(system.process.pid)
             if _parent(pid) == system.process.pid and fragment in _command(pid)]
    return pid


def rasa_workers(system: RunningSystem) -> List[int]:
    """The Rasa server's workers: the processes under `rasa run` that share its listening socket."""
    rasa = _started(system, "rasa run --model")
    return [pid for pid in _listening(rasa, system.rasa_port) if pid != rasa]


def _accepted_by(system: RunningSystem, connection: http.client.HTTPConnection, workers: List[int],
                 timeout: float = 120) -> int:
    """The worker that accepted `connection` (a worker still loading its model accepts nothing yet)."""
    client_port = connection.sock.getsockname()[1]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        inodes = {inode for remote, state, inode in _tcp(system.rasa_port) if remote == client_port and inode}
        for pid in workers:
            if _sockets(pid) & inodes:
                return pid
        time.sleep(0.05)
    raise AssertionError(f"no worker accepted the connection from port {client_port}")


def connections_to_each_worker(system: RunningSystem, each: int) -> Dict[int, List[http.client.HTTPConnection]]:
    """Open connections to Rasa one by one until every worker has accepted `each` of them; closes the others."""
    workers = rasa_workers(system)
    held: Dict[int, List[http.client.HTTPConnection]] = {pid: [] for pid in workers}
    deadline = time.monotonic() + 120
    while any(len(connections) < each for connections in held.values()):
        assert time.monotonic() < deadline, {pid: len(connections) for pid, connections in held.items()}
        connection = http.client.HTTPConnection("127.0.0.1", system.rasa_port, timeout=120)
        connection.connect()
        worker = _accepted_by(system, connection, workers)
        if len(held[worker]) < each:
            held[worker].append(connection)
        else:
            connection.close()
    return held


def _alternating(held: Dict[int, List[http.client.HTTPConnection]]) -> List[Tuple[int, http.client.HTTPConnection]]:
    """(worker, connection), one worker after the other."""
    rounds = zip(*([(pid, c) for c in connections] for pid, connections in held.items()))
    return [pair for one_round in rounds for pair in one_round]


def post_all_at_once(requests: List[Tuple[http.client.HTTPConnection, str, dict, Dict[str, str]]]) -> List[tuple]:
    """POST each (connection, path, JSON body, headers) at the same time; (status, JSON answer) in order."""
    def post(request: Tuple[http.client.HTTPConnection, str, dict, Dict[str, str]]) -> tuple:
        connection, path, body, headers = request
        connection.request("POST", path, json.dumps(body).encode(), {"Content-Type": "application/json", **headers})
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read() or b"null")

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(post, requests))


def _escalation(system: RunningSystem, conversation_id: str, token: str) -> dict:
    status, listed = staff_api(system, "GET", f"/escalations?conversation_id={conversation_id}", token)
    assert status == 200 and len(listed["escalations"]) == 1, listed
    return listed["escalations"][0]


def _said(transcript: List[dict], by: str) -> List[str]:
    return [m["text"] for m in transcript if m["from"] == by]


# ── the tests ─────────────────────────────────────────────────────────────────────────────────────────────────

def test_two_rasa_workers_each_serve_and_the_other_processes_stay_single(system: RunningSystem) -> None:
    workers = rasa_workers(system)
    assert len(workers) == WORKERS
    held = connections_to_each_worker(system, 2)
    assert sorted(held) == sorted(workers)
    for pid, connection in _alternating(held):
        connection.request("GET", "/")
        answer = connection.getresponse()
        assert answer.status == 200 and answer.read().startswith(b"Hello from Rasa"), pid
        connection.close()
    # Only Rasa gets several workers: the action server and the staff service listen from one process each.
    for fragment, port in (("rasa run actions", system.action_port), ("-m bot console", system.console_port)):
        process = _started(system, fragment)
        assert _listening(process, port) == [process], fragment


def test_no_worker_answers_a_rest_customer_while_a_person_has_the_conversation(system: RunningSystem) -> None:
    chat = Chat(system)
    assert "Kundenservice" in chat.say("Ich möchte mit einem Menschen sprechen")
    escalation = _escalation(system, chat.sender, SERVICE)
    assert (escalation["team"], escalation["status"], escalation["channel"]) == ("Kundenservice", "open", "rest")
    number = escalation["id"]
    handoff_notice = _said(staff_api(system, "GET", f"/escalations/{number}", SERVICE)[1]["transcript"], "assistant")
    assert handoff_notice

    # Twelve messages at once, half of them to each worker: each is taken without an answer.
    sending = _alternating(connections_to_each_worker(system, len(WAITING) // WORKERS))
    answers = post_all_at_once([(connection, "/webhooks/rest/webhook", {"sender": chat.sender, "message": text}, {})
                                for (_, connection), text in zip(sending, WAITING)])
    assert answers == [(200, [])] * len(WAITING)
    assert Counter(pid for pid, _ in sending) == {pid: len(WAITING) // WORKERS for pid in rasa_workers(system)}

    # Staff see every one of them exactly once, and the assistant said nothing after its handoff notice.
    transcript = transcript_with(system, number, WAITING[-1], SERVICE)
    assert Counter(_said(transcript, "customer")) == Counter(WAITING)
    assert _said(transcript, "assistant") == handoff_notice

    staff_text = "Hier ist der Kundenservice, Herr Brandt. Ich kümmere mich um Ihre Fragen."
    status, answered = staff_api(system, "POST", f"/escalations/{number}/reply", SERVICE, {"text": staff_text})
    assert status == 200 and answered["first_staff_reply_at"], answered
    status, closed = staff_api(system, "POST", f"/escalations/{number}/close", SERVICE)
    assert status == 200 and closed["status"] == "closed", closed
    transcript = staff_api(system, "GET", f"/escalations/{number}", SERVICE)[1]["transcript"]
    assert _said(transcript, "staff") == [staff_text]
    back = "\n".join(_said(transcript, "assistant")[len(handoff_notice):])
    assert "wieder ich" in back and "Wie zufrieden" in back, back

    assert "2.799 €" in chat.say("Was kostet das Stadtrad E7?")  # the assistant answers again


def test_a_telegram_customer_waits_for_the_person_on_every_worker_and_gets_the_staff_reply(
        system: RunningSystem, platforms: Platforms) -> None:
    telegram, chat = platforms.telegram, next(_chats)
    webhook = "/webhooks/telegram/webhook"
    secret = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    sending = _alternating(connections_to_each_worker(system, 1))
    post_all_at_once([(sending[0][1], webhook, telegram.text_update("Mein Akku hat geraucht!", chat_id=chat,
                                                                    user_id=chat), secret)])
    advice, handoff = [m["params"]["text"] for m in replies(telegram, chat, 2)]
    assert "112" in advice and "Qualität & Sicherheit" in handoff
    escalation = _escalation(system, str(chat), QUALITY)
    assert (escalation["priority"], escalation["status"], escalation["channel"]) == ("critical", "open", "telegram")
    number = escalation["id"]
    typing_before = len(telegram.sent("sendChatAction", chat))

    sending = _alternating(connections_to_each_worker(system, len(WAITING) // WORKERS))
    updates = [telegram.text_update(text, chat_id=chat, user_id=chat) for text in WAITING]
    answers = post_all_at_once([(connection, webhook, update, secret)
                                for (_, connection), update in zip(sending, updates)])
    assert [status for status, _ in answers] == [200] * len(WAITING)

    # Every message reaches the staff once; the customer gets no answer and no typing indicator from any worker.
    for text in WAITING:
        transcript = transcript_with(system, number, text, QUALITY)
    time.sleep(2)  # room for an answer a worker should not have sent to arrive too
    assert Counter(_said(transcript, "customer")) == Counter(WAITING)
    assert len(telegram.sent("sendMessage", chat)) == 2
    assert len(telegram.sent("sendChatAction", chat)) == typing_before

    staff_text = "Hier ist das Team Qualität & Sicherheit: Bitte stellen Sie den Akku ins Freie, wir rufen Sie an."
    status, answered = staff_api(system, "POST", f"/escalations/{number}/reply", QUALITY, {"text": staff_text})
    assert status == 200 and answered["first_staff_reply_at"], answered
    assert replies(telegram, chat, 3)[2]["params"]["text"] == staff_text

    status, closed = staff_api(system, "POST", f"/escalations/{number}/close", QUALITY)
    assert status == 200 and closed["status"] == "closed", closed
    back, rating = replies(telegram, chat, 5)[3:5]
    assert "wieder" in back["params"]["text"] and "Wie zufrieden" in rating["params"]["text"]
    buttons = [b["text"] for row in rating["params"]["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["1", "2", "3", "4", "5"]

    sending = _alternating(connections_to_each_worker(system, 1))
    post_all_at_once([(sending[-1][1], webhook, telegram.text_update("Was kostet das Stadtrad E7?", chat_id=chat,
                                                                     user_id=chat), secret)])
    assert "2.799 €" in replies(telegram, chat, 6)[5]["params"]["text"]
