"""Replies per second and latency through the Telegram webhook path, beside the REST channel, in one run.

20 concurrent chats of 10 turns each; Telegram's side is the local fake Bot API (tests/fakes/telegram_api.py), so
a turn counts from the webhook delivery until the fake has received the reply.   Usage: python bench/channels.py
"""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.report.data import percentile  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402
from tests.helpers.system import RunningSystem, start_system  # noqa: E402

CHATS, TURNS = 20, 10
SECRET = "bench-secret"
# Questions answered with exactly one message each, so a turn ends when one reply has arrived.
QUESTIONS = [
    "Liefert ihr nach Österreich?", "Kann ich mein Rad zurückgeben?", "Wie lange habe ich Garantie?",
    "Kann ich auf Raten zahlen?", "Wann habt ihr geöffnet?", "Wie erreiche ich den Kundenservice?",
    "Wo kann ich eine Probefahrt machen?", "Was kostet eine Inspektion?", "Bietet ihr Dienstrad-Leasing an?",
    "Seit wann gibt es Lindner Radwerk?",
]


def _post(url: str, body: dict, headers: Dict[str, str]) -> None:
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", **headers})
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()


def run(turn: Callable[[int, str], None]) -> Dict[str, float]:
    """Every chat's turns in order, the chats at once; latencies per turn and replies per second overall."""
    latencies: List[float] = []
    lock = threading.Lock()

    def chat(number: int) -> None:
        for question in QUESTIONS[:TURNS]:
            started = time.perf_counter()
            turn(number, question)
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    with ThreadPoolExecutor(CHATS) as pool:
        list(pool.map(chat, range(CHATS)))
    elapsed = time.perf_counter() - started
    return {"replies/s": len(latencies) / elapsed, "p50": statistics.median(latencies),
            "p99": percentile(latencies, 0.99), "turns": len(latencies)}


def telegram_turns(system: RunningSystem, fake: FakeTelegram, offset: int) -> Callable[[int, str], None]:
    url = f"http://127.0.0.1:{system.rasa_port}/webhooks/telegram/webhook"

    def turn(number: int, question: str) -> None:
        chat_id = offset + number
        after = len(fake.calls)
        _post(url, fake.text_update(question, chat_id=chat_id, user_id=chat_id),
              {"X-Telegram-Bot-Api-Secret-Token": SECRET})
        fake.wait_for(lambda call: call["method"] == "sendMessage" and call["params"].get("chat_id") == chat_id
                      and not call.get("failed"), timeout=60, after=after)

    return turn


def rest_turns(system: RunningSystem) -> Callable[[int, str], None]:
    url = f"http://127.0.0.1:{system.rasa_port}/webhooks/rest/webhook"
    senders = {number: f"bench-{uuid.uuid4().hex[:8]}" for number in range(CHATS)}
    return lambda number, question: _post(url, {"sender": senders[number], "message": question}, {})


def main() -> int:
    with FakeTelegram() as fake, tempfile.TemporaryDirectory(prefix="channel-bench-") as workdir:
        system = start_system(Path(workdir), {"TELEGRAM_TOKEN": fake.token, "TELEGRAM_SECRET_TOKEN": SECRET,
                                              "TELEGRAM_API_URL": fake.base_url, "LOG_LEVEL": "WARNING"})
        try:
            run(telegram_turns(system, fake, 900_000))  # warm-up, not counted
            results = {"Telegram webhook": run(telegram_turns(system, fake, 100_000)), "REST": run(rest_turns(system))}
        finally:
            system.stop()
    print(f"\n{CHATS} concurrent chats × {TURNS} turns")
    print(f"{'channel':<18}{'replies/s':>10}{'p50 (ms)':>10}{'p99 (ms)':>10}{'turns':>7}")
    for name, figures in results.items():
        print(f"{name:<18}{figures['replies/s']:>10.1f}{figures['p50']:>10.1f}{figures['p99']:>10.1f}"
              f"{figures['turns']:>7.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
