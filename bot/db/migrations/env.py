"""Alembic environment: our metadata only, with our own version table beside Rasa's tables."""
from alembic import context
from sqlalchemy import create_engine, text

from bot.db import VERSION_TABLE
from bot.db.models import metadata

config = context.config
engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url"), future=True)

with engine.connect() as connection:
    if connection.dialect.name == "sqlite":
        # Batch migrations copy a table and drop the old one; with foreign keys on, that drop would cascade to (or
        # null) the rows referring to it. The pragma only takes effect outside a transaction, hence the commit.
        connection.execute(text("PRAGMA foreign_keys=OFF"))
        connection.commit()
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
    if connection.dialect.name == "sqlite":
        connection.execute(text("PRAGMA foreign_keys=ON"))  # the connection goes back to the pool
        connection.commit()
