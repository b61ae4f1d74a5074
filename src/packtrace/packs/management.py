"""Management API (``/api/``) for packs: commissioning a batch to the market (Support, Administrators),
and commissioning from a CSV file (Administrators: outside master data, Support only reads).

The bodies are here rather than in ``schemas.py``, which holds the Manufacturer V2 API's."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from packtrace.auth.principal import AdminUser, SupportUser
from packtrace.kit.deps import DbSession
from packtrace.kit.envelope import Envelope
from packtrace.kit.errors import ValidationError
from packtrace.kit.validation import NoNul
from packtrace.packs import csv_import
from packtrace.packs.csv_import import ImportResult
from packtrace.packs.service import pack_service

router = APIRouter(tags=["Management: packs"])

CSV_MEDIA_TYPE = "text/csv"


class MarketCommission(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    batch: Annotated[str, StringConstraints(min_length=1, max_length=255), NoNul]
    market: Literal["EU", "US", "CHN", "IDN"] | None = Field(
        default=None, description="recorded in the packs' history; the product must be registered for it"
    )


class MarketCommissionRead(BaseModel):
    product_code: str
    batch: str
    market: str | None
    commissioned: int = Field(description="packs of the batch moved from Active to Commissioned")


class ImportGroupRead(BaseModel):
    product_code: str
    batch: str
    expiry_date: str
    manufacturing_date: str | None
    commissioned: int
    already_active: int
    joined_pool: int


class ImportRead(BaseModel):
    rows: int = Field(description="data rows in the file (blank lines not counted)")
    committed: int = Field(description="packs made Active")
    already_active: int = Field(description="rows produced before with the same data, left as they were")
    failed: int = Field(description="rows not committed")
    groups: list[ImportGroupRead] = Field(description="what was committed, per product, batch and dates")
    failed_csv: str | None = Field(
        description="the failed rows as CSV: the file's columns plus Reason (null when no row failed)"
    )


def import_read(result: ImportResult) -> ImportRead:
    return ImportRead(
        rows=result.rows,
        committed=result.committed,
        already_active=result.already_active,
        failed=len(result.failed),
        groups=[ImportGroupRead(**vars(g)) for g in result.groups],
        failed_csv=result.failed_csv(),
    )


async def csv_file(request: Request) -> bytes:
    """The request body, which must be the CSV file itself (``Content-Type: text/csv``). Read here, in
    the event loop, so that the endpoint can stay synchronous."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != CSV_MEDIA_TYPE:
        raise ValidationError.on_field(
            "Content-Type", f"send the CSV file as the request body with Content-Type: {CSV_MEDIA_TYPE}"
        )
    return await request.body()


@router.post(
    "/products/{code}/market_commission",
    summary="Commission a batch to the market (Support, Administrator)",
)
def market_commission(
    code: str, body: MarketCommission, user: SupportUser, session: DbSession
) -> Envelope[MarketCommissionRead]:
    """Every Active pack of the product's batch becomes Commissioned. Packs Commissioned or Decommissioned
    already are left as they are, so a retry answers 0; a batch with no packs at all is a 404."""
    done = pack_service.market_commission(session, user.tenant_id, code, body.batch, body.market, user.actor)
    data = MarketCommissionRead(
        product_code=done.product.code, batch=done.batch, market=done.market, commissioned=done.commissioned
    )
    return Envelope(message="Batch commissioned to the market", data=data)


@router.post(
    "/commission/import",
    summary="Commission packs from a CSV file (Administrator)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}}},
        }
    },
)
def import_commission_csv(
    user: AdminUser, data: Annotated[bytes, Depends(csv_file)], session: DbSession
) -> Envelope[ImportRead]:
    """The CSV file is the request body (`Content-Type: text/csv`, UTF-8), at most the server's body
    limit: `SerialNumber,GTIN,Batch,ExpirationDate,ManufacturingDate` with a header (ManufacturingDate
    optional), several products allowed.

    Row by row: the good rows are committed, the failed ones are returned inline in `failed_csv` (the
    file's columns plus `Reason`), ready to be saved, corrected and sent again. A file that cannot be
    read (not UTF-8, no header, missing columns) is refused whole (400 on `file`)."""
    result = csv_import.import_csv(session, user.tenant_id, csv_import.decode(data), user.actor)
    message = f"{result.committed:,} packs commissioned, {len(result.failed):,} rows failed"
    return Envelope(message=message, data=import_read(result))
