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


def test_unanswered_questions_and_handoff_ratings_move_into_feedback(database_url: str) -> None:
    from alembic import command
    from sqlalchemy import text

    from bot.db import alembic_config

    config = alembic_config(database_url)
    command.downgrade(config, "0004")
    with engine_for(database_url).begin() as connection:
        connection.execute(text(
            "INSERT INTO unanswered_questions (text, language, channel, conversation_ref, created_at) "
            "VALUES ('Gibt es das E7 in Lila?', 'de', 'telegram', 'abc123', '2026-11-16 10:00:00+00')"))
        connection.execute(text(
            "INSERT INTO escalations (conversation_id, channel, team, priority, reason, status, language, context, "
            "created_at, closed_at, rating, reminders) VALUES ('c-1', 'rest', 'Kundenservice', 'normal', 'person', "
            "'closed', 'en', '[]', '2026-11-16 10:00:00+00', '2026-11-16 10:30:00+00', 4, 0)"))
    command.upgrade(config, "head")
    with engine_for(database_url).connect() as connection:
        rows = connection.execute(text(
            "SELECT kind, text, rating, language, channel, conversation_ref, escalation_id FROM feedback "
            "ORDER BY kind")).all()
    escalation_id = rows[0][6]
    assert [tuple(row) for row in rows] == [
        ("rating", "", 4, "en", "rest", "", escalation_id),
        ("unanswered", "Gibt es das E7 in Lila?", None, "de", "telegram", "abc123", None)]
    assert escalation_id is not None
