"""Engine and sessions. One unit of work per request: services never commit, the caller does.

Contention, in short (DESIGN.md, "Connections, threads and contention"): on SQLite a unit of work that
only reads begins DEFERRED and never waits for a writer (WAL); one known to write begins IMMEDIATE, so
writers queue for the one write lock up front instead of failing halfway; a lock or a connection not
obtained within a bounded time is a ``BusyError`` (503 + Retry-After), never an internal error."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from packtrace.kit.errors import BusyError, ConflictError

# Execution option naming how a SQLite transaction begins ("DEFERRED" or "IMMEDIATE").
_SQLITE_BEGIN = "packtrace_sqlite_begin"


@dataclass(frozen=True)
class ConnectionLimits:
    """How many connections one process keeps and how long work waits for a connection or a lock."""

    pool_size: int = 20
    max_overflow: int = 10
    pool_timeout_seconds: float = 10.0
    # How long a SQLite write waits for the write lock before it is a BusyError.
    lock_timeout_seconds: float = 5.0

    @property
    def connections(self) -> int:
        return self.pool_size + self.max_overflow


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def on_postgres(where: Connection | Session) -> bool:
    """Whether this connection (or the session's) is to PostgreSQL: where the SQL of the two databases
    differs, the repositories ask this."""
    connection = where.connection() if isinstance(where, Session) else where
    return connection.dialect.name == "postgresql"


def dialect_insert(where: Connection | Session, table: Any) -> postgresql.Insert | sqlite.Insert:
    """INSERT for ``table`` in the dialect of ``where``: both take ON CONFLICT (``on_conflict_do_nothing``,
    ``on_conflict_do_update``), which plain ``insert`` does not."""
    return postgresql.insert(table) if on_postgres(where) else sqlite.insert(table)


def normalize_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here; SQLAlchemy's default would be psycopg2."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _is_lock_timeout(error: BaseException | None) -> bool:
    # SQLITE_BUSY ("database is locked") and SQLITE_LOCKED ("database table is locked") both mean that
    # another connection holds what this one waited for until the busy timeout ran out.
    return isinstance(error, sqlite3.OperationalError) and "locked" in str(error)


def _configure_sqlite(engine: Engine, limits: ConnectionLimits) -> None:
    busy_ms = round(limits.lock_timeout_seconds * 1000)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (needed for SAVEPOINTs).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # IMMEDIATE unless the unit of work said it only reads: a writer takes the one write lock before
        # its first statement, so it waits in line (up to the busy timeout) instead of failing halfway
        # when a deferred read transaction cannot be upgraded. Readers begin DEFERRED and, under WAL,
        # read their snapshot while a writer works.
        mode = connection.get_execution_options().get(_SQLITE_BEGIN, "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")

    @event.listens_for(engine, "handle_error")
    def on_error(context: ExceptionContext) -> None:
        if _is_lock_timeout(context.original_exception):
            raise BusyError(
                f"The database is busy with another write (waited {limits.lock_timeout_seconds:g} s); retry",
                retry_after=max(1, round(limits.lock_timeout_seconds)),
            ) from context.original_exception


# PostgreSQL's deadlock_detected and serialization_failure: it undid one of two transactions that
# waited for each other; sent again, that request finds what the other left.
_PG_RETRYABLE = frozenset({"40P01", "40001"})


def _configure_postgres(engine: Engine) -> None:
    @event.listens_for(engine, "do_connect")
    def no_jit(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        # No JIT: a statement over a list of 100,000 serials is estimated costly enough for PostgreSQL to
        # compile it, which took 0.6-2.6 s of the commissioning lookup's 0.7-3.1 s; such statements run
        # once and are never worth compiling. Added to the URL's own options (a search_path, say).
        cparams["options"] = (str(cparams.get("options", "")) + " -c jit=off").strip()

    @event.listens_for(engine, "handle_error")
    def on_error(context: ExceptionContext) -> None:
        if getattr(context.original_exception, "sqlstate", None) in _PG_RETRYABLE:
            raise ConflictError(
                "The request conflicted with another changing the same records at the same time; retry"
            ) from context.original_exception


# A pooled connection idle longer than this is pinged before use. Pinging every checkout (SQLAlchemy's
# pool_pre_ping) cost each request one more round trip: under 8 lines, 1 of its 5 waits on the database.
# A connection back within seconds was alive a moment ago; one that idled may have met a database restart
# or a dropped socket, and is replaced rather than handed to a request that would fail on it.
IDLE_PING_SECONDS = 10.0
_RETURNED_AT = "packtrace_returned_at"


def _ping_idle_connections(engine: Engine) -> None:
    @event.listens_for(engine.pool, "checkin")
    def returned(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def taken(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned_at = record.info.get(_RETURNED_AT)
        if returned_at is None or time.monotonic() - returned_at < IDLE_PING_SECONDS:
            return  # new, or back a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)  # the ping pool_pre_ping sends
        except Exception as error:
            # The pool discards this connection and checks out another (SQLAlchemy's documented recipe).
            raise exc.DisconnectionError() from error


def make_engine(url: str, limits: ConnectionLimits | None = None, **kwargs: Any) -> Engine:
    url = normalize_url(url)
    limits = limits or ConnectionLimits()
    if is_sqlite(url):
        # One connection per thread that asks; WAL lets readers run beside the writer.
        engine = create_engine(url, poolclass=NullPool, **kwargs)
        _configure_sqlite(engine, limits)
        return engine
    engine = create_engine(
        url,
        pool_size=limits.pool_size,
        max_overflow=limits.max_overflow,
        pool_timeout=limits.pool_timeout_seconds,
        **kwargs,
    )
    _configure_postgres(engine)
    _ping_idle_connections(engine)
    return engine


class Database:
    """The engine and how to get a session from it; tests swap ``session_factory``."""

    def __init__(self, url: str, engine: Engine | None = None, limits: ConnectionLimits | None = None) -> None:
        self.url = normalize_url(url)
        self.limits = limits or ConnectionLimits()
        self.engine = engine or make_engine(self.url, self.limits)
        self.session_factory: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    @contextmanager
    def unit_of_work(self, *, writes: bool = True) -> Iterator[Session]:
        """A session committed when the block ends normally and rolled back on any error. ``writes=False``
        promises that the work only reads: on SQLite it then never waits for (nor blocks) a writer."""
        session = self.session_factory()
        try:
            if not writes and self.is_sqlite:
                # Given when the connection is first taken, before its BEGIN (read in ``on_begin``).
                session.connection(execution_options={_SQLITE_BEGIN: "DEFERRED"})
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
