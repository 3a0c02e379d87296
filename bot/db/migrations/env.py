"""Alembic environment: our metadata only, with our own version table beside Rasa's tables."""
from alembic import context
from sqlalchemy import create_engine

from bot.db import VERSION_TABLE
from bot.db.models import metadata

config = context.config
engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url"), future=True)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=lambda name, type_, _parent: type_ != "table" or name in metadata.tables,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
