"""Schema migrations (Alembic), shipped inside the package so an installed PackTrace can migrate."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

import packtrace

MIGRATIONS_DIR = Path(packtrace.__file__).parent / "migrations"


def alembic_config(url: str, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would read a "%" in a password as a placeholder.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url: str, connection: Connection | None = None) -> None:
    command.upgrade(alembic_config(url, connection), "head")


def downgrade_to_base(url: str, connection: Connection | None = None) -> None:
    command.downgrade(alembic_config(url, connection), "base")
