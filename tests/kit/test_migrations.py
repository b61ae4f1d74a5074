"""Migrations carry the data over: each test migrates a fresh database of its own (a SQLite file, or a
PostgreSQL schema) to the revision before, writes rows as that revision held them, and migrates on."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text

from packtrace.kit.db import make_engine
from packtrace.kit.migrations import alembic_config
from packtrace.models import Base
from packtrace.serials.repository import serial_states
from tests.conftest import DatabaseUnderTest
from tests.support import postgres_schema

STATES = serial_states()


@pytest.fixture
def fresh_url(test_database: DatabaseUnderTest) -> Iterator[str]:
    """The URL of an empty database of its own, dropped afterwards."""
    if not test_database.is_postgres:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'migrations.db'}"
        return
    with postgres_schema(test_database.url, "packtrace_mig") as url:
        yield url


@pytest.fixture
def engine(fresh_url: str) -> Iterator[Engine]:
    engine = make_engine(fresh_url)
    yield engine
    engine.dispose()


# (serial, product, status, source, order_pk) as revision 0005 held them, in one table.
SERIALS_0005 = [
    ("POOL-1", 1, "Available", "internal", None),
    ("POOL-2", 1, "Available", "internal", None),
    ("ORDER-7", 1, "Assigned", "internal", 7),
    ("LOOSE-1", 1, "Assigned", "external", None),
    ("POOL-OF-2", 2, "Available", "internal", None),
]


def _states(engine: Engine) -> dict[str, tuple[int, str, str, int | None]]:
    query = select(STATES.c.serial, STATES.c.product_id, STATES.c.status, STATES.c.source, STATES.c.order_pk)
    with engine.connect() as conn:
        return {
            serial: (product, status, source, order) for serial, product, status, source, order in conn.execute(query)
        }


def test_0006_moves_the_pool_into_its_own_table_and_back(fresh_url: str, engine: Engine) -> None:
    config = alembic_config(fresh_url)
    command.upgrade(config, "0005")
    with engine.begin() as conn:
        for serial, product, status, source, order_pk in SERIALS_0005:
            conn.execute(
                text(
                    "INSERT INTO serial_numbers (tenant_id, product_id, serial, status, source, order_pk, created_at)"
                    " VALUES (1, :product, :serial, :status, :source, :order_pk, CURRENT_TIMESTAMP)"
                ),
                {"product": product, "serial": serial, "status": status, "source": source, "order_pk": order_pk},
            )

    command.upgrade(config, "0006")
    assert _states(engine) == {s: (product, status, source, o) for s, product, status, source, o in SERIALS_0005}
    with engine.connect() as conn:
        pool = {
            (product, serial) for product, serial in conn.execute(text("SELECT product_id, serial FROM serial_pool"))
        }
        assert pool == {(1, "POOL-1"), (1, "POOL-2"), (2, "POOL-OF-2")}
        assert conn.scalar(text("SELECT count(*) FROM order_serials")) == 0
    assert "status" not in {c["name"] for c in inspect(engine).get_columns("serial_numbers")}

    # Drawn for order 9 after the upgrade: the link, not the registry, holds the order.
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO order_serials (tenant_id, order_pk, serial_id, serial) "
                "SELECT tenant_id, 9, serial_id, serial FROM serial_pool WHERE serial = 'POOL-2'"
            )
        )
        conn.execute(text("DELETE FROM serial_pool WHERE serial = 'POOL-2'"))

    command.downgrade(config, "0005")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT serial, product_id, status, source, order_pk FROM serial_numbers"))
        assert {serial: tuple(rest) for serial, *rest in rows} == {
            "POOL-1": (1, "Available", "internal", None),
            "POOL-2": (1, "Assigned", "internal", 9),
            "ORDER-7": (1, "Assigned", "internal", 7),
            "LOOSE-1": (1, "Assigned", "external", None),
            "POOL-OF-2": (2, "Available", "internal", None),
        }
    inspector = inspect(engine)
    assert "ix_serial_numbers_available" in {i["name"] for i in inspector.get_indexes("serial_numbers")}
    assert not {"serial_pool", "order_serials"} & set(inspector.get_table_names())


def test_the_migrations_build_the_schema_the_models_describe(fresh_url: str, engine: Engine) -> None:
    command.upgrade(alembic_config(fresh_url), "head")
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []
