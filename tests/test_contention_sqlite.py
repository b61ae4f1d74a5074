"""SQLite under contention: a long writer holds the one write lock; reads still answer at once (WAL and
deferred read transactions), and a write that cannot get the lock in the configured time answers 503
BusyError with Retry-After, never 500, and writes nothing.

A file database of its own (committed data, several connections), whatever the suite's database is."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from packtrace.app import create_app
from packtrace.config import Settings
from packtrace.demo import DemoCredentials, seed_demo
from packtrace.kit.db import Database
from packtrace.kit.errors import BusyError
from packtrace.kit.migrations import upgrade
from packtrace.models import PackagingOrder
from tests.conftest import SERVER_KEY
from tests.support import ORDERS, assert_error, sample_order

LOCK_TIMEOUT = 0.5


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[tuple[Settings, DemoCredentials]]:
    url = f"sqlite:///{tmp_path / 'contention.db'}"
    upgrade(url)
    settings = Settings(database_url=url, secret_key=SERVER_KEY, db_lock_timeout_seconds=LOCK_TIMEOUT)
    db = Database(url)
    with db.unit_of_work() as session:
        demo = seed_demo(session, settings.signing_key())
    db.dispose()
    yield settings, demo


@pytest.fixture
def long_writer(sqlite_file: tuple[Settings, DemoCredentials]) -> Iterator[sqlite3.Connection]:
    """Another connection in the middle of a write transaction, holding the write lock until the test ends."""
    settings, _ = sqlite_file
    path = settings.database_url.removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE tenants SET name = name")
    yield holder
    holder.rollback()
    holder.close()


def headers(demo: DemoCredentials) -> dict[str, str]:
    return {"x-access-token": demo.static_token, "x-channel-key": demo.channel_key}


def test_a_read_does_not_wait_for_a_writer(
    sqlite_file: tuple[Settings, DemoCredentials], long_writer: sqlite3.Connection
) -> None:
    settings, demo = sqlite_file
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        started = time.monotonic()
        response = client.get(f"{ORDERS}/open", headers=headers(demo))
        elapsed = time.monotonic() - started
    assert response.status_code == 200, response.text
    # Well below the lock timeout: the read never waited for the lock at all.
    assert elapsed < LOCK_TIMEOUT * 0.8, elapsed


def test_a_write_that_cannot_get_the_lock_answers_503_and_writes_nothing(
    sqlite_file: tuple[Settings, DemoCredentials], long_writer: sqlite3.Connection
) -> None:
    settings, demo = sqlite_file
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        started = time.monotonic()
        response = client.post(ORDERS, json=sample_order(), headers=headers(demo))
        elapsed = time.monotonic() - started
        assert_error(response, 503, "BusyError")
        assert int(response.headers["retry-after"]) >= 1
        assert elapsed < LOCK_TIMEOUT + 2.0, elapsed

        # The writer finishes; the same request, sent again, succeeds, once.
        long_writer.rollback()
        retried = client.post(ORDERS, json=sample_order(), headers=headers(demo))
        assert retried.status_code == 200, retried.text
    db = Database(settings.database_url)
    with db.unit_of_work(writes=False) as session:
        assert session.query(PackagingOrder).count() == 1
    db.dispose()


def test_units_of_work_read_beside_a_writer_and_writes_are_busy(
    sqlite_file: tuple[Settings, DemoCredentials], long_writer: sqlite3.Connection
) -> None:
    """The same at the unit of work the CLI uses: a read-only one reads, one that writes gets BusyError
    (the CLI shows it as one line), not sqlite3's "database is locked"."""
    settings, _ = sqlite_file
    db = Database(settings.database_url, limits=settings.connection_limits())
    try:
        with db.unit_of_work(writes=False) as session:
            assert session.query(PackagingOrder).count() == 0
        with pytest.raises(BusyError) as busy, db.unit_of_work() as session:
            session.query(PackagingOrder).count()
        assert busy.value.retry_after >= 1
    finally:
        db.dispose()
