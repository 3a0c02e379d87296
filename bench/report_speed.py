"""Time to build the weekly report for 10,000 conversations (goal ≤ 10 s), with a previous week to compare with.

The weeks are generated into a temporary SQLite database (bot/report/seed.py), then the report is computed and its
HTML, Markdown and CSV files written, as `python -m bot report` does.   Usage: python bench/report_speed.py [N]
"""
from __future__ import annotations

import sys
import tempfile
import time
import hashlib
import hmac
import resource
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_SECONDS = 10.0


def pseudonym(conversation_id: str) -> str:
    """As bot/privacy/pseudonym.py makes them: an HMAC-SHA256, cut to 16 hex digits."""
    return hmac.new(b"bench", conversation_id.encode(), hashlib.sha256).hexdigest()[:16]


def main() -> int:
    from bot.catalog.importer import import_company_data
    from bot.db import migrate, open_session
    from bot.report.data import build_report
    from bot.report.render import write_report
    from bot.report.seed import seed_week

    conversations = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as folder:
        database, tracker = f"sqlite:///{folder}/bot.db", f"sqlite:///{folder}/rasa.db"
        migrate(database)
        import_company_data(database, ROOT / "data" / "company")
        print(f"Generating two weeks of {conversations} conversations …", flush=True)
        started = time.perf_counter()
        seed_week(database, tracker, "2026-W46", conversations, pseudonym, progress=print)
        made = seed_week(database, tracker, "2026-W47", conversations, pseudonym, progress=print)
        print(f"  generated in {time.perf_counter() - started:.1f} s: {sum(made.feedback.values())} pieces of feedback "
              f"and {sum(made.escalations.values())} escalations in the reported week\n", flush=True)

        started = time.perf_counter()
        with open_session(database) as session:
            report = build_report(session, tracker, "2026-W47", pseudonym)
        computed = time.perf_counter() - started
        paths = write_report(report, Path(folder) / "reports", "de")
        total = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"{'step':<34}{'seconds':>9}")
    print(f"{'figures and topics':<34}{computed:>9.2f}")
    print(f"{'HTML, Markdown and CSV':<34}{total - computed:>9.2f}")
    print(f"{'report for ' + format(conversations, ',') + ' conversations':<34}{total:>9.2f}  goal ≤ {GOAL_SECONDS} s  "
          f"{'ok' if total <= GOAL_SECONDS else 'ABOVE GOAL'}")
    print(f"peak resident memory of the process (generation included): {peak:.0f} MiB; {len(paths)} files written")
    return 0 if total <= GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
