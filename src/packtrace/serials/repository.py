"""All SQL for serial numbers. Inserts are set-based: one statement for a whole batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

import psycopg
from sqlalchemy import Table, func, select, text
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
