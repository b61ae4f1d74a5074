"""Bodies of the management API for trading partners."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from packtrace.audit.schemas import Reason
from packtrace.kit.validation import NoNul

Text255 = Annotated[str, StringConstraints(min_length=1, max_length=255), NoNul]
Address = Annotated[str, StringConstraints(max_length=1000), NoNul]
SGLN_HELP = (
    "the location as a GS1 Digital Link URI: https://id.gs1.org/414/{gln} or "
    "https://id.gs1.org/414/{gln}/254/{extension} (GLN with a valid check digit; extension 1-20 characters "
    "of GS1 character set 82)"
)
SglnText = Annotated[str, StringConstraints(min_length=1, max_length=300), NoNul]
Gln = Annotated[str, StringConstraints(min_length=1, max_length=13), NoNul]
License = Annotated[str, StringConstraints(max_length=64), NoNul]


class LocationBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    sgln: SglnText = Field(description=SGLN_HELP, examples=["https://id.gs1.org/414/4012345000009/254/dock-1"])
    name: Text255
    address: Address = ""


class PartnerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: Text255
    gln: Gln = Field(description="the partner's GLN: 13 digits with a valid check digit", examples=["4012345000009"])
    locations: list[LocationBody] = Field(default_factory=list, max_length=200)
    us_state_license: License | None = Field(default=None, description="a US partner's state licence number")
    reason: Reason = None


class PartnerUpdate(BaseModel):
    """Fields left out stay as they are; ``locations`` is the complete new list (a location a shipment
    went to cannot be dropped); an empty ``us_state_license`` clears it."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: Text255 | None = None
    locations: list[LocationBody] | None = Field(default=None, max_length=200)
    us_state_license: License | None = None
    reason: Reason = None


class LocationRead(BaseModel):
    sgln: str = Field(description="GS1 Digital Link URI of the location")
    gln: str
    extension: str | None
    name: str
    address: str


class PartnerRead(BaseModel):
    name: str
    gln: str
    us_state_license: str | None
    locations: list[LocationRead]
    created_at: datetime
    updated_at: datetime


class PartnerPage(BaseModel):
    partners: list[PartnerRead]
    next_cursor: str | None
