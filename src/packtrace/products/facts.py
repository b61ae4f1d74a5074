"""What the products feature publishes (``kit.facts``): the reporting outbox sends the markets' master
data of a product registered or changed, in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from packtrace.kit.facts import Fact


@dataclass(frozen=True)
class ProductMasterDataChanged(Fact):
    """A product was registered, or a change altered its settings or markets (a save that changed nothing
    publishes nothing)."""

    tenant_id: int
    product_code: str
    markets: tuple[str, ...]  # the markets it is registered for, after the change
    created: bool
    at: datetime
