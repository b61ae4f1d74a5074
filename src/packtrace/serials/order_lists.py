"""The SQL of an order's serials: those made for it (their registry row names the order) and those drawn
for it from the pool (``order_serials``), read as one list in id order, paged, streamed for the CSV
download, counted, and released when the order shrinks or is cancelled."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from packtrace.models import OrderSerial, SerialNumber


def count_for_order(session: Session, tenant_id: int, order_pk: int) -> int:
    made = select(func.count()).where(SerialNumber.tenant_id == tenant_id, SerialNumber.order_pk == order_pk)
    drawn = select(func.count()).where(OrderSerial.tenant_id == tenant_id, OrderSerial.order_pk == order_pk)
    return (session.scalar(made) or 0) + (session.scalar(drawn) or 0)


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
# The order's serials of one source after an id go back to the pool, unless printed or packed.
_BACK_TO_POOL = """
    INSERT INTO serial_pool (tenant_id, product_id, serial_id, serial)
    SELECT x.tenant_id, :product_id, x.{id}, x.serial FROM {source} x
    WHERE x.tenant_id = :tenant_id AND x.order_pk = :order_pk AND x.{id} > :after
      AND NOT EXISTS (SELECT 1 FROM printed_serials ps WHERE ps.tenant_id = :tenant_id AND ps.serial_id = x.{id})
      AND NOT EXISTS (SELECT 1 FROM packs p
                      WHERE p.tenant_id = :tenant_id AND p.product_id = :product_id AND p.serial = x.serial)
    ON CONFLICT DO NOTHING
"""
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
    _BACK_TO_POOL.format(source="serial_numbers", id="id"),
    "UPDATE serial_numbers SET order_pk = NULL WHERE tenant_id = :tenant_id AND order_pk = :order_pk AND id > :after",
    _BACK_TO_POOL.format(source="order_serials", id="serial_id"),
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
