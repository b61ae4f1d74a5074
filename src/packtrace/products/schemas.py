"""Bodies of the management API for products."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from packtrace.audit.schemas import Reason
from packtrace.kit.validation import NoNul

MarketCode = Literal["EU", "US", "CHN", "IDN"]
Text255 = Annotated[str, StringConstraints(max_length=255), NoNul]
SERIAL_ALPHABET_HELP = "the characters serials are made of (GS1 character set 82, each once)"
POOL_THRESHOLD_HELP = (
    "replenishment: a draw that leaves fewer Available serials than this makes pool_refill_size more "
    "(0-10,000,000; 0 turns replenishment off)"
)
POOL_REFILL_SIZE_HELP = (
    "serials made per replenishment (0-1,000,000; above 0 while pool_threshold is), within the EU rule's "
    "maximum for the serial format"
)


Text100 = Annotated[str, StringConstraints(max_length=100), NoNul]
Text64 = Annotated[str, StringConstraints(max_length=64), NoNul]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


class RegulatoryFields(BaseModel):
    """Regulatory master data the markets' reports carry; all optional. On update a field left out (or
    null) stays as it is; an empty text, ``pack_size`` 0 or an empty ``target_markets`` clears it."""

    model_config = ConfigDict(extra="forbid", strict=True)

    common_name: Text255 | None = Field(default=None, description="EU: common name (INN)")
    pharmaceutical_form: Text100 | None = Field(default=None, description="EU: pharmaceutical form")
    dosage_form: Text100 | None = Field(default=None, description="US: dosage form (DSCSA master data)")
    strength: Text100 | None = Field(default=None, description="e.g. 100 mg")
    pack_type: Text100 | None = Field(default=None, description="EU: pack type, e.g. blister")
    pack_size: int | None = Field(default=None, description="units in the pack, 1-1,000,000 (0 clears it)")
    mah_name: Text255 | None = Field(default=None, description="marketing authorisation holder's name")
    mah_id: Text64 | None = Field(default=None, description="marketing authorisation holder's id, if any")
    target_markets: list[CountryCode] | None = Field(
        default=None, max_length=60, description="EU: countries the pack is for (ISO 3166 alpha-2)"
    )
    ndc: Text64 | None = Field(
        default=None,
        description="US: National Drug Code, 4-4-2, 5-3-2, 5-4-1 or 5-4-2 with hyphens; the one a GTIN "
        "derived from an NDC carries",
    )
    nie: Text64 | None = Field(default=None, description="IDN: BPOM registration number (NIE)")


class ProductCreate(RegulatoryFields):
    model_config = ConfigDict(extra="forbid", strict=True)

    product_code: Annotated[str, StringConstraints(min_length=1, max_length=255)] = Field(
        description="GTIN-8, -12, -13 or -14 with a valid check digit; stored as GTIN-14"
    )
    product_code_schema: Literal["GTIN"]
    name: Text255
    alias: Text255 | None = None
    markets: list[MarketCode] | None = Field(default=None, description="markets the product code is registered for")
    company_prefix_length: int = Field(description="length of the GS1 company prefix in the code (6-12)")
    serial_length: int | None = Field(default=None, description="1-20 characters; default 12")
    serial_alphabet: str | None = Field(default=None, description=f"{SERIAL_ALPHABET_HELP}; default 0-9 and A-Z")
    pool_threshold: int | None = Field(default=None, description=f"{POOL_THRESHOLD_HELP}; default 0")
    pool_refill_size: int | None = Field(default=None, description=f"{POOL_REFILL_SIZE_HELP}; default 0")
    reason: Reason = None


class ProductUpdate(RegulatoryFields):
    """Fields left out (or null) stay as they are; an empty ``alias`` clears it. New serial settings apply
    only to serials made from now on."""

    model_config = ConfigDict(extra="forbid", strict=True)

    product_code: str | None = Field(default=None, description="cannot change: refused if sent")
    name: Text255 | None = None
    alias: Text255 | None = None
    markets: list[MarketCode] | None = Field(
        default=None, description="the complete new list; a market unfinished orders are for cannot be dropped"
    )
    company_prefix_length: int | None = None
    serial_length: int | None = None
    serial_alphabet: str | None = Field(default=None, description=SERIAL_ALPHABET_HELP)
    pool_threshold: int | None = Field(default=None, description=POOL_THRESHOLD_HELP)
    pool_refill_size: int | None = Field(default=None, description=POOL_REFILL_SIZE_HELP)
    reason: Reason = None

    @field_validator("product_code")
    @classmethod
    def _code_is_identity(cls, value: str | None) -> str | None:
        if value is not None:
            raise ValueError("a product's code cannot change; register a new product instead")
        return value


class ProductRead(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_code: str
    product_code_schema: str
    name: str
    alias: str | None
    markets: list[str]
    company_prefix_length: int
    serial_length: int
    serial_alphabet: str
    serial_count: int = Field(description="serial numbers ever made for this code")
    pool_threshold: int = Field(description=POOL_THRESHOLD_HELP)
    pool_refill_size: int = Field(description=POOL_REFILL_SIZE_HELP)
    common_name: str | None
    pharmaceutical_form: str | None
    dosage_form: str | None
    strength: str | None
    pack_type: str | None
    pack_size: int | None
    mah_name: str | None
    mah_id: str | None
    target_markets: list[str]
    ndc: str | None
    nie: str | None
    created_at: datetime
    updated_at: datetime
