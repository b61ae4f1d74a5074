"""All SQL for SSCCs, containers and aggregation.

A list of any length travels as ONE parameter (an array on PostgreSQL, a JSON array read by ``json_each``
on SQLite), so a pallet of 100,000 packs costs one UPDATE and one INSERT of events, not 100,000 bound
parameters or statements. Trees are read with recursive CTEs, which both databases run."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    String,
    Table,
    Text,
    any_,
    case,
    func,
    literal,
    null,
    select,
    text,
    true,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import QueryableAttribute, Session, aliased
from sqlalchemy.sql import Select
from sqlalchemy.sql.expression import TableValuedAlias
from sqlalchemy.types import ARRAY, TypeEngine

from packtrace.kit.db import dialect_insert, on_postgres
from packtrace.models import Container, ContainerEvent, Pack, PackEvent, Product
from packtrace.models.base import UTCDateTime
from packtrace.models.enums import PackStatus, SsccStatus

container_table = cast(Table, Container.__table__)
pack_table = cast(Table, Pack.__table__)
container_event_table = cast(Table, ContainerEvent.__table__)
pack_event_table = cast(Table, PackEvent.__table__)

AGGREGATABLE = (PackStatus.ACTIVE.value, PackStatus.COMMISSIONED.value)
# Bounds every recursive query, should the data ever hold a loop (the service never makes one).
_RECURSION_LIMIT = 1000
# PostgreSQL advisory locks (namespace, tenant): nesting is serialized per tenant, so two requests cannot
# each pass the loop check and together close a loop. Packs into cases never take them.
CONTAINER_NESTING = 0x50540001
PACK_NESTING = 0x50540002
# SSCC generation too: concurrent generators all computed the same next SSCCs, and each insert but one
# waited on another's uncommitted rows, then moved on to the next block to collide again (8 lines
# requesting blocks of 100 at once: one ssccs/request took 43 s).
SSCC_GENERATION = 0x50540003


@dataclass(frozen=True)
class ContainerRow:
    id: int
    sscc: str
    status: str
    source: str
    parent_id: int | None
    shipment_pk: int | None = None  # shipped containers are never repacked


@dataclass(frozen=True)
class PackRow:
    id: int
    product_id: int
    serial: str
    status: str
    container_id: int | None
    parent_pack_id: int | None
    batch: str = ""
    shipment_pk: int | None = None


@dataclass(frozen=True)
class TreeContainer:
    id: int
    sscc: str
    status: str
    parent_id: int | None
    depth: int


@dataclass(frozen=True)
class TreePack:
    id: int
    container_id: int
    product_code: str
    serial: str
    status: str


@dataclass(frozen=True)
class SsccListing:
    id: int
    sscc: str
    status: str
    source: str
    parent_sscc: str | None
    created_at: datetime
    updated_at: datetime


_CONTAINER_COLUMNS = (
    Container.id,
    Container.sscc,
    Container.status,
    Container.source,
    Container.parent_id,
    Container.shipment_pk,
)
_PACK_COLUMNS = (
    Pack.id,
    Pack.product_id,
    Pack.serial,
    Pack.status,
    Pack.container_id,
    Pack.parent_pack_id,
    Pack.batch,
    Pack.shipment_pk,
)


def _values(session: Session, values: Sequence[Any], type_: TypeEngine[Any]) -> TableValuedAlias:
    """``values`` as a one-column table (``value``) bound as a single parameter."""
    if on_postgres(session):
        return func.unnest(literal(list(values), ARRAY(type_))).table_valued("value").render_derived()
    return func.json_each(json.dumps(list(values))).table_valued("value")


def _one_of(
    session: Session, column: ColumnElement[Any] | QueryableAttribute[Any], values: Sequence[Any]
) -> ColumnElement[bool]:
    """``column`` is one of ``values``. PostgreSQL: ``= ANY(array)``, a condition on each row, never a join
    that stale statistics could turn into every row against every value; and one value is a plain
    equality, which the planner always takes into the index (with statistics from before the rows were
    aggregated, it may take ``= ANY`` of a partial index for a filter over all of the tenant's)."""
    if on_postgres(session):
        if len(values) == 1:
            equal: ColumnElement[bool] = column == values[0]
            return equal
        return column == any_(literal(list(values), ARRAY(column.type)))
    return column.in_(select(_values(session, values, column.type).c.value))


def _by_id(session: Session, table: Any, tenant_id: int, ids: Sequence[int]) -> tuple[ColumnElement[bool], ...]:
    """Rows of the tenant by id. The primary key finds them; SQLite, which keeps no statistics, would rather
    walk an index that starts with ``tenant_id`` (all the tenant's rows), so there the tenant check is
    written ``tenant_id + 0`` to keep it a check on each row found."""
    tenant = table.tenant_id + 0 if not on_postgres(session) else table.tenant_id
    return (tenant == tenant_id, _one_of(session, table.id, ids))


def _lock(session: Session, ids: Select[Any]) -> None:
    """PostgreSQL: lock these rows first, in id order, so that requests moving overlapping children queue
    one behind the other instead of deadlocking. (A separate statement: folded into the UPDATE as a
    subquery, it makes SQLite's planner scan the whole table.)"""
    if on_postgres(session):
        session.execute(ids.order_by(ids.selected_columns[0]).with_for_update()).all()


def _at(at: datetime) -> Any:
    return literal(at, UTCDateTime())


# -- the pool --------------------------------------------------------------------------------------------


def highest_between(session: Session, tenant_id: int, low: str, high: str) -> str | None:
    return session.scalar(
        select(func.max(Container.sscc)).where(Container.tenant_id == tenant_id, Container.sscc.between(low, high))
    )


def count_between(session: Session, tenant_id: int, low: str, high: str) -> int:
    query = select(func.count()).where(Container.tenant_id == tenant_id, Container.sscc.between(low, high))
    return session.scalar(query) or 0


def taken_between(session: Session, tenant_id: int, low: str, high: str) -> set[str]:
    query = select(Container.sscc).where(Container.tenant_id == tenant_id, Container.sscc.between(low, high))
    return set(session.scalars(query))


def insert_ssccs(
    session: Session, tenant_id: int, ssccs: Sequence[str], status: str, source: str, at: datetime
) -> list[int]:
    """Insert the SSCCs the tenant does not have yet (one statement); returns the ids of those inserted."""
    if not ssccs:
        return []
    rows = select(
        literal(tenant_id, Integer()),
        _values(session, ssccs, String()).c.value,
        literal(status, String()),
        literal(source, String()),
        _at(at),
        _at(at),
    ).where(true())  # SQLite needs a WHERE to tell INSERT ... SELECT ... ON CONFLICT from a join's ON
    columns = ["tenant_id", "sscc", "status", "source", "created_at", "updated_at"]
    statement = (
        dialect_insert(session, container_table)
        .from_select(columns, rows)
        .on_conflict_do_nothing(index_elements=["tenant_id", "sscc"])
        .returning(container_table.c.id)
    )
    return list(session.connection().execute(statement).scalars())


def draw(session: Session, tenant_id: int, low: str, high: str, count: int, at: datetime) -> list[tuple[int, str]]:
    """Available -> Assigned for up to ``count`` SSCCs between ``low`` and ``high``, oldest first. On
    PostgreSQL SKIP LOCKED lets concurrent draws take different rows instead of waiting on each other. The
    pick is a CTE, which PostgreSQL runs once: as a plain IN subquery it may be run again during the
    UPDATE and, skipping the rows it locked the first time, add more than ``count``."""
    picked = (
        select(Container.id)
        .where(
            Container.tenant_id == tenant_id,
            Container.status == SsccStatus.AVAILABLE.value,
            # SQLite (no statistics) would walk every SSCC of the range in the unique index and sort them;
            # the pool index (tenant, status, id) gives the oldest Available ones in order.
            (Container.sscc if on_postgres(session) else Container.sscc.concat("")).between(low, high),
        )
        .order_by(Container.id)
        .limit(count)
        .with_for_update(skip_locked=True)
        .cte("picked")
    )
    if on_postgres(session):
        # UPDATE ... FROM picked, on the id alone (as serials/repository.py does): the picked rows are the
        # tenant's, Available and locked. Filtered again, the planner, which has no statistics yet for
        # rows made in this transaction, may compare every Available row with every pick.
        chosen: tuple[ColumnElement[bool], ...] = (container_table.c.id == picked.c.id,)
    else:
        chosen = (
            container_table.c.id.in_(select(picked.c.id)),
            container_table.c.tenant_id == tenant_id,
            container_table.c.status == SsccStatus.AVAILABLE.value,
        )
    statement = (
        container_table.update()
        .where(*chosen)
        .values(status=SsccStatus.ASSIGNED.value, updated_at=at)
        .returning(container_table.c.id, container_table.c.sscc)
    )
    return [(row.id, row.sscc) for row in session.connection().execute(statement)]


def set_status(session: Session, tenant_id: int, ids: Sequence[int], old: str, new: str, at: datetime) -> int:
    statement = (
        container_table.update()
        .where(*_by_id(session, container_table.c, tenant_id, ids))
        .where(container_table.c.status == old)
        .values(status=new, updated_at=at)
    )
    return session.connection().execute(statement).rowcount


def join_external(session: Session, tenant_id: int, sscc: str, at: datetime) -> ContainerRow | None:
    """An SSCC from outside the pool, entering it as Assigned; None if a concurrent request added it."""
    ids = insert_ssccs(session, tenant_id, [sscc], SsccStatus.ASSIGNED.value, "external", at)
    return ContainerRow(ids[0], sscc, SsccStatus.ASSIGNED.value, "external", None) if ids else None


def page(
    session: Session,
    tenant_id: int,
    status: str | None,
    between: tuple[str, str] | None,
    after_id: int | None,
    limit: int,
) -> list[SsccListing]:
    parent = aliased(Container)
    query = (
        select(*_CONTAINER_COLUMNS[:4], parent.sscc.label("parent_sscc"), Container.created_at, Container.updated_at)
        .outerjoin(parent, parent.id == Container.parent_id)
        .where(Container.tenant_id == tenant_id)
        .order_by(Container.id)
        .limit(limit)
    )
    if status is not None:
        query = query.where(Container.status == status)
    if between is not None:
        query = query.where(Container.sscc.between(*between))
    if after_id is not None:
        query = query.where(Container.id > after_id)
    return [SsccListing(*row) for row in session.execute(query)]


# -- containers ------------------------------------------------------------------------------------------


def containers_by_sscc(session: Session, tenant_id: int, ssccs: Sequence[str], *, lock: bool) -> list[ContainerRow]:
    """The rows of these SSCCs; with ``lock`` they are locked (PostgreSQL) in id order, so that requests
    touching the same containers queue instead of deadlocking."""
    if not ssccs:
        return []
    query = select(*_CONTAINER_COLUMNS).where(Container.tenant_id == tenant_id, _one_of(session, Container.sscc, ssccs))
    if lock and on_postgres(session):
        # Only where it locks: on SQLite an ORDER BY id makes the planner walk the tenant's containers in id
        # order instead of looking the SSCCs up in their unique index.
        query = query.order_by(Container.id).with_for_update()
    return [ContainerRow(*row) for row in session.execute(query)]


def ssccs_of(session: Session, tenant_id: int, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    query = select(Container.id, Container.sscc).where(*_by_id(session, Container, tenant_id, ids))
    return {row.id: row.sscc for row in session.execute(query)}


def child_counts(session: Session, tenant_id: int, ids: Sequence[int]) -> dict[int, int]:
    """Direct children (containers and packs) of each container."""
    if not ids:
        return {}
    counts: dict[int, int] = {}
    containers = (
        select(Container.parent_id, func.count())
        .where(Container.tenant_id == tenant_id, _one_of(session, Container.parent_id, ids))
        .group_by(Container.parent_id)
    )
    packs = (
        select(Pack.container_id, func.count())
        .where(Pack.tenant_id == tenant_id, _one_of(session, Pack.container_id, ids))
        .group_by(Pack.container_id)
    )
    for query in (containers, packs):
        for holder, count in session.execute(query):
            if holder is not None:
                counts[holder] = counts.get(holder, 0) + count
    return counts


def child_count(session: Session, tenant_id: int, container_id: int) -> int:
    """``child_counts`` of one container, in one statement."""
    containers = select(func.count()).where(Container.tenant_id == tenant_id, Container.parent_id == container_id)
    packs = select(func.count()).where(Pack.tenant_id == tenant_id, Pack.container_id == container_id)
    return int(session.scalar(select(containers.scalar_subquery() + packs.scalar_subquery())) or 0)


def ancestors(session: Session, tenant_id: int, container_id: int) -> list[int]:
    """The containers this one is in, innermost first (itself excluded)."""
    up = (
        select(Container.id, Container.parent_id, literal(0, Integer()).label("depth"))
        .where(Container.tenant_id == tenant_id, Container.id == container_id)
        .cte("up", recursive=True)
    )
    outer = aliased(Container)
    up = up.union_all(
        select(outer.id, outer.parent_id, up.c.depth + 1).where(
            outer.tenant_id == tenant_id, outer.id == up.c.parent_id, up.c.depth < _RECURSION_LIMIT
        )
    )
    return list(session.scalars(select(up.c.id).where(up.c.depth > 0).order_by(up.c.depth)))


def _tree(session: Session, tenant_id: int, root_ids: Sequence[int]) -> Any:
    """A recursive CTE of containers (id, sscc, status, parent_id, depth) from the roots down."""
    tree = (
        select(*_CONTAINER_COLUMNS[:3], Container.parent_id, literal(0, Integer()).label("depth"))
        .where(*_by_id(session, Container, tenant_id, root_ids))
        .cte("tree", recursive=True)
    )
    inner = aliased(Container)
    return tree.union_all(
        select(inner.id, inner.sscc, inner.status, inner.parent_id, tree.c.depth + 1).where(
            inner.tenant_id == tenant_id, inner.parent_id == tree.c.id, tree.c.depth < _RECURSION_LIMIT
        )
    )


def subtree_height(session: Session, tenant_id: int, ids: Sequence[int]) -> int:
    """Levels of containers from these down: 1 when none of them holds a container."""
    tree = _tree(session, tenant_id, ids)
    return (session.scalar(select(func.max(tree.c.depth))) or 0) + 1


def tree_containers(session: Session, tenant_id: int, root_id: int) -> list[TreeContainer]:
    tree = _tree(session, tenant_id, [root_id])
    query = select(tree.c.id, tree.c.sscc, tree.c.status, tree.c.parent_id, tree.c.depth).order_by(tree.c.sscc)
    return [TreeContainer(*row) for row in session.execute(query)]


def _product_codes(session: Session, tenant_id: int, product_ids: Sequence[int]) -> dict[int, str]:
    if not product_ids:
        return {}
    query = select(Product.id, Product.code).where(*_by_id(session, Product, tenant_id, sorted(set(product_ids))))
    return {row.id: row.code for row in session.execute(query)}


def tree_packs(session: Session, tenant_id: int, root_id: int) -> list[TreePack]:
    """The packs directly in any container of the tree, with their product codes."""
    tree = _tree(session, tenant_id, [root_id])
    query = (
        select(Pack.id, Pack.container_id, Pack.product_id, Pack.serial, Pack.status)
        # IN rather than a join: joined, SQLite's planner would read every packed pack of the tenant.
        .where(Pack.tenant_id == tenant_id, Pack.container_id.in_(select(tree.c.id)))
    )
    rows = session.execute(query).all()
    # Product codes apart, for the same reason: joined in, the planner would start from the product.
    product_ids = sorted({row.product_id for row in rows})
    codes = (
        dict(
            session.execute(
                select(Product.id, Product.code).where(*_by_id(session, Product, tenant_id, product_ids))
            ).all()
        )
        if rows
        else {}
    )
    packs = [
        TreePack(row.id, cast(int, row.container_id), codes[row.product_id], row.serial, row.status) for row in rows
    ]
    return sorted(packs, key=lambda pack: (pack.product_code, pack.serial))


def tree_content(session: Session, tenant_id: int, root_id: int) -> list[tuple[str, str, str, int]]:
    """(product code, batch, expiry, count) of the packs directly in any container of the tree: what a
    logistic label says the unit holds. Packs inside packs are part of the pack that holds them."""
    tree = _tree(session, tenant_id, [root_id])
    query = (
        select(Pack.product_id, Pack.batch, Pack.expiry_date, func.count())
        .where(Pack.tenant_id == tenant_id, Pack.container_id.in_(select(tree.c.id)))
        .group_by(Pack.product_id, Pack.batch, Pack.expiry_date)
    )
    rows = session.execute(query).all()
    codes = _product_codes(session, tenant_id, [row[0] for row in rows])
    return sorted((codes[product], batch, expiry, count) for product, batch, expiry, count in rows)


def nested_pack_counts(session: Session, tenant_id: int, root_id: int) -> tuple[dict[int, int], dict[int, int]]:
    """For the packs inside packs of the tree, at any depth: how many each container holds that way, and
    how many each pack directly in a container holds directly."""
    tree = _tree(session, tenant_id, [root_id])
    nested = (
        select(
            Pack.id,
            Pack.container_id.label("holder"),
            sql_cast(null(), BigInteger()).label("parent"),
            literal(0, Integer()).label("depth"),
        )
        .join(tree, Pack.container_id == tree.c.id)
        .where(Pack.tenant_id == tenant_id)
        .cte("nested", recursive=True)
    )
    inner = aliased(Pack)
    nested = nested.union_all(
        select(inner.id, nested.c.holder, inner.parent_pack_id, nested.c.depth + 1).where(
            inner.tenant_id == tenant_id, inner.parent_pack_id == nested.c.id, nested.c.depth < _RECURSION_LIMIT
        )
    )
    direct_parent = case((nested.c.depth == 1, nested.c.parent), else_=None).label("direct_parent")
    query = (
        select(nested.c.holder, direct_parent, func.count())
        .where(nested.c.depth > 0)
        .group_by(nested.c.holder, direct_parent)
    )
    per_container: dict[int, int] = {}
    per_pack: dict[int, int] = {}
    for holder, parent, count in session.execute(query):
        per_container[holder] = per_container.get(holder, 0) + count
        if parent is not None:
            per_pack[parent] = per_pack.get(parent, 0) + count
    return per_container, per_pack


def put_containers_in(session: Session, tenant_id: int, ids: Sequence[int], parent_id: int, at: datetime) -> int:
    """Only containers that are Assigned and in no container move: a concurrent change shows in the count."""
    chosen = _by_id(session, container_table.c, tenant_id, ids)
    _lock(session, select(container_table.c.id).where(*chosen))
    statement = (
        container_table.update()
        .where(*chosen)
        .where(container_table.c.parent_id.is_(None), container_table.c.status == SsccStatus.ASSIGNED.value)
        .values(parent_id=parent_id, updated_at=at)
    )
    return session.connection().execute(statement).rowcount


def take_containers_out(
    session: Session, tenant_id: int, parent_id: int, ids: Sequence[int] | None, at: datetime
) -> list[int]:
    """Out of ``parent_id``: these containers, or all (``ids`` None); returns the ids moved."""
    chosen = [container_table.c.tenant_id == tenant_id, container_table.c.parent_id == parent_id]
    if ids is not None:
        chosen.append(_one_of(session, container_table.c.id, ids))
    _lock(session, select(container_table.c.id).where(*chosen))
    statement = (
        container_table.update().where(*chosen).values(parent_id=None, updated_at=at).returning(container_table.c.id)
    )
    return list(session.connection().execute(statement).scalars())


def record_container_events(
    session: Session, tenant_id: int, ids: Sequence[int], event: str, detail: str | None, actor: str, at: datetime
) -> None:
    _record(session, container_event_table, "container_id", tenant_id, ids, event, detail, actor, at)


def history(session: Session, tenant_id: int, container_id: int) -> Sequence[ContainerEvent]:
    return session.scalars(
        select(ContainerEvent)
        .where(ContainerEvent.tenant_id == tenant_id, ContainerEvent.container_id == container_id)
        .order_by(ContainerEvent.id)
    ).all()


def lock_per_tenant(session: Session, tenant_id: int, namespace: int) -> None:
    """Serialize one kind of change (``namespace``) per tenant on PostgreSQL, until the transaction ends
    (SQLite serializes every writer already)."""
    if on_postgres(session):
        session.execute(
            text("SELECT pg_advisory_xact_lock(:namespace, :tenant)"), {"namespace": namespace, "tenant": tenant_id}
        )


# -- packs -----------------------------------------------------------------------------------------------


def packs_by_serial(session: Session, tenant_id: int, product_id: int, serials: Sequence[str]) -> list[PackRow]:
    if not serials:
        return []
    query = select(*_PACK_COLUMNS).where(
        Pack.tenant_id == tenant_id, Pack.product_id == product_id, _one_of(session, Pack.serial, serials)
    )
    return [PackRow(*row) for row in session.execute(query)]


def pack_by_serial(session: Session, tenant_id: int, product_id: int, serial: str, *, lock: bool) -> PackRow | None:
    query = select(*_PACK_COLUMNS).where(
        Pack.tenant_id == tenant_id, Pack.product_id == product_id, Pack.serial == serial
    )
    if lock:
        query = query.with_for_update()
    row = session.execute(query).first()
    return PackRow(*row) if row else None


def pack_labels(session: Session, tenant_id: int, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """(product code, serial) of these packs, to name them in messages."""
    if not ids:
        return {}
    query = (
        select(Pack.id, Product.code, Pack.serial)
        .join(Product, Product.id == Pack.product_id)
        .where(*_by_id(session, Pack, tenant_id, ids))
    )
    return {row.id: (row.code, row.serial) for row in session.execute(query)}


def pack_ancestors(session: Session, tenant_id: int, pack_id: int) -> list[int]:
    """The packs this one is in, innermost first (itself excluded)."""
    up = (
        select(Pack.id, Pack.parent_pack_id, literal(0, Integer()).label("depth"))
        .where(Pack.tenant_id == tenant_id, Pack.id == pack_id)
        .cte("up", recursive=True)
    )
    outer = aliased(Pack)
    up = up.union_all(
        select(outer.id, outer.parent_pack_id, up.c.depth + 1).where(
            outer.tenant_id == tenant_id, outer.id == up.c.parent_pack_id, up.c.depth < _RECURSION_LIMIT
        )
    )
    return list(session.scalars(select(up.c.id).where(up.c.depth > 0).order_by(up.c.depth)))


def pack_child_count(session: Session, tenant_id: int, pack_id: int) -> int:
    query = select(func.count()).where(Pack.tenant_id == tenant_id, Pack.parent_pack_id == pack_id)
    return session.scalar(query) or 0


def put_packs_in(
    session: Session,
    tenant_id: int,
    ids: Sequence[int],
    *,
    container_id: int | None,
    parent_pack_id: int | None,
    at: datetime,
) -> int:
    """Into a container or a pack: only packs that are Active or Commissioned and in nothing move, so a
    concurrent change shows in the count."""
    chosen = _by_id(session, pack_table.c, tenant_id, ids)
    _lock(session, select(pack_table.c.id).where(*chosen))
    statement = (
        pack_table.update()
        .where(*chosen)
        .where(pack_table.c.container_id.is_(None), pack_table.c.parent_pack_id.is_(None))
        .where(pack_table.c.status.in_(AGGREGATABLE))
    )
    if container_id is not None:
        statement = statement.values(container_id=container_id, updated_at=at)
    else:
        statement = statement.values(parent_pack_id=parent_pack_id, updated_at=at)
    return session.connection().execute(statement).rowcount


def take_packs_out(
    session: Session,
    tenant_id: int,
    ids: Sequence[int] | None,
    *,
    container_id: int | None = None,
    parent_pack_id: int | None = None,
    at: datetime,
) -> list[int]:
    """Out of the container or pack: these packs, or all (``ids`` None); returns the ids moved."""
    column = pack_table.c.container_id if container_id is not None else pack_table.c.parent_pack_id
    holder = container_id if container_id is not None else parent_pack_id
    chosen = [pack_table.c.tenant_id == tenant_id, column == holder]
    if ids is not None:
        chosen.append(_one_of(session, pack_table.c.id, ids))
    _lock(session, select(pack_table.c.id).where(*chosen))
    statement = pack_table.update().where(*chosen).values({column.key: None, "updated_at": at})
    return list(session.connection().execute(statement.returning(pack_table.c.id)).scalars())


def record_pack_events(
    session: Session, tenant_id: int, ids: Sequence[int], event: str, detail: str | None, actor: str, at: datetime
) -> None:
    _record(session, pack_event_table, "pack_id", tenant_id, ids, event, detail, actor, at)


def _record(
    session: Session,
    table: Table,
    key: str,
    tenant_id: int,
    ids: Sequence[int],
    event: str,
    detail: str | None,
    actor: str,
    at: datetime,
) -> None:
    """One event per id, in one INSERT ... SELECT."""
    if not ids:
        return
    rows = select(
        literal(tenant_id, Integer()),
        _values(session, sorted(ids), BigInteger()).c.value,
        literal(event, String()),
        literal(detail, Text()),
        literal(actor, String()),
        _at(at),
    )
    statement = table.insert().from_select(["tenant_id", key, "event", "detail", "actor", "at"], rows)
    session.connection().execute(statement)
