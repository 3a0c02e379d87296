"""The weekly insights report for product development: figures (data), presentation (render), sending (delivery)."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, List

from bot.config import Settings
from bot.db import open_session


def make_report(settings: Settings, week: str, language: str, directory: Path,
                progress: Callable[[str], None] = lambda _: None) -> List[Path]:
    """Compute the report of `week` and write HTML, Markdown and CSV files; returns their paths."""
    from bot.privacy.pseudonym import conversation_ref
    from bot.report.data import build_report
    from bot.report.render import write_report

    started = time.perf_counter()
    progress(f"Reading conversations, escalations and feedback of {week} …")
    with open_session(settings.database_url) as session:
        report = build_report(session, settings.tracker_store_url, week,
                              lambda c: conversation_ref(c, settings), progress=progress)
    progress(f"Writing the report ({report.conversations} conversations) …")
    paths = write_report(report, directory, language)
    progress(f"Done in {time.perf_counter() - started:.1f} s.")
    return paths
