"""`python -m bot COMMAND`: serve, import, train, migrate, console."""
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
    return 1


if __name__ == "__main__":
    sys.exit(main())
