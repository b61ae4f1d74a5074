"""All SQL for shipments: the tree of what a shipment holds, and marking it shipped."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from packtrace.models import Container, ContainerEvent, Pack, PackEvent, Product, Shipment

# Lists are sent in chunks: SQLite binds at most 32,766 parameters per statement.
CHUNK = 5000


@dataclass(frozen=True)
class ContainerNode:
    id: int
    sscc: str
    status: str
    parent_id: int | None
    shipment_pk: int | None


@dataclass(frozen=True)
class PackNode:
    id: int
    product_id: int
    product_code: str
    serial: str
    batch: str
    status: str
    container_id: int | None
    parent_pack_id: int | None
    shipment_pk: int | None


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


_CONTAINER = (Container.id, Container.sscc, Container.status, Container.parent_id, Container.shipment_pk)
_PACK = (
    Pack.id,
    Pack.product_id,
    Product.code,
    Pack.serial,
    Pack.batch,
    Pack.status,
    Pack.container_id,
    Pack.parent_pack_id,
    Pack.shipment_pk,
)


def by_shipment_id(session: Session, tenant_id: int, shipment_id: str, *, lock: bool = False) -> Shipment | None:
    query = select(Shipment).where(Shipment.tenant_id == tenant_id, Shipment.shipment_id == shipment_id)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def containers_by_sscc(session: Session, tenant_id: int, ssccs: Sequence[str]) -> list[ContainerNode]:
    """Locked on PostgreSQL (in id order): aggregation waits for the shipment, or the shipment for it."""
    found: list[ContainerNode] = []
    for chunk in _chunks(sorted(ssccs)):
        query = select(*_CONTAINER).where(Container.tenant_id == tenant_id, Container.sscc.in_(chunk))
        found += [ContainerNode(*row) for row in session.execute(query.order_by(Container.id).with_for_update())]
    return found


def containers_in(session: Session, tenant_id: int, parent_ids: Sequence[int]) -> list[ContainerNode]:
    found: list[ContainerNode] = []
    for chunk in _chunks(sorted(parent_ids)):
        query = select(*_CONTAINER).where(Container.tenant_id == tenant_id, Container.parent_id.in_(chunk))
        found += [ContainerNode(*row) for row in session.execute(query.order_by(Container.id).with_for_update())]
    return found


def _packs(session: Session, tenant_id: int, *where: Any) -> list[PackNode]:
    query = (
        select(*_PACK)
        .join(Product, Product.id == Pack.product_id)
        .where(Pack.tenant_id == tenant_id, *where)
        .order_by(Pack.id)
        .with_for_update(of=Pack)
    )
    return [PackNode(*row) for row in session.execute(query)]


def packs_in_containers(session: Session, tenant_id: int, container_ids: Sequence[int]) -> list[PackNode]:
    found: list[PackNode] = []
    for chunk in _chunks(sorted(container_ids)):
        found += _packs(session, tenant_id, Pack.container_id.in_(chunk))
    return found


def packs_in_packs(session: Session, tenant_id: int, pack_ids: Sequence[int]) -> list[PackNode]:
    found: list[PackNode] = []
    for chunk in _chunks(sorted(pack_ids)):
        found += _packs(session, tenant_id, Pack.parent_pack_id.in_(chunk))
    return found


def packs_by_serial(session: Session, tenant_id: int, product_id: int, serials: Sequence[str]) -> list[PackNode]:
    found: list[PackNode] = []
    for chunk in _chunks(sorted(serials)):
        found += _packs(session, tenant_id, Pack.product_id == product_id, Pack.serial.in_(chunk))
    return found


def container_ssccs(session: Session, tenant_id: int, ids: Sequence[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in _chunks(sorted(ids)):
        query = select(Container.id, Container.sscc).where(Container.tenant_id == tenant_id, Container.id.in_(chunk))
        found.update((row.id, row.sscc) for row in session.execute(query))
    return found


def pack_ids_of(session: Session, tenant_id: int, shipment_pk: int) -> list[int]:
    query = select(Pack.id).where(Pack.tenant_id == tenant_id, Pack.shipment_pk == shipment_pk)
    return list(session.scalars(query.order_by(Pack.id)))


def container_ids_of(session: Session, tenant_id: int, shipment_pk: int) -> list[int]:
    query = select(Container.id).where(Container.tenant_id == tenant_id, Container.shipment_pk == shipment_pk)
    return list(session.scalars(query.order_by(Container.id)))


def set_shipment(
    session: Session,
    tenant_id: int,
    pack_ids: Sequence[int],
    container_ids: Sequence[int],
    value: int | None,
    at: datetime,
) -> None:
    """Packs and containers (by id) point to the shipment (``value``) or to none."""
    for chunk in _chunks(list(pack_ids)):
        session.execute(
            update(Pack)
            .where(Pack.tenant_id == tenant_id, Pack.id.in_(chunk))
            .values(shipment_pk=value, updated_at=at),
            execution_options={"synchronize_session": False},
        )
    for chunk in _chunks(list(container_ids)):
        session.execute(
            update(Container)
            .where(Container.tenant_id == tenant_id, Container.id.in_(chunk))
            .values(shipment_pk=value, updated_at=at),
            execution_options={"synchronize_session": False},
        )


def add_history(
    session: Session,
    tenant_id: int,
    pack_ids: Sequence[int],
    container_ids: Sequence[int],
    event: str,
    detail: str,
    actor: str,
    at: datetime,
) -> None:
    """One history entry per pack and per container: what the pack and SSCC histories show."""
    common = {"tenant_id": tenant_id, "event": event, "detail": detail, "actor": actor, "at": at}
    if pack_ids:
        session.execute(insert(PackEvent), [{"pack_id": pk, **common} for pk in pack_ids])
    if container_ids:
        session.execute(insert(ContainerEvent), [{"container_id": pk, **common} for pk in container_ids])
