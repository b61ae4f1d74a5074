"""Test fixtures. The schema comes from the migrations; each test runs inside a transaction that is
rolled back at the end (the app's own commits become SAVEPOINT releases).

The database is SQLite unless ``PACKTRACE_TEST_DATABASE_URL`` names another (PostgreSQL); there each
test run works in a schema of its own, dropped at the end."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from packtrace.app import create_app
from packtrace.auth.service import tenant_service
from packtrace.config import Settings
from packtrace.demo import DemoCredentials, seed_demo
from packtrace.kit import security
from packtrace.kit.db import Database, is_sqlite, make_engine
from packtrace.kit.migrations import upgrade
from tests import event_check
from tests.support import postgres_schema, register_prefixes

SERVER_KEY = "test-server-key-0123456789abcdef0123456789"


@dataclass
class DatabaseUnderTest:
    url: str
    engine: Engine
    is_postgres: bool  # then the run works in a schema of its own, which ``url`` selects


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """argon2 at its production cost takes ~0.1 s a hash; the tests hash thousands of times. The hash
    format carries its parameters, so verification works the same."""
    original = security._hasher
    security._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    yield
    security._hasher = original


@pytest.fixture(scope="session")
def test_database() -> Iterator[DatabaseUnderTest]:
    configured = os.environ.get("PACKTRACE_TEST_DATABASE_URL")
    if not configured or is_sqlite(configured):
        with tempfile.TemporaryDirectory() as folder:
            url = configured or f"sqlite:///{Path(folder) / 'test.db'}"
            engine = make_engine(url)
            upgrade(url)
            yield DatabaseUnderTest(url, engine, is_postgres=False)
            engine.dispose()
        return
    with postgres_schema(configured, "packtrace_test") as url:
        engine = make_engine(url)
        try:
            upgrade(url)
            yield DatabaseUnderTest(url, engine, is_postgres=True)
        finally:
            engine.dispose()


@pytest.fixture
def connection(test_database: DatabaseUnderTest) -> Iterator[Connection]:
    conn = test_database.engine.connect()
    outer = conn.begin()
    event_check.baseline(conn)
    try:
        yield conn
    finally:
        outer.rollback()
        conn.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After a test that passed, the EPCIS events it wrote on its connection must be standard
    (``tests/event_check.py``): a broken one fails the test that wrote it."""
    outcome = yield
    connection = getattr(item, "funcargs", {}).get("connection")
    if isinstance(connection, Connection):
        event_check.check_new(connection)
    return outcome


@pytest.fixture
def database(test_database: DatabaseUnderTest, connection: Connection) -> Database:
    db = Database(test_database.url, engine=test_database.engine)
    db.session_factory = sessionmaker(bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint")
    return db


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    with database.session_factory() as s:
        yield s


@pytest.fixture
def settings(test_database: DatabaseUnderTest) -> Settings:
    return Settings(database_url=test_database.url, secret_key=SERVER_KEY, auth_failure_limit=1000)


@pytest.fixture
def client(settings: Settings, database: Database) -> Iterator[TestClient]:
    app = create_app(settings, database=database)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def demo(database: Database, settings: Settings) -> DemoCredentials:
    with database.unit_of_work() as s:
        credentials = seed_demo(s, settings.signing_key(), with_pool=False)
        register_prefixes(s, tenant_service.get_by_name(s, credentials.tenant).id)
        return credentials


@pytest.fixture
def api_headers(demo: DemoCredentials) -> dict[str, str]:
    """Headers of a Manufacturer V2 API call with the demo's static token and channel."""
    return {"x-access-token": demo.static_token, "x-channel-key": demo.channel_key}


@pytest.fixture
def committed_demo_schema(test_database: DatabaseUnderTest) -> Iterator[str]:
    """The URL of a PostgreSQL schema of its own, migrated and seeded with the demo, whose data is really
    committed: for tests of several connections at once (threads, processes). Dropped afterwards; skipped
    on SQLite, which serializes writers."""
    if not test_database.is_postgres:
        pytest.skip("needs PostgreSQL: SQLite serializes writers")
    with postgres_schema(test_database.url, "packtrace_conc") as url:
        upgrade(url)
        db = Database(url)
        try:
            with db.unit_of_work() as session:
                credentials = seed_demo(session, Settings(secret_key="c" * 40).signing_key(), with_pool=False)
                register_prefixes(session, tenant_service.get_by_name(session, credentials.tenant).id)
        finally:
            db.dispose()
        yield url
