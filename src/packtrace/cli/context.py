"""Settings and the database for one CLI command: one unit of work, and a check that the schema is the
one this PackTrace expects (only migrate, serve, demo and seed-demo migrate by themselves)."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import pydantic
import typer
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from packtrace.audit.facts import act_as
from packtrace.auth.service import tenant_service
from packtrace.cli.errors import CliError
from packtrace.config import Settings
from packtrace.kit.db import Database
from packtrace.kit.migrations import alembic_config, upgrade
from packtrace.models import Tenant

MIGRATE_HINT = "run `packtrace migrate`"

TenantOption = Annotated[str, typer.Option("--tenant", "-t", help="Name of the tenant to work on.", show_default=False)]


def load_settings() -> Settings:
    try:
        return Settings()
    except pydantic.ValidationError as error:
        problems = "; ".join(
            f"PACKTRACE_{'_'.join(str(part) for part in e['loc']).upper()}: {e['msg']}" for e in error.errors()
        )
        raise CliError(f"invalid setting: {problems}") from None


def display_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def expected_revisions(url: str) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(url)).get_heads())


def current_revisions(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


def _sqlite_file_missing(url: str) -> bool:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return False
    path = parsed.database or ""
    if path in {"", ":memory:"} or path.startswith("file:"):
        return False
    return not Path(path).exists()


def check_schema(connection: Connection, url: str) -> None:
    """Refuse to work on a database whose schema is not the current one, naming the fix."""
    script = ScriptDirectory.from_config(alembic_config(url))
    expected = set(script.get_heads())
    current = current_revisions(connection)
    if current == expected:
        return
    where = display_url(url)
    if not current:
        raise CliError(f"the database {where} has not been migrated: {MIGRATE_HINT}")
    try:
        script.get_revisions(tuple(current))
    except CommandError:
        raise CliError(
            f"the database {where} is at revision {', '.join(sorted(current))}, newer than this PackTrace "
            f"knows ({', '.join(sorted(expected))}); upgrade PackTrace"
        ) from None
    raise CliError(
        f"the database {where} is at revision {', '.join(sorted(current))}, not "
        f"{', '.join(sorted(expected))}: {MIGRATE_HINT}"
    )


def migrate(settings: Settings) -> str:
    """Apply every migration; returns the revision the database is now at."""
    upgrade(settings.database_url)
    return ", ".join(sorted(expected_revisions(settings.database_url)))


@contextmanager
def unit_of_work(settings: Settings) -> Iterator[Session]:
    """One transaction for the whole command, on a database with the current schema: committed when
    the command succeeds, rolled back on any error."""
    if _sqlite_file_missing(settings.database_url):
        # Connecting would create an empty file; say what is wrong instead.
        raise CliError(f"the database {display_url(settings.database_url)} does not exist: {MIGRATE_HINT}")
    database = Database(settings.database_url, limits=settings.connection_limits())
    try:
        with database.unit_of_work() as session:
            check_schema(session.connection(), settings.database_url)
            act_as(session, cli_actor())
            yield session
    finally:
        database.dispose()


def cli_actor() -> str:
    """Who the audit trail says made a CLI change: the operating-system account that ran it."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no such user in the passwd database (a container's numeric uid)
        return "cli:unknown"


def tenant_named(session: Session, name: str) -> Tenant:
    return tenant_service.get_by_name(session, name)
