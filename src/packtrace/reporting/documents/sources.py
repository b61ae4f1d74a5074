"""What the report documents are made of, read from the database: master data, a batch's packs and
containers, a shipment's contents. Large lists are read as streams of tuples (no ORM object per pack)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from packtrace.gs1.check_digit import compute_check_digit
from packtrace.models import (
    CompanyPrefix,
    Container,
    MarketProfile,
    Pack,
    PackagingOrder,
    PackEvent,
    Product,
    ProductMarket,
    Tenant,
)
from packtrace.models.enums import PackEventType, PackStatus
from packtrace.products.regulatory import target_markets
from packtrace.reporting.documents.model import Node, ProductData, Sender

_CHUNK = 1000  # identifiers per IN list
_STREAM = 5000  # rows fetched at a time from a large result


def _chunks(values: Sequence[object]) -> Iterator[Sequence[object]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def profiles(session: Session, tenant_id: int) -> set[str]:
    """The markets the tenant has a profile for: only these get reports."""
    return set(session.scalars(select(MarketProfile.market).where(MarketProfile.tenant_id == tenant_id)))


def sender(session: Session, tenant_id: int) -> Sender:
    tenant = session.get_one(Tenant, tenant_id)
    prefixes = tuple(session.scalars(select(CompanyPrefix.prefix).where(CompanyPrefix.tenant_id == tenant_id)))
    return Sender(tenant.name, tenant.gln, tenant.gln_extension, prefixes)


def own_gln(sender: Sender) -> str:
    """The tenant's GLN; without one, the GLN of its first company prefix with location reference 0."""
    if sender.gln:
        return sender.gln
    prefix = sender.company_prefixes[0] if sender.company_prefixes else "0000000"
    body = prefix + "0" * (12 - len(prefix))
    return body + compute_check_digit(body)


def product(session: Session, tenant_id: int, code: str) -> tuple[int, ProductData] | None:
    found = session.scalar(select(Product).where(Product.tenant_id == tenant_id, Product.code == code))
    if found is None:
        return None
    return found.id, product_data(session, found)


def product_data(session: Session, found: Product) -> ProductData:
    markets = session.scalars(
        select(ProductMarket.market).where(
            ProductMarket.tenant_id == found.tenant_id, ProductMarket.product_id == found.id
        )
    )
    return ProductData(
        code=found.code,
        code_scheme=found.code_schema,
        company_prefix_length=found.company_prefix_length,
        name=found.name,
        markets=tuple(sorted(markets)),
        common_name=found.common_name,
        pharmaceutical_form=found.pharmaceutical_form,
        dosage_form=found.dosage_form,
        strength=found.strength,
        pack_type=found.pack_type,
        pack_size=found.pack_size,
        mah_name=found.mah_name,
        mah_id=found.mah_id,
        target_markets=tuple(target_markets(found)),
        ndc=found.ndc,
        nie=found.nie,
    )


def batch_markets(session: Session, tenant_id: int, product_id: int, batch: str) -> set[str]:
    """The markets of the orders the batch's packs were made in."""
    order_pks = select(Pack.order_pk).where(
        Pack.tenant_id == tenant_id, Pack.product_id == product_id, Pack.batch == batch
    )
    rows = session.scalars(
        select(PackagingOrder.market)
        .where(PackagingOrder.tenant_id == tenant_id, PackagingOrder.id.in_(order_pks.distinct()))
        .distinct()
    )
    return {m for m in rows if m}


def commissioned_at(session: Session, tenant_id: int, product_id: int, batch: str, at: datetime) -> list[str]:
    """The expiry dates of the packs of the batch that one ``commission market`` released at ``at``."""
    return sorted(
        session.scalars(select(Pack.expiry_date).where(*_released(tenant_id, product_id, batch, at)).distinct())
    )


def _released(tenant_id: int, product_id: int, batch: str, at: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        Pack.tenant_id == tenant_id,
        Pack.product_id == product_id,
        Pack.batch == batch,
        Pack.status == PackStatus.COMMISSIONED.value,
        Pack.updated_at == at,
    )


def released_serials(
    session: Session, tenant_id: int, product_id: int, batch: str, expiry: str, at: datetime
) -> Iterator[str]:
    query = (
        select(Pack.serial)
        .where(*_released(tenant_id, product_id, batch, at), Pack.expiry_date == expiry)
        .order_by(Pack.id)
        .execution_options(yield_per=_STREAM)
    )
    yield from session.execute(query).scalars()


def released_packs(
    session: Session, tenant_id: int, product_id: int, batch: str, expiry: str, at: datetime
) -> list[tuple[str, int | None]]:
    """(serial, container id) of each pack the call released."""
    query = (
        select(Pack.serial, Pack.container_id)
        .where(*_released(tenant_id, product_id, batch, at), Pack.expiry_date == expiry)
        .order_by(Pack.id)
    )
    return [(serial, container) for serial, container in session.execute(query)]


def market_commissioned(
    session: Session, tenant_id: int, product_id: int, serials: Sequence[str]
) -> list[tuple[str, str, str]]:
    """(serial, batch, decommission reason) of those packs that had been commissioned to the market."""
    found: list[tuple[str, str, str]] = []
    for part in _chunks(serials):
        released = select(PackEvent.pack_id).where(
            PackEvent.tenant_id == tenant_id,
            PackEvent.pack_id == Pack.id,
            PackEvent.event == PackEventType.MARKET_COMMISSIONED.value,
        )
        query = (
            select(Pack.serial, Pack.batch, Pack.decommission_reason)
            .where(Pack.tenant_id == tenant_id, Pack.product_id == product_id, Pack.serial.in_(part))
            .where(released.exists())
            .order_by(Pack.id)
        )
        found += [(s, b, r or "Other") for s, b, r in session.execute(query)]
    return found


def hierarchy(
    session: Session, tenant_id: int, container_ids: Iterable[int | None]
) -> dict[int, tuple[str, int | None]]:
    """Containers (id -> SSCC, parent id) of the given ones and of every container above them."""
    found: dict[int, tuple[str, int | None]] = {}
    todo = sorted({c for c in container_ids if c is not None})
    while todo:
        above: set[int] = set()
        for part in _chunks(todo):
            query = select(Container.id, Container.sscc, Container.parent_id).where(
                Container.tenant_id == tenant_id, Container.id.in_(part)
            )
            for cid, sscc, parent in session.execute(query):
                found[cid] = (sscc, parent)
                if parent is not None and parent not in found:
                    above.add(parent)
        todo = sorted(above - set(found))
    return found


def nodes(containers: dict[int, tuple[str, int | None]], packs: Iterable[tuple[str, str, int | None]]) -> list[Node]:
    """The containers as nodes, parents before children: packs are (product code, serial, container)."""
    held: dict[int, list[tuple[str, str]]] = {}
    for code, serial, container in packs:
        if container is not None:
            held.setdefault(container, []).append((code, serial))
    children: dict[int, list[str]] = {}
    for cid, (_sscc, parent) in containers.items():
        if parent is not None:
            children.setdefault(parent, []).append(containers[cid][0])
    depth: dict[int, int] = {}
    for cid in containers:
        level, parent = 0, containers[cid][1]
        while parent is not None and parent in containers:
            level, parent = level + 1, containers[parent][1]
        depth[cid] = level
    ordered = sorted(containers, key=lambda c: (depth[c], containers[c][0]))
    return [
        Node(
            sscc=containers[c][0],
            parent=containers[containers[c][1]][0] if containers[c][1] in containers else None,  # type: ignore[index]
            child_ssccs=tuple(sorted(children.get(c, []))),
            packs=tuple(held.get(c, [])),
        )
        for c in ordered
    ]


def descendants(session: Session, tenant_id: int, ssccs: Sequence[str]) -> dict[int, tuple[str, int | None]]:
    """The listed containers and every container inside them (id -> SSCC, parent id)."""
    found: dict[int, tuple[str, int | None]] = {}
    for part in _chunks(list(ssccs)):
        listed = select(Container.id, Container.sscc).where(Container.tenant_id == tenant_id, Container.sscc.in_(part))
        for cid, sscc in session.execute(listed):
            found[cid] = (sscc, None)  # the listed ones are the shipment's top level
    level = list(found)
    while level:
        below: list[int] = []
        for part in _chunks(level):
            query = select(Container.id, Container.sscc, Container.parent_id).where(
                Container.tenant_id == tenant_id, Container.parent_id.in_(part)
            )
            for cid, sscc, parent in session.execute(query):
                if cid not in found:
                    found[cid] = (sscc, parent)
                    below.append(cid)
        level = below
    return found


# product id, code, serial, batch, expiry, commissioned at, container
PackRow = tuple[int, str, str, str, str, datetime, int | None]
_PACK_COLUMNS = (Pack.product_id, Product.code, Pack.serial, Pack.batch, Pack.expiry_date, Pack.created_at)


def packs_in(session: Session, tenant_id: int, container_ids: Sequence[int]) -> list[PackRow]:
    rows: list[PackRow] = []
    for part in _chunks(list(container_ids)):
        query = (
            select(*_PACK_COLUMNS, Pack.container_id)
            .join(Product, Product.id == Pack.product_id)
            .where(Pack.tenant_id == tenant_id, Pack.container_id.in_(part))
            .order_by(Pack.id)
        )
        rows += [(p, c, s, b, e, at, box) for p, c, s, b, e, at, box in session.execute(query)]
    return rows


def loose_packs(session: Session, tenant_id: int, items: Sequence[tuple[str, str]]) -> list[PackRow]:
    rows: list[PackRow] = []
    for code, serial in items:
        query = (
            select(*_PACK_COLUMNS)
            .join(Product, Product.id == Pack.product_id)
            .where(Pack.tenant_id == tenant_id, Product.tenant_id == tenant_id)
            .where(Product.code == code, Pack.serial == serial)
        )
        rows += [(p, c, s, b, e, at, None) for p, c, s, b, e, at in session.execute(query)]
    return rows


def products_by_id(session: Session, tenant_id: int, ids: Iterable[int]) -> dict[int, ProductData]:
    found = session.scalars(select(Product).where(Product.tenant_id == tenant_id, Product.id.in_(sorted(set(ids)))))
    return {p.id: product_data(session, p) for p in found}
