"""Bodies of the shipment requests of the Manufacturer V2 API, in the spec's style (snake_case)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from packtrace.aggregation.schemas import Sscc, TradeItem
from packtrace.kit.validation import NoNul

MAX_LISTED = 10_000
ShipmentId = Annotated[str, StringConstraints(min_length=1, max_length=64), NoNul]
Reference = Annotated[str, StringConstraints(min_length=1, max_length=64), NoNul]
Party = Annotated[str, StringConstraints(min_length=1, max_length=300), NoNul]


class ShipmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    shipment_id: ShipmentId = Field(description="your reference of the shipment; used once")
    ship_to: Party = Field(
        description="a registered partner location, as its SGLN: https://id.gs1.org/414/{gln}[/254/{extension}]",
        examples=["https://id.gs1.org/414/4012345000009/254/dock-1"],
    )
    sold_to: Party | None = Field(default=None, description="a registered partner's GLN, or one of its locations")
    po_number: Reference | None = Field(default=None, description="the purchase order (bizTransaction po)")
    despatch_advice: Reference | None = Field(default=None, description="the despatch advice (bizTransaction desadv)")
    ssccs: Annotated[list[Sscc], Field(max_length=MAX_LISTED)] = Field(default_factory=list)
    trade_items: Annotated[list[TradeItem], Field(max_length=MAX_LISTED)] = Field(default_factory=list)


class PartyRead(BaseModel):
    name: str
    gln: str
    sgln: str | None = Field(description="the location, when one is named")
    location_name: str | None


class ShipmentRead(BaseModel):
    shipment_id: str
    status: str = Field(description="Shipped, or Voided")
    ship_to: PartyRead
    sold_to: PartyRead | None
    po_number: str | None
    despatch_advice: str | None
    ssccs: list[str]
    trade_items: list[TradeItem]
    pack_count: int = Field(
        description="packs in the shipment, nested ones included (a void answers with those it freed)"
    )
    container_count: int = Field(description="containers in the shipment, nested ones included (as pack_count)")
    created_at: datetime
    voided_at: datetime | None
