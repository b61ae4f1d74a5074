"""All SQL for packs and their histories. Set-based: a list of serials or pack ids travels as ONE parameter
(PostgreSQL: an array, unnested; SQLite: a JSON array, read with ``json_each``), so that a call of 100,000
serials is a handful of statements whatever its size, and never one statement per serial."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Connection, Table, TextClause, bindparam, func, insert, select, text
from sqlalchemy.orm import Session, aliased

from packtrace.kit.db import on_postgres
from packtrace.kit.text_lists import text_list_param, text_list_source
from packtrace.models import Container, ContainerEvent, Pack, PackagingOrder, PackEvent, Product
from packtrace.models.base import UTCDateTime
from packtrace.models.enums import PackEventType, PackStatus, SerialStatus

pack_table = cast(Table, Pack.__table__)
pack_event_table = cast(Table, PackEvent.__table__)
container_event_table = cast(Table, ContainerEvent.__table__)


def _serials_source(connection: Connection) -> str:
    """A FROM item with one column ``serial``: the serials of the ``:serials`` parameter
    (``_serials_param``)."""
    return text_list_source(connection, "serials", "serial")


def _serials_param(connection: Connection, serials: Sequence[str]) -> str:
    return text_list_param(connection, serials)


def _ids_source(connection: Connection) -> str:
    """A FROM item with one column ``id``: the pack ids of the ``:ids`` parameter."""
    if on_postgres(connection):
        return "unnest(CAST(:ids AS bigint[])) AS q(id)"
    return "(SELECT value AS id FROM json_each(:ids)) AS q"


def _list_join(connection: Connection) -> str:
    """How to join a table to the list, the list being the outer loop. SQLite's planner may otherwise scan
    the product's packs and search the list for each (100,000 x 100,000); its CROSS JOIN keeps the order
    written. PostgreSQL plans the join well by itself (and has no CROSS JOIN ... ON)."""
    return "JOIN" if on_postgres(connection) else "CROSS JOIN"


def _ids_param(connection: Connection, values: Sequence[int]) -> Any:
    return list(values) if on_postgres(connection) else json.dumps(list(values))


# Timestamps go through the column type, so raw SQL stores them exactly as the ORM does on each database.
_AT = bindparam("at", type_=UTCDateTime())


# -- commissioning ---------------------------------------------------------------------------------------


class KnownSerial(NamedTuple):
    """What the database holds for one serial of a commissioning request: its pool row and its pack.
    (A tuple: a list of 100,000 external serials makes 100,000 of them, a tuple is made 3x faster.)"""

    serial: str
    pool_status: str | None  # None: not in the pool
    pool_source: str | None
    pool_order_pk: int | None
    pack_status: str | None  # None: no pack
    batch: str | None
    expiry_date: str | None
    manufacturing_date: str | None
    pack_order_pk: int | None
    decommission_reason: str | None


@dataclass(frozen=True)
class CommissionLookup:
    unusual: list[KnownSerial]  # in the pool but not plainly usable, or produced already
    unknown: list[str]  # neither in the pool nor produced: external serials


def commission_lookup(
    session: Session, tenant_id: int, product_id: int, serials: Sequence[str], order_pk: int | None
) -> CommissionLookup:
    """One query for the whole list. It returns nothing for the plain case (in the pool, Assigned, to
    ``order_pk`` when one is given, and without a pack): for a line committing its order's serials that
    is no row at all, however long the list. Serials the pool does not know come back as ONE aggregated
    value (fetching 100,000 rows of them took a third longer); the other unusual ones come back as rows,
    with everything the service needs to judge them."""
    connection = session.connection()
    postgres = on_postgres(connection)
    statement, params = commission_lookup_statement(connection, tenant_id, product_id, serials, order_pk)
    unusual: list[KnownSerial] = []
    unknown: list[str] = []
    for row in connection.execute(statement, params):
        if row[0] is not None:
            unusual.append(KnownSerial(*row[:-1]))
        elif row[-1] is not None:
            unknown = list(row[-1]) if postgres else json.loads(row[-1])
    if len(unusual) > 1:
        # The statement probes in sorted order; the service judges (and reports) in the request's.
        position = {serial: index for index, serial in enumerate(serials)}
        unusual.sort(key=lambda known: position[known.serial])
    return CommissionLookup(unusual, unknown)


def _probe(connection: Connection, table: str, alias: str, columns: str, where: str) -> str:
    """A LEFT JOIN of the list to at most one row of ``table`` found by its unique key. PostgreSQL: a
    LATERAL subquery that cannot be flattened (OFFSET 0), so each serial is one index probe whatever the
    statistics say. Without statistics (a table just bulk-filled, before autovacuum's ANALYZE) the
    planner took the product's rows for one and hashed all of them: 871 ms for 120 serials after a fill
    of 956,000, instead of 3.8 ms."""
    if on_postgres(connection):
        lateral = f"(SELECT {columns} FROM {table} {alias} WHERE {where} OFFSET 0)"  # noqa: S608 - constants
        return f"LEFT JOIN LATERAL {lateral} {alias} ON true"
    return f"LEFT JOIN {table} {alias} ON {where}"


def commission_lookup_statement(
    connection: Connection, tenant_id: int, product_id: int, serials: Sequence[str], order_pk: int | None
) -> tuple[TextClause, dict[str, Any]]:
    """The statement of ``commission_lookup`` and its parameters (the tests look at its plan)."""
    params: dict[str, Any] = {
        "tenant_id": tenant_id,
        "product_id": product_id,
        # In the unique indexes' order: consecutive probes read the same index pages (100,000 external
        # serials after four such commissions: 0.85 s unsorted, 0.45 s sorted).
        "serials": _serials_param(connection, sorted(serials)),
    }
    postgres = on_postgres(connection)
    # OFFSET 0 keeps PostgreSQL from turning these EXISTS into a hash of all the product's pool rows (as
    # it does when it believes the product has one, for lack of statistics): each stays an index probe.
    offset = " OFFSET 0" if postgres else ""
    # A pool serial's state lives in the narrow tables: Available while it has a row in serial_pool; its
    # order is the one it was made for (the registry's order_pk) or the one it was drawn for
    # (order_serials). The common cases are decided without them: a serial made for the order is
    # usable on the registry row alone.
    in_pool = (
        "EXISTS (SELECT 1 FROM serial_pool a "  # noqa: S608 - only constants are formatted in
        f"WHERE a.tenant_id = :tenant_id AND a.product_id = :product_id AND a.serial_id = pool_id{offset})"
    )
    if order_pk is None:
        usable = f"NOT {in_pool}"
    else:
        usable = (
            "(made_for IS NOT NULL AND made_for = :order_pk) OR EXISTS (SELECT 1 FROM order_serials l "  # noqa: S608
            f"WHERE l.tenant_id = :tenant_id AND l.order_pk = :order_pk AND l.serial_id = pool_id{offset})"
        )
        params["order_pk"] = order_pk
    no_list, aggregated = (
        ("CAST(NULL AS text[])", "array_agg(serial)") if postgres else ("NULL", "json_group_array(serial)")
    )
    key = "{0}.tenant_id = :tenant_id AND {0}.product_id = :product_id AND {0}.serial = q.serial"
    registry = _probe(connection, "serial_numbers", "s", "s.id, s.source, s.order_pk", key.format("s"))
    pack_columns = "p.id, p.status, p.batch, p.expiry_date, p.manufacturing_date, p.order_pk, p.decommission_reason"
    packs = _probe(connection, "packs", "p", pack_columns, key.format("p"))
    statement = text(
        f"""
        WITH j AS MATERIALIZED (
            SELECT q.serial, s.id AS pool_id, s.source AS pool_source, s.order_pk AS made_for,
                   p.id AS pack_id, p.status AS pack_status, p.batch, p.expiry_date,
                   p.manufacturing_date, p.order_pk AS pack_order_pk, p.decommission_reason
            FROM {_serials_source(connection)}
            {registry}
            {packs}
        )
        SELECT serial,
               CASE WHEN pool_id IS NULL THEN NULL
                    WHEN {in_pool} THEN '{SerialStatus.AVAILABLE.value}'
                    ELSE '{SerialStatus.ASSIGNED.value}' END,
               pool_source,
               COALESCE(made_for, (SELECT l.order_pk FROM order_serials l
                                   WHERE l.tenant_id = :tenant_id AND l.serial_id = pool_id)),
               pack_status, batch, expiry_date, manufacturing_date, pack_order_pk, decommission_reason,
               {no_list} AS unknown
        FROM j
        WHERE pack_id IS NOT NULL OR (pool_id IS NOT NULL AND NOT ({usable}))
        UNION ALL
        SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, {aggregated}
        FROM j WHERE pool_id IS NULL AND pack_id IS NULL
        """  # noqa: S608 - only constants of this module are formatted in; values are bound
    )
    return statement, params


def insert_packs(
    session: Session,
    *,
    tenant_id: int,
    product_id: int,
    serials: Sequence[str],
    batch: str,
    expiry_date: str,
    manufacturing_date: str | None,
    order_pk: int | None,
    event_detail: str,
    actor: str,
    at: datetime,
) -> int:
    """Active packs for ``serials`` (none of which has a pack), each with its "Commissioned" event.
    Returns how many were inserted. A pack inserted meanwhile by a concurrent request makes the unique
    index refuse the statement (IntegrityError: the request's unit of work is rolled back)."""
    if not serials:
        return 0
    connection = session.connection()
    params: dict[str, Any] = {
        "tenant_id": tenant_id,
        "product_id": product_id,
        # In the unique index's order: consecutive inserts then land on the same index pages (a quarter
        # faster for 100,000 random serials on PostgreSQL).
        "serials": _serials_param(connection, sorted(serials)),
        "status": PackStatus.ACTIVE.value,
        "batch": batch,
        "expiry_date": expiry_date,
        "manufacturing_date": manufacturing_date,
        "order_pk": order_pk,
        "event": PackEventType.COMMISSIONED.value,
        "detail": event_detail,
        "actor": actor,
        "at": at,
    }
    new_packs = f"""
        INSERT INTO packs (tenant_id, product_id, serial, status, batch, expiry_date, manufacturing_date,
                           order_pk, created_at, updated_at)
        SELECT :tenant_id, :product_id, q.serial, :status, :batch, :expiry_date, :manufacturing_date,
               :order_pk, :at, :at
        FROM {_serials_source(connection)}
    """  # noqa: S608 - the FROM item is a constant of this module; values are bound
    if on_postgres(connection):
        # One statement writes both kinds of rows: the events take the ids the pack insert returns.
        statement = text(
            f"""
            WITH new_packs AS ({new_packs} RETURNING id)
            INSERT INTO pack_events (tenant_id, pack_id, event, detail, actor, at)
            SELECT :tenant_id, id, :event, :detail, :actor, :at FROM new_packs
            """  # noqa: S608
        ).bindparams(_AT)
        return connection.execute(statement, params).rowcount
    inserted = connection.execute(text(new_packs).bindparams(_AT), params).rowcount
    events = text(
        f"""
        INSERT INTO pack_events (tenant_id, pack_id, event, detail, actor, at)
        SELECT :tenant_id, p.id, :event, :detail, :actor, :at
        FROM {_serials_source(connection)}
        {_list_join(connection)} packs p
             ON p.tenant_id = :tenant_id AND p.product_id = :product_id AND p.serial = q.serial
        """  # noqa: S608 - the FROM item and the join are constants of this module; values are bound
    ).bindparams(_AT)
    connection.execute(events, params)
    return inserted


# -- decommissioning and market commissioning ---------------------------------------------------------


class PackState(NamedTuple):
    serial: str
    pack_id: int
    status: str
    decommission_reason: str | None
    container_id: int | None
    parent_pack_id: int | None
    shipment_pk: int | None = None


def packs_for_update(session: Session, tenant_id: int, product_id: int, serials: Sequence[str]) -> list[PackState]:
    """The packs of the listed serials (serials without a pack are left out): one query. On PostgreSQL the
    rows are locked (in id order, so that two such requests cannot deadlock) until the transaction ends:
    what is judged is what gets changed, even beside a concurrent decommissioning or aggregation. SQLite
    serializes writers, so it needs no lock."""
    connection = session.connection()
    locking = "ORDER BY p.id FOR UPDATE OF p" if on_postgres(connection) else ""
    statement = text(
        f"""
        SELECT q.serial, p.id, p.status, p.decommission_reason, p.container_id, p.parent_pack_id, p.shipment_pk
        FROM {_serials_source(connection)}
        {_list_join(connection)} packs p
             ON p.tenant_id = :tenant_id AND p.product_id = :product_id AND p.serial = q.serial
        {locking}
        """  # noqa: S608 - only constants of this module are formatted in; values are bound
    )
    params = {"tenant_id": tenant_id, "product_id": product_id, "serials": _serials_param(connection, serials)}
    return [PackState(*row) for row in connection.execute(statement, params)]


def decommission(
    session: Session, tenant_id: int, pack_ids: Sequence[int], reason: str, comment: str | None, at: datetime
) -> None:
    """One UPDATE: the packs Decommissioned with the reason, out of their container and parent pack."""
    if not pack_ids:
        return
    connection = session.connection()
    statement = text(
        f"""
        UPDATE packs SET status = :status, decommission_reason = :reason, comment = :comment, updated_at = :at,
                         container_id = NULL, parent_pack_id = NULL
        WHERE tenant_id = :tenant_id AND id IN (SELECT q.id FROM {_ids_source(connection)})
        """  # noqa: S608 - the FROM item is a constant of this module; values are bound
    ).bindparams(_AT)
    params = {
        "tenant_id": tenant_id,
        "ids": _ids_param(connection, pack_ids),
        "status": PackStatus.DECOMMISSIONED.value,
        "reason": reason,
        "comment": comment,
        "at": at,
    }
    connection.execute(statement, params)


def commission_batch(session: Session, tenant_id: int, product_id: int, batch: str, at: datetime) -> list[int]:
    """Every Active pack of the batch -> Commissioned, in one UPDATE; returns their ids."""
    statement = text(
        """
        UPDATE packs SET status = :commissioned, updated_at = :at
        WHERE tenant_id = :tenant_id AND product_id = :product_id AND batch = :batch AND status = :active
        RETURNING id
        """
    ).bindparams(_AT)
    params = {
        "tenant_id": tenant_id,
        "product_id": product_id,
        "batch": batch,
        "active": PackStatus.ACTIVE.value,
        "commissioned": PackStatus.COMMISSIONED.value,
        "at": at,
    }
    return list(session.connection().execute(statement, params).scalars())


def add_events(
    session: Session, tenant_id: int, pack_ids: Sequence[int], event: str, detail: str | None, actor: str, at: datetime
) -> None:
    """The same history entry for every pack of the list: one INSERT ... SELECT."""
    if not pack_ids:
        return
    connection = session.connection()
    statement = text(
        f"""
        INSERT INTO pack_events (tenant_id, pack_id, event, detail, actor, at)
        SELECT :tenant_id, q.id, :event, :detail, :actor, :at FROM {_ids_source(connection)}
        """  # noqa: S608 - the FROM item is a constant of this module; values are bound
    ).bindparams(_AT)
    params = {
        "tenant_id": tenant_id,
        "ids": _ids_param(connection, pack_ids),
        "event": event,
        "detail": detail,
        "actor": actor,
        "at": at,
    }
    connection.execute(statement, params)


def add_event_rows(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Pack events that differ from pack to pack (e.g. which container each left)."""
    if rows:
        session.connection().execute(insert(pack_event_table), list(rows))


def add_container_events(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.connection().execute(insert(container_event_table), list(rows))


def ssccs(session: Session, tenant_id: int, container_ids: Sequence[int]) -> dict[int, str]:
    if not container_ids:
        return {}
    rows = session.execute(
        select(Container.id, Container.sscc).where(
            Container.tenant_id == tenant_id, Container.id.in_(sorted(set(container_ids)))
        )
    )
    return {row.id: row.sscc for row in rows}


def serials_of_packs(session: Session, tenant_id: int, pack_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """pack id -> (product code, serial), for the few packs named in history entries."""
    if not pack_ids:
        return {}
    rows = session.execute(
        select(Pack.id, Product.code, Pack.serial)
        .join(Product, Product.id == Pack.product_id)
        .where(Pack.tenant_id == tenant_id, Pack.id.in_(sorted(set(pack_ids))))
    )
    return {row.id: (row.code, row.serial) for row in rows}


def batch_has_packs(session: Session, tenant_id: int, product_id: int, batch: str) -> bool:
    found = session.scalar(
        select(Pack.id).where(Pack.tenant_id == tenant_id, Pack.product_id == product_id, Pack.batch == batch).limit(1)
    )
    return found is not None


def produced_serials(session: Session, tenant_id: int, product_id: int, serials: Sequence[str]) -> set[str]:
    """The serials of the list that have a pack (for ``serials/release``, which must refuse them)."""
    connection = session.connection()
    statement = text(
        f"""
        SELECT q.serial FROM {_serials_source(connection)}
        {_list_join(connection)} packs p
             ON p.tenant_id = :tenant_id AND p.product_id = :product_id AND p.serial = q.serial
        """  # noqa: S608 - the FROM item and the join are constants of this module; values are bound
    )
    params = {"tenant_id": tenant_id, "product_id": product_id, "serials": _serials_param(connection, serials)}
    return set(connection.execute(statement, params).scalars())


# -- history ---------------------------------------------------------------------------------------------


def pack(session: Session, tenant_id: int, product_id: int, serial: str) -> Pack | None:
    return session.scalar(
        select(Pack).where(Pack.tenant_id == tenant_id, Pack.product_id == product_id, Pack.serial == serial)
    )


def pack_history(session: Session, tenant_id: int, pack_id: int) -> list[PackEvent]:
    return list(
        session.scalars(
            select(PackEvent)
            .where(PackEvent.tenant_id == tenant_id, PackEvent.pack_id == pack_id)
            .order_by(PackEvent.id)
        )
    )


def order(session: Session, tenant_id: int, order_pk: int) -> PackagingOrder | None:
    return session.scalar(
        select(PackagingOrder).where(PackagingOrder.tenant_id == tenant_id, PackagingOrder.id == order_pk)
    )


def container_sscc(session: Session, tenant_id: int, container_id: int) -> str | None:
    return session.scalar(select(Container.sscc).where(Container.tenant_id == tenant_id, Container.id == container_id))


@dataclass(frozen=True)
class ChildPack:
    product_code: str
    serial: str
    status: str
    child_count: int


def children(session: Session, tenant_id: int, pack_id: int) -> list[ChildPack]:
    """The packs inside a pack (pack-in-pack), each with how many packs it holds itself."""
    grandchild = aliased(Pack)
    child_count = (
        select(func.count())
        .where(grandchild.tenant_id == tenant_id, grandchild.parent_pack_id == Pack.id)
        .correlate(Pack)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Product.code, Pack.serial, Pack.status, child_count)
        .join(Product, Product.id == Pack.product_id)
        .where(Pack.tenant_id == tenant_id, Pack.parent_pack_id == pack_id)
        .order_by(Pack.id)
    )
    return [ChildPack(*row) for row in rows]
