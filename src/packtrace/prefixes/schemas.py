"""Bodies of the management API for GS1 company prefixes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from packtrace.kit.validation import NoNul


class CompanyPrefixCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    prefix: Annotated[str, StringConstraints(min_length=6, max_length=12, pattern=r"^[0-9]+$")] = Field(
        description="the GS1 company prefix, 6 to 12 digits", examples=["1234512"]
    )
    partner: Annotated[str, StringConstraints(min_length=1, max_length=255), NoNul] | None = Field(
        default=None,
        description="left out for the tenant's own prefix (products and SSCCs); the owner's name for a "
        "partner's prefix (a marketing authorisation holder a contract packer packs for: products only)",
    )


class CompanyPrefixRead(BaseModel):
    prefix: str
    partner: str | None
    own: bool = Field(description="whether the prefix is the tenant's own (SSCCs may be made under it)")
    created_at: datetime
