"""All SQL for serial numbers. Inserts are set-based: one statement for a whole batch.

Three tables (see ``models/serial_number.py``): the registry ``serial_numbers`` (every serial, never
changed by the pool), ``serial_pool`` (the Available ones) and ``order_serials`` (serials drawn for an
order). A draw MOVES rows from the pool to an order, so the registry and its unique index are not
written at all; a serial's status and order are read from where its rows are."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import psycopg
from sqlalchemy import Connection, Subquery, Table, and_, bindparam, case, func, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from packtrace.kit.db import on_postgres
from packtrace.kit.text_lists import copy_text
from packtrace.models import OrderSerial, PastOrderSerial, PoolSerial, SerialNumber
from packtrace.models.enums import SerialStatus

# The Core table, for plain INSERT statements.
serial_table = cast(Table, SerialNumber.__table__)

# PostgreSQL: the whole batch travels as one array parameter and is inserted by one statement; rows
# whose serial exists already for the product are skipped by the unique index, not by a lookup first.
_PG_INSERT = text(
    """
    INSERT INTO serial_numbers (tenant_id, product_id, serial, source, order_pk, created_at)
    SELECT :tenant_id, :product_id, s, :source, :order_pk, :created_at
    FROM unnest(CAST(:serials AS text[])) AS s
    ON CONFLICT (tenant_id, product_id, serial) DO NOTHING
    """
)
# Serials made for the pool go into the registry and the pool in one statement: the RETURNING rows are
# exactly the new ones, collisions left out, with no lookup afterwards.
_PG_INSERT_INTO_POOL = text(
    """
    WITH new AS (
        INSERT INTO serial_numbers (tenant_id, product_id, serial, source, order_pk, created_at)
        SELECT :tenant_id, :product_id, s, :source, :order_pk, :created_at
        FROM unnest(CAST(:serials AS text[])) AS s
        ON CONFLICT (tenant_id, product_id, serial) DO NOTHING
        RETURNING id, serial
    )
    INSERT INTO serial_pool (tenant_id, product_id, serial_id, serial)
    SELECT :tenant_id, :product_id, id, serial FROM new
    """
)
_PG_COPY = "COPY serial_numbers (tenant_id, product_id, serial, source, order_pk, created_at) FROM STDIN"
# SQLite serializes writers, so the rows of the product above the largest id before the insert are the
# ones this insert made.
SQLITE_INTO_POOL = text(
    """
    INSERT INTO serial_pool (tenant_id, product_id, serial_id, serial)
    SELECT tenant_id, product_id, id, serial FROM serial_numbers
    WHERE tenant_id = :tenant_id AND product_id = :product_id AND id > :after_id
    """
)


def insert_new(
    session: Session,
    *,
    tenant_id: int,
    product_id: int,
    serials: Sequence[str],
    source: str,
    order_pk: int | None,
    created_at: datetime,
    into_pool: bool,
) -> int:
    """Insert the serials that the product does not have yet, Available in its pool when ``into_pool``
    (else Assigned: to ``order_pk``, or to no order); return how many were inserted."""
    if not serials:
        return 0
    # Core on the session's connection: a plain INSERT with a row count, not an ORM bulk operation.
    connection = session.connection()
    params = {
        "tenant_id": tenant_id,
        "product_id": product_id,
        "source": source,
        "order_pk": order_pk,
        "created_at": created_at,
    }
    if on_postgres(connection):
        if into_pool:
            return connection.execute(_PG_INSERT_INTO_POOL, {**params, "serials": list(serials)}).rowcount
        copied = _copy_if_all_new(session, serials, params)
        if copied is not None:
            return copied
        return connection.execute(_PG_INSERT, {**params, "serials": list(serials)}).rowcount
    after_id = connection.scalar(select(func.coalesce(func.max(SerialNumber.id), 0)))
    statement = sqlite_insert(serial_table).on_conflict_do_nothing(index_elements=["tenant_id", "product_id", "serial"])
    inserted = connection.execute(statement, [{**params, "serial": serial} for serial in serials]).rowcount
    if into_pool:
        connection.execute(SQLITE_INTO_POOL, {"tenant_id": tenant_id, "product_id": product_id, "after_id": after_id})
    return inserted


def _copy_if_all_new(session: Session, serials: Sequence[str], params: dict[str, Any]) -> int | None:
    """PostgreSQL's fast path: COPY the batch straight into the table, inside a savepoint. Random serials
    almost never collide; when one does, the unique index refuses the whole COPY, the savepoint undoes it,
    and None tells the caller to insert the batch with ON CONFLICT DO NOTHING instead."""
    tenant_id, product_id, source = params["tenant_id"], params["product_id"], params["source"]
    order_pk, created_at = params["order_pk"], params["created_at"]
    try:
        with session.begin_nested():
            # Asking for the connection inside the block is what emits the SAVEPOINT.
            driver_connection = session.connection().connection.driver_connection
            assert isinstance(driver_connection, psycopg.Connection)
            with driver_connection.cursor() as cursor, cursor.copy(_PG_COPY) as copy:
                order = "\\N" if order_pk is None else str(order_pk)  # \N: NULL in COPY's text format
                suffix = f"\t{source}\t{order}\t{created_at.astimezone(UTC).isoformat()}"
                rows = copy_text(serials, f"{tenant_id}\t{product_id}\t", suffix)
                if rows is not None:
                    copy.write(rows)
                else:
                    for serial in serials:
                        copy.write_row((tenant_id, product_id, serial, source, order_pk, created_at))
    except psycopg.errors.UniqueViolation:
        return None
    return len(serials)


# -- drawing from the pool ----------------------------------------------------------------------------------

# PostgreSQL: SKIP LOCKED lets two transactions draw from one pool at once, each taking rows the other
# has not locked, instead of the second waiting for the first to commit. The locked rows are deleted by
# their ctid (a TID scan): joining them back on the key took twice as long. Pool rows are never updated,
# so a locked row's ctid stays its own until the delete.
_PG_PICK_SQL = """
    DELETE FROM serial_pool WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM serial_pool
        WHERE tenant_id = :tenant_id AND product_id = :product_id
        ORDER BY serial_id
        LIMIT :count
        FOR UPDATE SKIP LOCKED
    ))
    RETURNING serial_id, serial
"""
_PG_PICK = text(_PG_PICK_SQL)
_PG_DRAW_TO_ORDER = text(
    "WITH drawn AS (" + _PG_PICK_SQL + ") "  # noqa: S608 - only constants of this module are joined
    "INSERT INTO order_serials (tenant_id, order_pk, serial_id, serial) "
    "SELECT :tenant_id, :order_pk, serial_id, serial FROM drawn"
)
# SQLite: writers are serialized (BEGIN IMMEDIATE), so the same subquery picks the same rows twice: once
# to link them to the order, once to delete them from the pool.
_SQLITE_TO_ORDER = text(
    """
    INSERT INTO order_serials (tenant_id, order_pk, serial_id, serial)
    SELECT tenant_id, :order_pk, serial_id, serial FROM serial_pool
    WHERE tenant_id = :tenant_id AND product_id = :product_id
    ORDER BY serial_id LIMIT :count
    """
)
_SQLITE_DELETE_PICKED = """
    DELETE FROM serial_pool
    WHERE tenant_id = :tenant_id AND product_id = :product_id AND serial_id IN (
        SELECT serial_id FROM serial_pool WHERE tenant_id = :tenant_id AND product_id = :product_id
        ORDER BY serial_id LIMIT :count
    )
"""
_SQLITE_PICK = text(_SQLITE_DELETE_PICKED + " RETURNING serial_id, serial")
_SQLITE_TAKE = text(_SQLITE_DELETE_PICKED)
# The same pick as one JSON array, read before the DELETE takes the rows (one writer: the same rows).
_SQLITE_PICKED_JSON = text(
    """
    SELECT count(*), json_group_array(serial) FROM (
        SELECT serial FROM serial_pool WHERE tenant_id = :tenant_id AND product_id = :product_id
        ORDER BY serial_id LIMIT :count
    )
    """
)


def draw(session: Session, tenant_id: int, product_id: int, count: int, order_pk: int | None) -> int:
    """Available -> Assigned for up to ``count`` serials of the product (to the order, if one is given);
    returns how many were drawn."""
    if count <= 0:
        return 0
    if order_pk is None:
        return len(draw_returning(session, tenant_id, product_id, count))
    connection = session.connection()
    params = {"tenant_id": tenant_id, "product_id": product_id, "count": count, "order_pk": order_pk}
    if on_postgres(connection):
        with _in_index_order(connection):
            return connection.execute(_PG_DRAW_TO_ORDER, params).rowcount
    drawn = connection.execute(_SQLITE_TO_ORDER, params).rowcount
    connection.execute(_SQLITE_TAKE, params)
    return drawn


def draw_returning(session: Session, tenant_id: int, product_id: int, count: int) -> list[str]:
    """Like ``draw`` without an order, returning the serials drawn (for ``serials/request``) in the
    pool's order."""
    if count <= 0:
        return []
    connection = session.connection()
    params = {"tenant_id": tenant_id, "product_id": product_id, "count": count}
    if on_postgres(connection):
        with _in_index_order(connection):
            rows = list(connection.execute(_PG_PICK, params))
    else:
        rows = list(connection.execute(_SQLITE_PICK, params))
    return [serial for _, serial in sorted((serial_id, serial) for serial_id, serial in rows)]


# PostgreSQL: the drawn serials come back as one JSON array in the pool's order, built by the database:
# a response of 110,000 serials never becomes 110,000 Python objects (rows, strings, then JSON again).
_PG_PICK_JSON = text(
    "WITH drawn AS (" + _PG_PICK_SQL + ") "  # noqa: S608 - only constants of this module are joined
    "SELECT count(*), coalesce(json_agg(serial ORDER BY serial_id), '[]')::text FROM drawn"
)


def draw_returning_json(session: Session, tenant_id: int, product_id: int, count: int) -> tuple[int, str]:
    """Like ``draw_returning``, the serials as a JSON array (text) with their number."""
    connection = session.connection()
    if count <= 0:
        return 0, "[]"  # SQLite reads a negative LIMIT as none at all
    params = {"tenant_id": tenant_id, "product_id": product_id, "count": count}
    if not on_postgres(connection):
        # Never a Python object per serial either: 200,000 of them took the server's memory over 200 MB.
        drawn, serials = connection.execute(_SQLITE_PICKED_JSON, params).one()
        connection.execute(_SQLITE_TAKE, params)
        return int(drawn), str(serials)
    with _in_index_order(connection):
        row = connection.execute(_PG_PICK_JSON, params).one()
    return int(row[0]), str(row[1])


@contextmanager
def _in_index_order(connection: Connection) -> Iterator[None]:
    """Plans the draw as a walk of the pool's key in order, stopping after the rows it needs. Without
    column statistics (a pool filled since the last ANALYZE) PostgreSQL guesses a handful of rows for a
    product and sorts the whole pool instead: 1.1 s instead of 0.5 s for a pool of a million. The
    setting is the transaction's own and is put back after the statement; a failed statement needs no
    putting back, since rolling back (to a savepoint or the start) undoes the setting too."""
    before = connection.scalar(text("SELECT current_setting('enable_sort')"))
    connection.execute(text("SET LOCAL enable_sort = off"))
    yield
    connection.execute(text("SELECT set_config('enable_sort', :before, true)"), {"before": before})


# -- counting --------------------------------------------------------------------------------------------------


def counts_by_status(session: Session, tenant_id: int, product_id: int) -> dict[str, int]:
    """Available: the pool's rows; Assigned: every other serial of the registry."""
    total = select(func.count()).where(SerialNumber.tenant_id == tenant_id, SerialNumber.product_id == product_id)
    pooled = select(func.count()).where(PoolSerial.tenant_id == tenant_id, PoolSerial.product_id == product_id)
    available = session.scalar(pooled) or 0
    return {
        SerialStatus.AVAILABLE.value: available,
        SerialStatus.ASSIGNED.value: (session.scalar(total) or 0) - available,
    }


def has_available(session: Session, tenant_id: int, product_id: int, at_least: int) -> bool:
    """Whether the pool holds ``at_least`` Available serials. Counts no further: after every draw, counting
    a pool of a million took 0.08 s."""
    first = (
        select(PoolSerial.serial_id)
        .where(PoolSerial.tenant_id == tenant_id, PoolSerial.product_id == product_id)
        .limit(at_least)
        .subquery()
    )
    return (session.scalar(select(func.count()).select_from(first)) or 0) >= at_least


# -- single serials ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SerialState:
    """A serial of the registry with its state: Available (in the pool) or Assigned, and its order."""

    id: int
    tenant_id: int
    product_id: int
    serial: str
    source: str
    status: str
    order_pk: int | None
    created_at: datetime


def serial_states() -> Subquery:
    """Every serial of the registry with its state, as the single table used to hold it: ``status``
    (Available while in the pool) and ``order_pk`` (made for the order, or drawn for it)."""
    status = case((PoolSerial.serial_id.is_not(None), SerialStatus.AVAILABLE.value), else_=SerialStatus.ASSIGNED.value)
    return (
        select(
            SerialNumber.id,
            SerialNumber.tenant_id,
            SerialNumber.product_id,
            SerialNumber.serial,
            SerialNumber.source,
            status.label("status"),
            func.coalesce(SerialNumber.order_pk, OrderSerial.order_pk).label("order_pk"),
            SerialNumber.created_at,
        )
        .outerjoin(
            PoolSerial,
            and_(
                PoolSerial.tenant_id == SerialNumber.tenant_id,
                PoolSerial.product_id == SerialNumber.product_id,
                PoolSerial.serial_id == SerialNumber.id,
            ),
        )
        .outerjoin(
            OrderSerial, and_(OrderSerial.tenant_id == SerialNumber.tenant_id, OrderSerial.serial_id == SerialNumber.id)
        )
        .subquery("serial_states")
    )


def find(session: Session, tenant_id: int, product_id: int, serials: Sequence[str]) -> list[SerialState]:
    states = serial_states()
    query = select(states).where(
        states.c.tenant_id == tenant_id, states.c.product_id == product_id, states.c.serial.in_(list(serials))
    )
    # The dataclass's fields are the subquery's columns, in its order.
    return [SerialState(*row) for row in session.execute(query)]


def past_orders(session: Session, tenant_id: int, serial_id: int) -> list[int]:
    """The orders the serial left (cancelled or shrunk), in the order it left them."""
    query = (
        select(PastOrderSerial.order_pk)
        .where(PastOrderSerial.tenant_id == tenant_id, PastOrderSerial.serial_id == serial_id)
        .order_by(PastOrderSerial.left_at, PastOrderSerial.order_pk)
    )
    return list(session.scalars(query))


def release(session: Session, tenant_id: int, ids: Sequence[int]) -> int:
    """Assigned serials of no order back into their products' pools (already there: left alone)."""
    if not ids:
        return 0
    statement = text(
        """
        INSERT INTO serial_pool (tenant_id, product_id, serial_id, serial)
        SELECT tenant_id, product_id, id, serial FROM serial_numbers
        WHERE tenant_id = :tenant_id AND id IN :ids
        ON CONFLICT DO NOTHING
        """
    ).bindparams(bindparam("ids", expanding=True))
    return session.connection().execute(statement, {"tenant_id": tenant_id, "ids": list(ids)}).rowcount
