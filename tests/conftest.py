"""Databases for the tests: every database test runs on SQLite and, where configured, on a real PostgreSQL."""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.catalog.importer import import_company_data
from bot.config import ROOT
from bot.db import engine_for, migrate, open_session
from tests.helpers.services import service_url

COMPANY_DATA = ROOT / "data" / "company"


def _postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    postgres_url = service_url("TEST_POSTGRES_URL", "run the database tests on PostgreSQL too")
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        engine_for(url).dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated database of each kind."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'bot.db'}"
        migrate(url)
        yield url
        engine_for(url).dispose()
    else:
        for url in _postgres_database():
            migrate(url)
            yield url


@pytest.fixture
def company_db(database_url: str) -> str:
    """A database holding the demo company."""
    import_company_data(database_url, COMPANY_DATA)
    return database_url


@pytest.fixture
def db(company_db: str):
    with open_session(company_db) as session:
        yield session
