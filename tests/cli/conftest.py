"""CLI fixtures: every test gets a database of its own, named to the CLI through the environment, as an
operator would (a temporary SQLite file; on PostgreSQL a schema of its own, dropped afterwards).

Unlike the rest of the suite, nothing here runs inside a rolled-back transaction: the CLI commits, and
the tests check what it committed."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from packtrace.app import create_app
from packtrace.config import Settings
from packtrace.kit.db import is_sqlite
from tests.cli.support import SERVER_KEY, Cli
from tests.support import postgres_schema


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, empty (unmigrated) database, set as ``PACKTRACE_DATABASE_URL``."""
    # In an empty folder, so no .env file or secret key file of the developer's is read or written.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PACKTRACE_SECRET_KEY", SERVER_KEY)
    configured = os.environ.get("PACKTRACE_TEST_DATABASE_URL")
    if not configured or is_sqlite(configured):
        url = f"sqlite:///{tmp_path / 'packtrace-cli.db'}"
        monkeypatch.setenv("PACKTRACE_DATABASE_URL", url)
        yield url
        return
    with postgres_schema(configured, "packtrace_cli") as url:
        monkeypatch.setenv("PACKTRACE_DATABASE_URL", url)
        yield url


@pytest.fixture
def raw_cli(database_url: str) -> Cli:
    """The CLI on a database that has not been migrated."""
    return Cli()


@pytest.fixture
def cli(raw_cli: Cli) -> Cli:
    """The CLI on a migrated, empty database."""
    raw_cli.ok("migrate")
    return raw_cli


@pytest.fixture
def api(database_url: str) -> Iterator[TestClient]:
    """The HTTP service on the same database and server key as the CLI."""
    app = create_app(Settings(database_url=database_url, secret_key=SERVER_KEY))
    try:
        with TestClient(app) as client:
            yield client
    finally:
        app.state.context.db.dispose()
