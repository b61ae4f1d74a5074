"""Bodies of the management API for market profiles."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from packtrace.audit.schemas import Reason
from packtrace.kit.validation import NoNul

MarketCode = Literal["EU", "US", "CHN", "IDN"]


class MarketCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    market: MarketCode
    name: Annotated[str, StringConstraints(max_length=255), NoNul] = ""
    reason: Reason = None


class HttpDestination(BaseModel):
    """POST each report to ``url``; ``auth_header`` ("Name: value") goes with every request."""

    model_config = ConfigDict(extra="forbid", strict=True)

    kind: Literal["http"]
    url: Annotated[str, StringConstraints(min_length=1, max_length=2048), NoNul]
    auth_header: Annotated[str, StringConstraints(max_length=4096), NoNul] | None = None


class FolderDestination(BaseModel):
    """Write each report as a file into ``path``, a folder under the server's PACKTRACE_REPORT_DIR."""

    model_config = ConfigDict(extra="forbid", strict=True)

    kind: Literal["folder"]
    path: Annotated[str, StringConstraints(min_length=1, max_length=255), NoNul]


Destination = Annotated[HttpDestination | FolderDestination, Field(discriminator="kind")]


class MarketUpdate(BaseModel):
    """Only the fields sent change; ``"destination": null`` removes the destination (reports then wait,
    Pending, for one)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: Annotated[str, StringConstraints(max_length=255), NoNul] | None = None
    destination: Destination | None = None
    reason: Reason = None


class DestinationRead(BaseModel):
    kind: str
    url: str | None = None
    path: str | None = None
    # "set" when an auth header is stored; the header itself is never shown back.
    auth_header: str | None = None


class MarketRead(BaseModel):
    market: str
    name: str
    destination: DestinationRead | None = None
    created_at: datetime
