"""What the packs feature publishes (``kit.facts``): subscribers (the EPCIS event log) write the
consequences in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from packtrace.kit.facts import Fact


@dataclass(frozen=True)
class PacksCommissioned(Fact):
    """Serials of one product became Active packs of one lot, in one call (a CSV import publishes one
    per product, batch and expiry)."""

    tenant_id: int
    product_code: str
    serials: tuple[str, ...]
    batch: str
    expiry_date: str  # YYMMDD as printed
    order_pk: int | None
    at: datetime


@dataclass(frozen=True)
class PacksDecommissioned(Fact):
    tenant_id: int
    product_code: str
    serials: tuple[str, ...]
    reason: str  # DecommissionReason
    at: datetime


@dataclass(frozen=True)
class BatchCommissionedToMarket(Fact):
    """``commission market``: a batch's Active packs became Commissioned (released to the market)."""

    tenant_id: int
    product_code: str
    batch: str
    market: str | None
    commissioned: int  # packs this call commissioned (0 on a retry)
    at: datetime
