"""PostgreSQL: a pooled connection is pinged only after it idled (not on every request, which cost each
request a round trip), and one that died while idle is replaced, never handed to a request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from packtrace.kit import db as db_module
from packtrace.kit.db import Database
from tests.conftest import DatabaseUnderTest


def _backend(database: Database) -> int:
    with database.unit_of_work() as session:
        return int(session.scalar(text("SELECT pg_backend_pid()")) or 0)


@pytest.fixture
def own_database(test_database: DatabaseUnderTest) -> Iterator[Database]:
    if not test_database.is_postgres:
        pytest.skip("SQLite opens a connection per unit of work: nothing idles in a pool")
    database = Database(test_database.url)
    yield database
    database.dispose()


def test_a_connection_back_a_moment_ago_is_not_pinged(own_database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    dialect = own_database.engine.dialect
    pings: list[object] = []
    real_ping = type(dialect).do_ping

    def counted(self: object, dbapi_connection: object) -> bool:
        pings.append(dbapi_connection)
        return bool(real_ping(self, dbapi_connection))  # type: ignore[arg-type]

    monkeypatch.setattr(type(dialect), "do_ping", counted)
    first = _backend(own_database)
    assert _backend(own_database) == first and _backend(own_database) == first
    assert pings == []
    monkeypatch.setattr(db_module, "IDLE_PING_SECONDS", 0.0)  # as if it had idled
    assert _backend(own_database) == first
    assert len(pings) == 1


def test_a_connection_that_died_while_idle_is_replaced(
    own_database: Database, test_database: DatabaseUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = _backend(own_database)
    with test_database.engine.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dead})
    monkeypatch.setattr(db_module, "IDLE_PING_SECONDS", 0.0)  # as if it had idled
    assert _backend(own_database) != dead  # answered, on a new connection
