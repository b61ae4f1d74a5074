"""Request and response bodies of the packaging-order requests, field for field as the spec has them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from packtrace.kit.validation import Identifier, NoNul

Text255 = Annotated[str, StringConstraints(min_length=1, max_length=255), NoNul]


def _whole(value: object) -> object:
    # JSON has one number type: 10.0 is still ten cartons; 10.5 and "10" stay what they are and fail.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WholeNumber = Annotated[int, BeforeValidator(_whole), Field(ge=0, le=100_000)]
Percentage = Annotated[float, Field(ge=0, le=100)]
ExpiryDate = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


class OrderCreate(BaseModel):
    """``POST packaging_order``. Strict types: "10" is not a number, "true" is not a boolean, and a
    field the spec does not list is refused."""

    model_config = ConfigDict(extra="forbid", strict=True)

    batch: Text255 | None = None
    expiry_date: ExpiryDate | None = Field(default=None, description="YYMMDD; day 00 = last day of the month")
    extra_percentage: Percentage | None = Field(default=None, description="0-100: extra serials over quantity")
    market: Literal["EU", "US", "CHN", "IDN"] | None = None
    order_description: Text255 | None = None
    order_id: Identifier
    packaging_line_tag: Text255 | None = None
    product_code_schema: Literal["GTIN"]
    product_code: Text255
    quantity: WholeNumber | None = Field(default=None, description="0-100000 serial numbers (cartons)")
    serialized: bool | None = Field(default=None, description="true: the order is created with serial numbers")


class OrderUpdate(BaseModel):
    """``PATCH packaging_order``: the fields of create, all optional but ``order_id``; absent (or null)
    fields stay as they are."""

    model_config = ConfigDict(extra="forbid", strict=True)

    order_id: Identifier
    batch: Text255 | None = None
    expiry_date: ExpiryDate | None = None
    extra_percentage: Percentage | None = None
    market: Literal["EU", "US", "CHN", "IDN"] | None = None
    order_description: Text255 | None = None
    packaging_line_tag: Text255 | None = None
    product_code_schema: Literal["GTIN"] | None = None
    product_code: Text255 | None = None
    quantity: WholeNumber | None = None
    serialized: bool | None = None


class AssignSerials(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    order_ids: Annotated[list[Identifier], Field(min_length=1, max_length=1000)]


class ReleaseOrder(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    order_id: Identifier
    packaging_line_tag: Text255 | None = Field(default=None, description="needed when the order has no line")


class StatusUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    order_id: Identifier
    status: Literal["Suspended", "In progress", "Completed"]
    produced_quantity: Annotated[int, BeforeValidator(_whole), Field(ge=0, le=10_000_000)] | None = Field(
        default=None, description="packs produced so far; never decreases"
    )
    comment: Annotated[str, StringConstraints(max_length=1000), NoNul] | None = None


class OrderSerialPage(BaseModel):
    order_id: str
    product_code: str
    serials: list[str]
    next_cursor: str | None


class OrderRead(BaseModel):
    """An order as the API shows it: every field of ``OrderCreate`` plus its status and counts."""

    order_id: str
    order_description: str | None
    product_code: str
    product_code_schema: str
    batch: str | None
    expiry_date: str | None
    quantity: int | None
    extra_percentage: int | float | None
    serialized: bool | None
    packaging_line_tag: str | None
    market: str | None
    status: str
    serial_count: int
    has_serials: bool = Field(
        description="whether the order has serial numbers now (made at create, or assigned later); "
        "`serialized` stays what the ERP sent"
    )
    produced_quantity: int = Field(description="packs the line reported; at most one per serial (or quantity + extra)")
    expiry_on: str | None = Field(description="expiry_date as a real date (ISO 8601), day 00 resolved")
    created_at: datetime
    updated_at: datetime


class OrderEventRead(BaseModel):
    status: str
    at: datetime
    actor: str
    comment: str | None


class OrderDetails(OrderRead):
    serials_assigned: int
    history: list[OrderEventRead]


class OrderPage(BaseModel):
    orders: list[OrderRead]
    next_cursor: str | None
