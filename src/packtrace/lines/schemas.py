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


class LineUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: LineName
    reason: Reason = None


class LineRead(BaseModel):
    tag: str
    name: str
    created_at: datetime
