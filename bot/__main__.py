"""`python -m bot COMMAND`: serve, import, train, migrate, console, report, seed-week."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Lindner Radwerk customer-dialogue service")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="migrate, import, train when stale, and run everything (Ctrl-C stops)")
    importer = commands.add_parser("import", help="import data/company/*.yaml into the database (idempotent)")
    importer.add_argument("--data", type=Path, help="folder with the company's YAML files (default: data/company)")
    commands.add_parser("migrate", help="create or upgrade our database tables")
    commands.add_parser("train", help="train the model unless an up-to-date one exists; prints its path")
    commands.add_parser("console", help="run only the staff service (Sanic)")
    report = commands.add_parser("report", help="write the weekly insights report (HTML, Markdown, CSV)")
    report.add_argument("--week", help="ISO week such as 2026-W47 (default: last week)")
    report.add_argument("--lang", choices=("de", "en"), help="language of the report (default: REPORT_LANGUAGE, de)")
    report.add_argument("--out", type=Path, help="folder for the reports (default: REPORTS_DIR, var/reports)")
    seed = commands.add_parser("seed-week", help="generate a week of demo conversations and feedback (for trying "
                                                 "the report; never on a live database)")
    seed.add_argument("--week", required=True, help="ISO week such as 2026-W47")
    seed.add_argument("--conversations", type=int, default=2000)
    args = parser.parse_args(argv)
    settings = Settings.from_env()

    if args.command == "serve":
        from bot.serve import serve

        return serve(settings)
    if args.command in ("import", "migrate"):
        from bot.db import migrate

        migrate(settings.database_url)
        if args.command == "migrate":
            print("Database is up to date.")
            return 0
        from bot.catalog.importer import ImportProblem, import_company_data

        try:
            import_company_data(settings.database_url, args.data or settings.data_dir, progress=print)
        except ImportProblem as problem:
            print(f"Import stopped, nothing was changed: {problem}", file=sys.stderr)
            return 2
        print("Import finished.")
        return 0
    if args.command == "train":
        from bot.model import ensure_model

        print(ensure_model(settings))
        return 0
    if args.command == "console":
        from bot.console.app import create_app

        create_app(settings).run(host=settings.host, port=settings.console_port, access_log=False)
        return 0
    if args.command == "report":
        from datetime import datetime, timezone

        from bot.db import migrate
        from bot.report import make_report
        from bot.report.data import last_week, parse_week

        week = args.week or last_week(datetime.now(timezone.utc))
        try:
            parse_week(week)
        except ValueError as error:
            print(error, file=sys.stderr)
            return 2
        migrate(settings.database_url)
        for path in make_report(settings, week, args.lang or settings.report_language, args.out or settings.reports_dir,
                                progress=print):
            print(f"  {path}")
        return 0
    if args.command == "seed-week":
        from bot.db import migrate
        from bot.privacy.pseudonym import conversation_ref
        from bot.report.seed import seed_week

        migrate(settings.database_url)
        print(f"Generating {args.conversations} conversations in {args.week} …")
        made = seed_week(settings.database_url, settings.tracker_store_url, args.week, args.conversations,
                         lambda c: conversation_ref(c, settings), progress=print)
        print(f"Done: {made.conversations} conversations, {sum(made.escalations.values())} escalations, "
              f"{sum(made.feedback.values())} pieces of feedback.")
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
