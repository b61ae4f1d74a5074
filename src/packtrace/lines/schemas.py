"""Bodies of the management API for packaging lines."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from packtrace.audit.schemas import Reason
from packtrace.kit.validation import Identifier, NoNul

LineName = Annotated[str, StringConstraints(max_length=255), NoNul]
# A tag as a path parameter: any text, percent-encoded.
LineTag = Annotated[str, NoNul]


class LineCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    tag: Identifier = Field(
        description="the line's identity in the Manufacturer V2 API (packaging_line_tag); it never changes"
    )
    name: LineName = ""
    reason: Reason = None


# Checked in full (check digit, GS1 set 82) by the service, which names the field and the rule.
Gln = Annotated[str, StringConstraints(max_length=13), NoNul]
GlnExtension = Annotated[str, StringConstraints(max_length=20), NoNul]
Offset = Annotated[str, StringConstraints(max_length=6), NoNul]
GLN_HELP = "GLN-13 with a valid check digit; an empty string removes the GLN and its extension"
EXTENSION_HELP = "GLN extension (GS1 AI 254): 1 to 20 characters of GS1 set 82"


class LineUpdate(BaseModel):
    """Fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: LineName | None = None
    gln: Gln | None = Field(default=None, description=GLN_HELP + " (the readPoint of the line's EPCIS events)")
    gln_extension: GlnExtension | None = Field(default=None, description=EXTENSION_HELP)
    reason: Reason = None


class LineRead(BaseModel):
    tag: str
    name: str
    gln: str | None = None
    gln_extension: str | None = None
    created_at: datetime


class SiteRead(BaseModel):
    gln: str | None = Field(description="the site's GLN: the bizLocation of its EPCIS events")
    gln_extension: str | None
    time_zone_offset: str = Field(description="eventTimeZoneOffset of the site's EPCIS events, +HH:MM or -HH:MM")


class SiteUpdate(BaseModel):
    """Fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid", strict=True)

    gln: Gln | None = Field(default=None, description=GLN_HELP + " (the bizLocation of the site's EPCIS events)")
    gln_extension: GlnExtension | None = Field(default=None, description=EXTENSION_HELP)
    time_zone_offset: Offset | None = Field(default=None, description="+HH:MM or -HH:MM, from -12:00 to +14:00")
    reason: Reason = None
