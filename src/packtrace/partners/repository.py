"""All SQL for trading partners."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from packtrace.models import PartnerLocation, Shipment, TradingPartner


def by_gln(session: Session, tenant_id: int, gln: str, *, lock: bool = False) -> TradingPartner | None:
    query = select(TradingPartner).where(TradingPartner.tenant_id == tenant_id, TradingPartner.gln == gln)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def page(session: Session, tenant_id: int, after_id: int | None, limit: int) -> Sequence[TradingPartner]:
    query = select(TradingPartner).where(TradingPartner.tenant_id == tenant_id)
    if after_id is not None:
        query = query.where(TradingPartner.id > after_id)
    return session.scalars(query.order_by(TradingPartner.id).limit(limit)).all()


def locations_of(session: Session, tenant_id: int, partner_ids: Sequence[int]) -> dict[int, list[PartnerLocation]]:
    if not partner_ids:
        return {}
    rows = session.scalars(
        select(PartnerLocation)
        .where(PartnerLocation.tenant_id == tenant_id, PartnerLocation.partner_id.in_(partner_ids))
        .order_by(PartnerLocation.id)
    ).all()
    found: dict[int, list[PartnerLocation]] = {pk: [] for pk in partner_ids}
    for row in rows:
        found[row.partner_id].append(row)
    return found


def location(session: Session, tenant_id: int, gln: str, extension: str) -> PartnerLocation | None:
    return session.scalar(
        select(PartnerLocation).where(
            PartnerLocation.tenant_id == tenant_id, PartnerLocation.gln == gln, PartnerLocation.extension == extension
        )
    )


def location_by_id(session: Session, tenant_id: int, location_id: int) -> PartnerLocation | None:
    return session.scalar(
        select(PartnerLocation).where(PartnerLocation.tenant_id == tenant_id, PartnerLocation.id == location_id)
    )


def partner_by_id(session: Session, tenant_id: int, partner_id: int) -> TradingPartner | None:
    return session.scalar(
        select(TradingPartner).where(TradingPartner.tenant_id == tenant_id, TradingPartner.id == partner_id)
    )


def shipments_naming(session: Session, tenant_id: int, partner_id: int, location_ids: Sequence[int]) -> int:
    """Shipments that name the partner (sold to) or one of these locations (ship to, sold to)."""
    named = [Shipment.sold_to_partner_id == partner_id]
    if location_ids:
        named += [Shipment.ship_to_id.in_(location_ids), Shipment.sold_to_location_id.in_(location_ids)]
    query = select(func.count()).select_from(Shipment).where(Shipment.tenant_id == tenant_id, or_(*named))
    return session.scalar(query) or 0
