"""All SQL for serial numbers. Inserts are set-based: one statement for a whole batch."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, cast

import psycopg
from sqlalchemy import Table, func, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from packtrace.models import SerialNumber

# The Core table, for plain INSERT statements.
serial_table = cast(Table, SerialNumber.__table__)

# PostgreSQL: the whole batch travels as one array parameter and is inserted by one statement; rows
# whose serial exists already for the product are skipped by the unique index, not by a lookup first.
_PG_INSERT = text(
    """
    INSERT INTO serial_numbers (tenant_id, product_id, serial, status, source, order_pk, created_at)
    SELECT :tenant_id, :product_id, s, :status, :source, :order_pk, :created_at
    FROM unnest(CAST(:serials AS text[])) AS s
    ON CONFLICT (tenant_id, product_id, serial) DO NOTHING
    """
)


_PG_COPY = "COPY serial_numbers (tenant_id, product_id, serial, status, source, order_pk, created_at) FROM STDIN"


def insert_new(
    session: Session,
    *,
    tenant_id: int,
    product_id: int,
    serials: Sequence[str],
    status: str,
    source: str,
    order_pk: int | None,
    created_at: datetime,
) -> int:
    """Insert the serials that the product does not have yet; return how many were inserted."""
    if not serials:
        return 0
    # Core on the session's connection: a plain INSERT with a row count, not an ORM bulk operation.
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        copied = _copy_if_all_new(session, tenant_id, product_id, serials, status, source, order_pk, created_at)
        if copied is not None:
            return copied
        result = connection.execute(
            _PG_INSERT,
            {
                "tenant_id": tenant_id,
                "product_id": product_id,
                "serials": list(serials),
                "status": status,
                "source": source,
                "order_pk": order_pk,
                "created_at": created_at,
            },
        )
        return result.rowcount
    statement = sqlite_insert(serial_table).on_conflict_do_nothing(index_elements=["tenant_id", "product_id", "serial"])
    rows = [
        {
            "tenant_id": tenant_id,
            "product_id": product_id,
            "serial": serial,
            "status": status,
            "source": source,
            "order_pk": order_pk,
            "created_at": created_at,
        }
        for serial in serials
    ]
    return connection.execute(statement, rows).rowcount


def _copy_if_all_new(
    session: Session,
    tenant_id: int,
    product_id: int,
    serials: Sequence[str],
    status: str,
    source: str,
    order_pk: int | None,
    created_at: datetime,
) -> int | None:
    """PostgreSQL's fast path: COPY the batch straight into the table, inside a savepoint. Random serials
    almost never collide; when one does, the unique index refuses the whole COPY, the savepoint undoes it,
    and None tells the caller to insert the batch with ON CONFLICT DO NOTHING instead."""
    try:
        with session.begin_nested():
            # Asking for the connection inside the block is what emits the SAVEPOINT.
            driver_connection = session.connection().connection.driver_connection
            assert isinstance(driver_connection, psycopg.Connection)
            with driver_connection.cursor() as cursor, cursor.copy(_PG_COPY) as copy:
                for serial in serials:
                    copy.write_row((tenant_id, product_id, serial, status, source, order_pk, created_at))
    except psycopg.errors.UniqueViolation:
        return None
    return len(serials)


def count_for_order(session: Session, tenant_id: int, order_pk: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(SerialNumber)
            .where(SerialNumber.tenant_id == tenant_id, SerialNumber.order_pk == order_pk)
        )
        or 0
    )


# PostgreSQL: SKIP LOCKED lets two transactions draw from one pool at once, each taking rows the other
# has not locked, instead of the second waiting for the first to commit.
_PG_DRAW = text(
    """
    WITH picked AS (
        SELECT id FROM serial_numbers
        WHERE tenant_id = :tenant_id AND product_id = :product_id AND status = 'Available'
        ORDER BY id
        LIMIT :count
        FOR UPDATE SKIP LOCKED
    )
    UPDATE serial_numbers AS s SET status = 'Assigned', order_pk = :order_pk
    FROM picked WHERE s.id = picked.id
    """
)
# SQLite: writers are serialized (BEGIN IMMEDIATE), so a plain subquery cannot race.
_SQLITE_DRAW = text(
    """
    UPDATE serial_numbers SET status = 'Assigned', order_pk = :order_pk
    WHERE id IN (
        SELECT id FROM serial_numbers
        WHERE tenant_id = :tenant_id AND product_id = :product_id AND status = 'Available'
        ORDER BY id
        LIMIT :count
    )
    """
)


def draw(session: Session, tenant_id: int, product_id: int, count: int, order_pk: int | None) -> int:
    """Available -> Assigned for up to ``count`` serials of the product (to the order, if one is given);
    returns how many were drawn."""
    if count <= 0:
        return 0
    connection = session.connection()
    statement = _PG_DRAW if connection.dialect.name == "postgresql" else _SQLITE_DRAW
    params = {"tenant_id": tenant_id, "product_id": product_id, "count": count, "order_pk": order_pk}
    return connection.execute(statement, params).rowcount


def draw_returning(session: Session, tenant_id: int, product_id: int, count: int) -> list[str]:
    """Like ``draw`` without an order, returning the serials drawn (for ``serials/request``)."""
    connection = session.connection()
    statement = (_PG_DRAW if connection.dialect.name == "postgresql" else _SQLITE_DRAW).text
    returning = text(statement.rstrip() + " RETURNING serial")
    params = {"tenant_id": tenant_id, "product_id": product_id, "count": count, "order_pk": None}
    return list(connection.execute(returning, params).scalars())


def counts_by_status(session: Session, tenant_id: int, product_id: int) -> dict[str, int]:
    rows = session.execute(
        select(SerialNumber.status, func.count())
        .where(SerialNumber.tenant_id == tenant_id, SerialNumber.product_id == product_id)
        .group_by(SerialNumber.status)
    )
    return {status: count for status, count in rows}


def available_count(session: Session, tenant_id: int, product_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(SerialNumber)
            .where(
                SerialNumber.tenant_id == tenant_id,
                SerialNumber.product_id == product_id,
                SerialNumber.status == "Available",
            )
        )
        or 0
    )


def release_from_order(session: Session, tenant_id: int, order_pk: int, keep: int = 0) -> int:
    """Back to Available: the order's serials beyond the first ``keep`` (by id). Returns how many."""
    kept = (
        select(SerialNumber.id)
        .where(SerialNumber.tenant_id == tenant_id, SerialNumber.order_pk == order_pk)
        .order_by(SerialNumber.id)
        .limit(keep)
        .scalar_subquery()
    )
    statement = (
        update(SerialNumber)
        .where(SerialNumber.tenant_id == tenant_id, SerialNumber.order_pk == order_pk)
        .values(status="Available", order_pk=None)
        .execution_options(synchronize_session=False)
    )
    if keep > 0:
        statement = statement.where(SerialNumber.id.not_in(kept))
    return session.connection().execute(statement).rowcount


def find(session: Session, tenant_id: int, product_id: int, serials: Sequence[str]) -> list[SerialNumber]:
    return list(
        session.scalars(
            select(SerialNumber).where(
                SerialNumber.tenant_id == tenant_id,
                SerialNumber.product_id == product_id,
                SerialNumber.serial.in_(list(serials)),
            )
        )
    )


def release(session: Session, tenant_id: int, ids: Sequence[int]) -> int:
    statement = (
        update(SerialNumber)
        .where(SerialNumber.tenant_id == tenant_id, SerialNumber.id.in_(list(ids)))
        .values(status="Available", order_pk=None)
        .execution_options(synchronize_session=False)
    )
    return session.connection().execute(statement).rowcount


def order_page(
    session: Session, tenant_id: int, order_pk: int, after_id: int | None, limit: int
) -> list[tuple[int, str]]:
    query = (
        select(SerialNumber.id, SerialNumber.serial)
        .where(SerialNumber.tenant_id == tenant_id, SerialNumber.order_pk == order_pk)
        .order_by(SerialNumber.id)
        .limit(limit)
    )
    if after_id is not None:
        query = query.where(SerialNumber.id > after_id)
    return [(row.id, row.serial) for row in session.execute(query)]


def stream_order_serials(session: Session, tenant_id: int, order_pk: int, chunk: int) -> Iterator[list[str]]:
    """The order's serials in chunks, straight from the driver's cursor: a server-side cursor on
    PostgreSQL, so memory stays flat for any order size. The driver, not SQLAlchemy's row objects:
    those cost three quarters of a download's time."""
    driver_connection = session.connection().connection.driver_connection
    if isinstance(driver_connection, psycopg.Connection):
        cursor: Any = driver_connection.cursor(name=f"order_serials_{order_pk}")
        cursor.itersize = chunk
        query = "SELECT serial FROM serial_numbers WHERE tenant_id = %s AND order_pk = %s ORDER BY id"
    else:
        cursor = driver_connection.cursor()  # type: ignore[union-attr]
        query = "SELECT serial FROM serial_numbers WHERE tenant_id = ? AND order_pk = ? ORDER BY id"
    try:
        cursor.execute(query, (tenant_id, order_pk))
        while rows := cursor.fetchmany(chunk):
            yield [row[0] for row in rows]
    finally:
        cursor.close()
