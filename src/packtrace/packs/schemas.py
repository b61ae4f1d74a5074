"""Bodies of the pack requests of the Manufacturer V2 API: commissioning, decommissioning, history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from packtrace.kit.validation import NoNul
from packtrace.packs.service import MAX_SERIALS

Text255 = Annotated[str, StringConstraints(min_length=1, max_length=255), NoNul]
YYMMDD = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
# Each serial is checked by the service (1-20 characters of GS1 set 82), which names every bad one in one
# answer; a per-item schema rule would answer with one detail per item instead.
Serials = Annotated[
    list[str],
    Field(min_length=1, max_length=MAX_SERIALS, description=f"1 to {MAX_SERIALS:,} distinct serials (GS1 AI 21)"),
]


class CommissionRequest(BaseModel):
    """``POST serials/commission``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    product_code: Text255
    product_code_schema: Literal["GTIN"]
    batch: Text255 = Field(description="as printed: 1-20 characters of GS1 character set 82 (AI 10)")
    expiry_date: YYMMDD = Field(description="YYMMDD as printed; day 00 = last day of the month")
    manufacturing_date: YYMMDD | None = Field(default=None, description="YYMMDD (AI 11)")
    order_id: Text255 | None = Field(
        default=None, description="the packaging order (In progress) whose serials these are"
    )
    serials: Serials


class CommissionResult(BaseModel):
    product_code: str
    batch: str
    expiry_date: str
    manufacturing_date: str | None
    order_id: str | None
    commissioned: int = Field(description="packs made Active by this request")
    joined_pool: int = Field(description="of them, external serials that joined the pool (Assigned, external)")
    already_active: list[str] = Field(
        description="serials produced before with the same data (a retry): left as they were"
    )


class DecommissionRequest(BaseModel):
    """``POST serials/decommission``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    product_code: Text255
    product_code_schema: Literal["GTIN"] = "GTIN"
    serials: Serials
    reason: Literal["Destroyed", "Sampled", "Stolen", "Damaged", "Other"]
    comment: Annotated[str, StringConstraints(max_length=1000), NoNul] | None = Field(
        default=None, description="required when the reason is Other"
    )


class DecommissionResult(BaseModel):
    product_code: str
    reason: str
    decommissioned: int = Field(description="packs made Decommissioned by this request")
    already_decommissioned: list[str] = Field(
        description="serials decommissioned before with the same reason (a retry): left as they were"
    )
    removed_from_containers: int = Field(description="of them, packs taken out of their case or pallet")


class ParentRead(BaseModel):
    type: Literal["container", "pack"]
    sscc: str | None = Field(default=None, description="for a container")
    product_code: str | None = Field(default=None, description="for a pack")
    serial: str | None = Field(default=None, description="for a pack")


class HistoryEntryRead(BaseModel):
    at: datetime | None = Field(description="null for the current status, which has no stored time")
    event: str
    detail: str | None
    actor: str | None


class SummaryRead(BaseModel):
    product_code: str
    serial: str
    pool_status: str = Field(description="Available, Assigned, or Unknown (not in the pool)")
    pack_status: str = Field(description="Unknown (never produced), Active, Commissioned or Decommissioned")
    decommission_reason: str | None
    batch: str | None
    expiry_date: str | None
    order_id: str | None
    parent: ParentRead | None


class ChildRead(BaseModel):
    product_code: str
    serial: str
    pack_status: str
    child_count: int


class PackHistoryRead(BaseModel):
    summary: SummaryRead
    pool_history: list[HistoryEntryRead] = Field(
        description="derived from what the pool stores: entry into the pool, the order and its status history, "
        "the current status"
    )
    pack_history: list[HistoryEntryRead]
    children: list[ChildRead] = Field(description="packs inside this pack, with their own child counts")
