"""Alembic's migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.db import VERSION_TABLE, engine_for, migrate
from bot.db.models import metadata


def test_migrations_match_the_models(database_url: str) -> None:
    migrate(database_url)  # a second run changes nothing
    with engine_for(database_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "version_table": VERSION_TABLE,
            "include_name": lambda name, type_, _parent: type_ != "table" or name in metadata.tables})
        assert compare_metadata(context, metadata) == []
        assert context.get_current_revision() is not None
        assert connection.dialect.has_table(connection, VERSION_TABLE)
