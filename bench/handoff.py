"""Time from a critical customer message to the staff notification arriving at the (fake) Telegram staff group.

Usage: python bench/handoff.py [--messages N]   Prints p50 and p99; goal p99 ≤ 1 s.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.channels import SECRET, _post  # noqa: E402
from bot.report.data import percentile  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402
from tests.helpers.system import start_system  # noqa: E402

STAFF_CHAT = -1009876543210
GOAL_P99_MS = 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=40)
    args = parser.parse_args()
    with FakeTelegram() as customers, FakeTelegram("654321:STAFF", "staff_bot") as staff, \
            tempfile.TemporaryDirectory(prefix="handoff-bench-") as workdir:
        system = start_system(Path(workdir), {
            "TELEGRAM_TOKEN": customers.token, "TELEGRAM_SECRET_TOKEN": SECRET, "TELEGRAM_API_URL": customers.base_url,
            "STAFF_TELEGRAM_TOKEN": staff.token, "STAFF_TELEGRAM_CHAT_ID": str(STAFF_CHAT),
            "STAFF_TELEGRAM_API_URL": staff.base_url, "LOG_LEVEL": "WARNING"})
        latencies = []
        try:
            url = f"http://127.0.0.1:{system.rasa_port}/webhooks/telegram/webhook"
            for number in range(args.messages + 1):
                chat = 300_000 + number
                marker = f"Fall {number}"
                after = len(staff.calls)
                started = time.perf_counter()
                _post(url, customers.text_update(f"{marker}: Mein Akku raucht und ist ganz heiß!", chat_id=chat,
                                                 user_id=chat), {"X-Telegram-Bot-Api-Secret-Token": SECRET})
                staff.wait_for(lambda c: c["method"] == "sendMessage" and marker in c["params"].get("text", ""),
                               timeout=30, after=after)
                if number:  # the first one warms up
                    latencies.append((time.perf_counter() - started) * 1000)
        finally:
            system.stop()
    p99 = percentile(latencies, 0.99)
    print(f"\ncritical message → staff group card ({len(latencies)} escalations, one at a time)")
    print(f"p50 {statistics.median(latencies):.0f} ms   p99 {p99:.0f} ms   "
          f"goal p99 ≤ {GOAL_P99_MS} ms: {'ok' if p99 <= GOAL_P99_MS else 'ABOVE GOAL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
