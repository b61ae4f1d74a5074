"""Inserting generated serials: a whole batch from one numpy block, never a Python object per serial.

PostgreSQL: the rows are built as one binary COPY buffer (every generated serial of a product has the
same length, so a row has a fixed size and the buffer is a numpy structured array), COPYed in a
SAVEPOINT; the unique index still decides uniqueness. Serials for the pool get their ids from the
registry's sequence first, so the registry and the pool are two COPYs with no lookup between them. A
collision (a serial the product already has) undoes the savepoint and the batch goes in again through
``repository.insert_new``, with ON CONFLICT DO NOTHING. SQLite: the driver's executemany, with the
unique index's ON CONFLICT DO NOTHING."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt
import psycopg
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from packtrace.kit.db import on_postgres
from packtrace.serials import repository
from packtrace.serials.repository import serial_table

_PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
_TRAILER = b"\xff\xff"
_POOL_COLUMNS = "tenant_id, product_id, serial_id, serial"
_REGISTRY_COLUMNS = "tenant_id, product_id, serial, source, order_pk, created_at"
_ESTIMATED_ROWS = text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:table)")
# Statistics count once the fill is a tenth of the table (autovacuum's own default for ANALYZE).
_STALE_FRACTION = 0.1


def insert_generated(
    session: Session,
    *,
    tenant_id: int,
    product_id: int,
    serials: npt.NDArray[np.bytes_],
    source: str,
    order_pk: int | None,
    created_at: datetime,
    into_pool: bool,
) -> int:
    """Like ``repository.insert_new`` for a block of generated serials (``random_serial_block``): the
    serials the product does not have yet go in; returns how many did."""
    if not len(serials):
        return 0
    connection = session.connection()
    params: dict[str, Any] = {
        "tenant_id": tenant_id,
        "product_id": product_id,
        "source": source,
        "order_pk": order_pk,
        "created_at": created_at,
    }
    if on_postgres(connection):
        if _copy_all_new(session, serials, params, into_pool):
            return len(serials)
        as_text: list[str] = serials.astype(f"U{serials.dtype.itemsize}").tolist()
        return repository.insert_new(session, serials=as_text, into_pool=into_pool, **params)
    return _sqlite_insert(connection, serials, params, into_pool)


def _copy_all_new(session: Session, serials: npt.NDArray[np.bytes_], params: dict[str, Any], into_pool: bool) -> bool:
    try:
        with session.begin_nested():
            # Asking for the connection inside the block is what emits the SAVEPOINT.
            driver = session.connection().connection.driver_connection
            assert isinstance(driver, psycopg.Connection)
            ids = _next_ids(driver, len(serials)) if into_pool else None
            registry = _registry_rows(serials, params, ids)
            columns = f"id, {_REGISTRY_COLUMNS}" if ids is not None else _REGISTRY_COLUMNS
            _copy(driver, f"COPY serial_numbers ({columns}) FROM STDIN (FORMAT BINARY)", registry)
            if ids is not None:
                pool = _pool_rows(serials, params, ids)
                _copy(
                    driver,
                    "COPY serial_pool (tenant_id, product_id, serial_id, serial) FROM STDIN (FORMAT BINARY)",
                    pool,
                )
    except psycopg.errors.UniqueViolation:
        return False
    return True


def _copy(driver: psycopg.Connection[Any], statement: str, rows: npt.NDArray[Any]) -> None:
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write(_HEADER)
        copy.write(rows.tobytes())
        copy.write(_TRAILER)


def _next_ids(driver: psycopg.Connection[Any], count: int) -> npt.NDArray[np.int64]:
    """``count`` values of the registry's id sequence. The values are this transaction's alone, so concurrent inserts,
    which take theirs from the same sequence, never meet them."""
    with driver.cursor(binary=True) as cursor:
        # The sequence is looked up once: pg_get_serial_sequence in the select list ran for every row
        # (5 s for 200,000 ids). One int8[] value comes back: a Python int per row, fetched row by row,
        # cost more than the insert itself.
        found = cursor.execute("SELECT pg_get_serial_sequence('serial_numbers', 'id')::regclass::oid").fetchone()
        assert found is not None
        sequence = int(found[0])
        row = cursor.execute(
            f"SELECT array_agg(nextval({sequence}::oid::regclass)) FROM generate_series(1, %s)",  # noqa: S608 - an int
            (count,),
        ).fetchone()
    assert row is not None
    ids: npt.NDArray[np.int64] = np.array(row[0], dtype=np.int64)
    if len(ids) != count:
        raise RuntimeError(f"the id sequence gave {len(ids)} values, {count} were asked for")
    return ids


def _registry_rows(
    serials: npt.NDArray[np.bytes_], params: dict[str, Any], ids: npt.NDArray[np.int64] | None
) -> npt.NDArray[Any]:
    """serial_numbers' rows in COPY's binary format: a field count, then each field's length and value,
    big-endian; a NULL is a length of -1 and no value."""
    width, source = serials.dtype.itemsize, params["source"].encode("ascii")
    fields: list[tuple[str, str]] = [("count", ">i2")]
    if ids is not None:
        fields += [("id_size", ">i4"), ("id", ">i8")]
    fields += [("tenant_size", ">i4"), ("tenant", ">i4"), ("product_size", ">i4"), ("product", ">i4")]
    fields += [("serial_size", ">i4"), ("serial", f"S{width}"), ("source_size", ">i4"), ("source", f"S{len(source)}")]
    fields += [("order_size", ">i4")] + ([("order", ">i4")] if params["order_pk"] is not None else [])
    fields += [("at_size", ">i4"), ("at", ">i8")]
    rows = np.empty(len(serials), dtype=np.dtype(fields))
    rows["count"] = 7 if ids is not None else 6
    if ids is not None:
        rows["id_size"], rows["id"] = 8, ids
    rows["tenant_size"], rows["tenant"] = 4, params["tenant_id"]
    rows["product_size"], rows["product"] = 4, params["product_id"]
    rows["serial_size"], rows["serial"] = width, serials
    rows["source_size"], rows["source"] = len(source), source
    if params["order_pk"] is None:
        rows["order_size"] = -1
    else:
        rows["order_size"], rows["order"] = 4, params["order_pk"]
    rows["at_size"], rows["at"] = 8, (params["created_at"] - _PG_EPOCH) // timedelta(microseconds=1)
    return rows


def _pool_rows(serials: npt.NDArray[np.bytes_], params: dict[str, Any], ids: npt.NDArray[np.int64]) -> npt.NDArray[Any]:
    width = serials.dtype.itemsize
    fields = [("count", ">i2"), ("tenant_size", ">i4"), ("tenant", ">i4"), ("product_size", ">i4"), ("product", ">i4")]
    fields += [("id_size", ">i4"), ("id", ">i8"), ("serial_size", ">i4"), ("serial", f"S{width}")]
    rows = np.empty(len(serials), dtype=np.dtype(fields))
    rows["count"] = 4
    rows["tenant_size"], rows["tenant"] = 4, params["tenant_id"]
    rows["product_size"], rows["product"] = 4, params["product_id"]
    rows["id_size"], rows["id"] = 8, ids
    rows["serial_size"], rows["serial"] = width, serials
    return rows


def _sqlite_insert(
    connection: Connection, serials: npt.NDArray[np.bytes_], params: dict[str, Any], into_pool: bool
) -> int:
    """executemany straight on the driver, the timestamp converted once by the column's own type; the
    rows above the largest id before the insert are this insert's (SQLite has one writer)."""
    created_at = serial_table.c.created_at.type.bind_processor(connection.dialect)
    at = created_at(params["created_at"]) if created_at else params["created_at"]
    after_id = connection.scalar(text("SELECT coalesce(max(id), 0) FROM serial_numbers"))
    driver = connection.connection.driver_connection
    values: list[str] = serials.astype(f"U{serials.dtype.itemsize}").tolist()
    rows = zip(
        repeat(params["tenant_id"]), repeat(params["product_id"]), values, repeat(params["source"]),
        repeat(params["order_pk"]), repeat(at), strict=False,
    )  # fmt: skip
    cursor = driver.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(
            f"INSERT INTO serial_numbers ({_REGISTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "  # noqa: S608 - a constant
            "ON CONFLICT (tenant_id, product_id, serial) DO NOTHING",
            rows,
        )
        inserted = int(cursor.rowcount)
    finally:
        cursor.close()
    if into_pool:
        connection.execute(
            repository.SQLITE_INTO_POOL,
            {"tenant_id": params["tenant_id"], "product_id": params["product_id"], "after_id": after_id},
        )
    return inserted


def analyze_if_stale(connection: Connection, added: int) -> list[str]:
    """PostgreSQL: ANALYZE the serial tables a bulk fill of ``added`` rows left without statistics, or
    with statistics that no longer describe them, so that the next draw or lookup is planned on the
    index without waiting for autovacuum. Run after the fill commits (ANALYZE's lock would otherwise make
    concurrent fills wait for each other); returns the tables analyzed."""
    if not on_postgres(connection):
        return []
    analyzed = []
    for table in ("serial_numbers", "serial_pool"):
        rows = connection.scalar(
            text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:table)"), {"table": table}
        )
        if rows is None or rows < 0 or added > _STALE_FRACTION * rows:
            connection.execute(text(f"ANALYZE {table}"))
            analyzed.append(table)
    return analyzed
