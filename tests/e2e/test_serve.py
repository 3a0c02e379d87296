"""The start command: runs on SQLite or on PostgreSQL with Redis, and Ctrl-C stops every process it started."""
from __future__ import annotations

import os
from pathlib import Path
from typing import List

import pytest
from sqlalchemy import inspect

from bot.db import engine_for
from tests.conftest import _postgres_database
from tests.helpers.services import service_url
from tests.helpers.system import RunningSystem, listening, new_sender, start_system


def _descendants(pid: int) -> List[int]:
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _converse(system: RunningSystem) -> None:
    sender = new_sender()
    assert "Bestellnummer" in system.say("Wo bleibt meine Bestellung?", sender)[0]["text"]
    assert "LR-123456" in system.say("LR-123456", sender)[0]["text"]


def _ctrl_c_stops_everything(system: RunningSystem) -> None:
    children = _descendants(system.process.pid)
    assert len(children) >= 3
    assert system.stop() == 0
    assert [pid for pid in children if os.path.exists(f"/proc/{pid}")] == []
    assert not any(listening(p) for p in (system.rasa_port, system.action_port, system.console_port))


def test_on_sqlite_and_ctrl_c_stops_every_process(tmp_path: Path) -> None:
    system = start_system(tmp_path / "var")
    try:
        _converse(system)
        assert (tmp_path / "var" / "bot.db").exists() and (tmp_path / "var" / "rasa.db").exists()
    finally:
        _ctrl_c_stops_everything(system)


def test_on_postgresql_with_redis_lock_store(tmp_path: Path) -> None:
    redis_url = service_url("TEST_REDIS_URL", "run the scale-out path with Redis")
    for database_url in _postgres_database():
        system = start_system(tmp_path / "var", {"DATABASE_URL": database_url, "REDIS_URL": redis_url})
        try:
            _converse(system)
            tables = set(inspect(engine_for(database_url)).get_table_names())
            assert {"events", "products", "feedback", "bot_alembic_version"} <= tables
            assert not (tmp_path / "var" / "bot.db").exists()
        finally:
            _ctrl_c_stops_everything(system)
