"""Bodies of ``POST label_orders/`` and its answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from packtrace.kit.validation import NoNul

MAX_LABELS = 20_000  # one document; reportlab keeps every page of a PDF until it is written

Text255 = Annotated[str, StringConstraints(min_length=1, max_length=255), NoNul]
Serial = Annotated[str, StringConstraints(min_length=1, max_length=20), NoNul]
Sscc = Annotated[str, StringConstraints(min_length=1, max_length=18), NoNul]
SizeMm = Annotated[float, Field(ge=10, le=300)]


class LabelOrderCreate(BaseModel):
    """One of: ``order_id`` (the order's serials; with ``quantity`` its first ones), ``product_code``
    with ``serials`` (those serials), or ``product_code`` with ``quantity`` (drawn from the pool, as a
    printing order does) for the ``pack`` template; ``ssccs`` for the ``case`` template."""

    model_config = ConfigDict(extra="forbid", strict=True)

    template: Literal["pack", "pack_qr", "case", "logistic_a6", "logistic_a5"] = Field(
        default="pack",
        description="pack: GS1 DataMatrix and the human-readable lines (50 x 22 mm); pack_qr: the same "
        "with a GS1 Digital Link QR code on the tenant's resolver beside the DataMatrix (75 x 25 mm); case: the "
        "SSCC as GS1-128 (100 x 60 mm); logistic_a6 / logistic_a5: GS1 logistic label (105 x 148 / 148 x 210 "
        "mm) with the SSCC and, for one GTIN, batch and expiry inside, (02)+(37) and (17)+(10) as GS1-128",
    )
    format: Literal["pdf", "png", "zpl"] = "pdf"
    order_id: Text255 | None = None
    product_code: Text255 | None = None
    product_code_schema: Literal["GTIN"] | None = None
    serials: Annotated[list[Serial], Field(min_length=1, max_length=MAX_LABELS)] | None = None
    quantity: Annotated[int, Field(ge=1, le=MAX_LABELS)] | None = None
    batch: Text255 | None = Field(default=None, description="with product_code: the batch printed (≤ 20 characters)")
    expiry_date: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")] | None = Field(
        default=None, description="with product_code: YYMMDD printed"
    )
    ssccs: Annotated[list[Sscc], Field(min_length=1, max_length=MAX_LABELS)] | None = None
    label_width_mm: SizeMm | None = Field(
        default=None,
        description="with label_height_mm: a custom size; refused where a symbol would fall below "
        "the GS1 minimum X-dimension or bar height",
    )
    label_height_mm: SizeMm | None = Field(default=None, description="with label_width_mm")


class LabelOrderRead(BaseModel):
    id: str
    status: str
    template: str
    format: str
    label_count: int
    source: str
    document_url: str
    created_at: datetime
