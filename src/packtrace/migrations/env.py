"""Alembic environment. Run through ``packtrace migrate`` (``kit.migrations``), which passes the URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from packtrace.kit.db import is_sqlite, make_engine
from packtrace.models import Base

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=is_sqlite(str(connection.engine.url)),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as new_connection:
        _run(new_connection)
    engine.dispose()
