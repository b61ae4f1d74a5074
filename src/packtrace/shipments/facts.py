"""What the shipments feature publishes (``kit.facts``): the EPCIS log writes the shipping event and the
reporting outbox the market's shipment report, in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from packtrace.kit.facts import Fact


@dataclass(frozen=True)
class PartyLocation:
    """A trading partner's location as a shipment names it."""

    partner_name: str
    partner_gln: str  # the owning party
    sgln: str  # the location (GLN + extension, as registered)
    location_name: str
    address: str
    us_state_license: str | None


@dataclass(frozen=True)
class PacksShipped(Fact):
    """A shipment left: the SSCCs and loose trade items listed (each SSCC with everything inside it)."""

    tenant_id: int
    shipment_pk: int
    shipment_id: str
    ship_to: PartyLocation
    sold_to: PartyLocation | None
    po_number: str | None
    despatch_advice: str | None
    ssccs: tuple[str, ...]  # the containers listed (their contents are shipped with them)
    trade_items: tuple[tuple[str, str], ...]  # loose packs listed: (product code, serial)
    at: datetime


@dataclass(frozen=True)
class ShipmentVoided(Fact):
    """A shipment was voided before delivery: its packs and containers are no longer shipped."""

    tenant_id: int
    shipment_pk: int
    shipment_id: str
    ssccs: tuple[str, ...]
    trade_items: tuple[tuple[str, str], ...]
    at: datetime
