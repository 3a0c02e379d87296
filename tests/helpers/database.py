"""Looking at a whole database at once, to show that something changed nothing."""
from __future__ import annotations

from typing import Dict, List

from sqlalchemy import select

from bot.db import open_session
from bot.db.models import metadata


def snapshot(database_url: str) -> Dict[str, List[tuple]]:
    """Every row of every one of our tables, sorted, so two snapshots compare equal exactly when nothing changed."""
    with open_session(database_url) as session:
        return {
            name: sorted((tuple(str(v) for v in row) for row in session.execute(select(table))), key=repr)
            for name, table in metadata.tables.items()
        }
