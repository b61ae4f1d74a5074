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


def count_for_order(session: Session, tenant_id: int, order_pk: int) -> int:
    made = select(func.count()).where(SerialNumber.tenant_id == tenant_id, SerialNumber.order_pk == order_pk)
    drawn = select(func.count()).where(OrderSerial.tenant_id == tenant_id, OrderSerial.order_pk == order_pk)
    return (session.scalar(made) or 0) + (session.scalar(drawn) or 0)


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


# -- an order's serials ------------------------------------------------------------------------------------------

# Serials made for the order (the registry) and drawn for it (order_serials), as one list in id order,
# from after an id. Left to the planner: PostgreSQL's sort of a 110,000-serial order read it in 0.08 s,
# faster than merging the two index walks in order (0.10 s).
_ORDER_SERIALS = """
    SELECT serial, id FROM (
        SELECT id, serial FROM serial_numbers WHERE tenant_id = :tenant_id AND order_pk = :order_pk AND id > :after
        UNION ALL
        SELECT serial_id, serial FROM order_serials
        WHERE tenant_id = :tenant_id AND order_pk = :order_pk AND serial_id > :after
    ) AS order_serials_all
    ORDER BY id
"""
# The driver's cursor takes psycopg's named parameters on PostgreSQL; sqlite3 reads the same names as above.
_PG_ORDER_SERIALS = _ORDER_SERIALS.replace(":tenant_id", "%(tenant_id)s").replace(":order_pk", "%(order_pk)s")
_PG_ORDER_SERIALS = _PG_ORDER_SERIALS.replace(":after", "%(after)s")
_LAST_KEPT = text(_ORDER_SERIALS + " LIMIT 1 OFFSET :skip")
# A page: each source walks its own index in id order and stops after a page, and the two walks are
# merged. "ORDER BY id LIMIT" over the whole union sorted everything after the page's start, each page:
# 110,000 serials downloaded in pages of 20,000 in 0.13 s, 0.04 s this way (PostgreSQL, one run).
_ORDER_PAGE_SQL = """
    SELECT serial, id FROM (
        SELECT id, serial FROM (
            SELECT id, serial FROM serial_numbers
            WHERE tenant_id = :tenant_id AND order_pk = :order_pk AND id > :after ORDER BY id LIMIT :limit
        ) AS made
        UNION ALL
        SELECT id, serial FROM (
            SELECT serial_id AS id, serial FROM order_serials
            WHERE tenant_id = :tenant_id AND order_pk = :order_pk AND serial_id > :after ORDER BY serial_id LIMIT :limit
        ) AS drawn
    ) AS order_serials_page
    ORDER BY id LIMIT :limit
"""
_ORDER_PAGE = text(_ORDER_PAGE_SQL)
# Releasing the order's serials after an id: each leaves its order (remembered in past_order_serials for
# its history) and goes back to the pool unless it was printed or made into a pack: such a serial is out in
# the world and is retired instead (Assigned to no order, never drawn again). A serial made for the order
# keeps no order on its registry row; drawn again, it is linked like any other. Two requests releasing the
# same serials at once (a retried cancel) both read them as the order's; the pool's key lets the first in
# and ON CONFLICT lets the second find nothing left to do.
_RELEASE_FROM_ORDER = (
    """
    INSERT INTO past_order_serials (tenant_id, serial_id, order_pk, left_at)
    SELECT tenant_id, id, order_pk, :at FROM serial_numbers
    WHERE tenant_id = :tenant_id AND order_pk = :order_pk AND id > :after
    UNION ALL
    SELECT tenant_id, serial_id, order_pk, :at FROM order_serials
    WHERE tenant_id = :tenant_id AND order_pk = :order_pk AND serial_id > :after
    ON CONFLICT DO NOTHING
    """,
    """
    INSERT INTO serial_pool (tenant_id, product_id, serial_id, serial)
    SELECT s.tenant_id, s.product_id, s.id, s.serial FROM serial_numbers s
    WHERE s.tenant_id = :tenant_id AND s.order_pk = :order_pk AND s.id > :after
      AND NOT EXISTS (SELECT 1 FROM printed_serials ps WHERE ps.tenant_id = :tenant_id AND ps.serial_id = s.id)
      AND NOT EXISTS (SELECT 1 FROM packs p
                      WHERE p.tenant_id = :tenant_id AND p.product_id = :product_id AND p.serial = s.serial)
    ON CONFLICT DO NOTHING
    """,
    "UPDATE serial_numbers SET order_pk = NULL WHERE tenant_id = :tenant_id AND order_pk = :order_pk AND id > :after",
    """
    INSERT INTO serial_pool (tenant_id, product_id, serial_id, serial)
    SELECT o.tenant_id, :product_id, o.serial_id, o.serial FROM order_serials o
    WHERE o.tenant_id = :tenant_id AND o.order_pk = :order_pk AND o.serial_id > :after
      AND NOT EXISTS (SELECT 1 FROM printed_serials ps WHERE ps.tenant_id = :tenant_id AND ps.serial_id = o.serial_id)
      AND NOT EXISTS (SELECT 1 FROM packs p
                      WHERE p.tenant_id = :tenant_id AND p.product_id = :product_id AND p.serial = o.serial)
    ON CONFLICT DO NOTHING
    """,
    "DELETE FROM order_serials WHERE tenant_id = :tenant_id AND order_pk = :order_pk AND serial_id > :after",
)


@dataclass(frozen=True)
class Released:
    """What leaving an order did to its serials: back in the pool, or retired (printed or packed)."""

    returned: int
    retired: int


def release_from_order(
    session: Session, tenant_id: int, product_id: int, order_pk: int, at: datetime, keep: int = 0
) -> Released:
    """The order's serials beyond the first ``keep`` (by id) leave it: back to Available, or retired when
    printed or packed."""
    connection = session.connection()
    params: dict[str, Any] = {
        "tenant_id": tenant_id,
        "product_id": product_id,
        "order_pk": order_pk,
        "after": 0,
        "at": at,
    }
    if keep > 0:
        last_kept = connection.execute(_LAST_KEPT, {**params, "skip": keep - 1}).first()
        if last_kept is None:
            return Released(0, 0)
        params["after"] = last_kept.id
    counts = [connection.execute(text(statement), params).rowcount for statement in _RELEASE_FROM_ORDER]
    # Made for the order (the UPDATE) and drawn for it (the DELETE) are all that left; the pool's inserts
    # are those that went back.
    returned = counts[1] + counts[3]
    return Released(returned, counts[2] + counts[4] - returned)


def order_page(
    session: Session, tenant_id: int, order_pk: int, after_id: int | None, limit: int
) -> list[tuple[int, str]]:
    params = {"tenant_id": tenant_id, "order_pk": order_pk, "after": after_id or 0, "limit": limit}
    rows = session.connection().execute(_ORDER_PAGE, params)
    return [(row.id, row.serial) for row in rows]


def stream_order_serials(session: Session, tenant_id: int, order_pk: int, chunk: int) -> Iterator[list[str]]:
    """The order's serials in chunks, straight from the driver's cursor: a server-side cursor on
    PostgreSQL, so memory stays flat for any order size. The driver, not SQLAlchemy's row objects:
    those cost three quarters of a download's time."""
    driver_connection = session.connection().connection.driver_connection
    params = {"tenant_id": tenant_id, "order_pk": order_pk, "after": 0}
    if isinstance(driver_connection, psycopg.Connection):
        cursor: Any = driver_connection.cursor(name=f"order_serials_{order_pk}")
        cursor.itersize = chunk
        query = _PG_ORDER_SERIALS
    else:
        cursor = driver_connection.cursor()  # type: ignore[union-attr]
        query = _ORDER_SERIALS
    try:
        cursor.execute(query, params)
        while rows := cursor.fetchmany(chunk):
            yield [row[0] for row in rows]
    finally:
        cursor.close()


# A page of the order's serials as ONE text value, newline-separated, with the page's last id: the
# download builds its lines from it with a string replace, never a Python object per serial.
_PG_ORDER_TEXT_PAGE = (
    "SELECT string_agg(serial, E'\\n' ORDER BY id), max(id) FROM ("  # noqa: S608 - constants only
    + _ORDER_PAGE_SQL.replace(":tenant_id", "%(tenant_id)s")
    .replace(":order_pk", "%(order_pk)s")
    .replace(":after", "%(after)s")
    .replace(":limit", "%(limit)s")
    + ") AS page"
)


def stream_order_serial_text(session: Session, tenant_id: int, order_pk: int, chunk: int) -> Iterator[str]:
    """The order's serials in id order as newline-separated blocks of up to ``chunk`` serials. PostgreSQL
    pages by id (keyset) and joins each page into one string itself; SQLite joins what its cursor gives."""
    driver_connection = session.connection().connection.driver_connection
    if not isinstance(driver_connection, psycopg.Connection):
        for serials in stream_order_serials(session, tenant_id, order_pk, chunk):
            yield "\n".join(serials)
        return
    params = {"tenant_id": tenant_id, "order_pk": order_pk, "after": 0, "limit": chunk}
    with driver_connection.cursor() as cursor:
        while True:
            row = cursor.execute(_PG_ORDER_TEXT_PAGE, params).fetchone()
            if row is None or row[0] is None:
                return
            yield row[0]
            params["after"] = row[1]
