"""Bodies of the management API for market profiles."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from packtrace.audit.schemas import Reason
from packtrace.kit.validation import NoNul

MarketCode = Literal["EU", "US", "CHN", "IDN"]


class MarketCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    market: MarketCode
    name: Annotated[str, StringConstraints(max_length=255), NoNul] = ""
    reason: Reason = None


class MarketRead(BaseModel):
    market: str
    name: str
    created_at: datetime
