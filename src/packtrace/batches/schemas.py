"""Bodies of the management API for batch recalls."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from packtrace.kit.validation import NoNul


class RecallCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    product_code: Annotated[str, StringConstraints(min_length=1, max_length=255), NoNul]
    batch: Annotated[str, StringConstraints(min_length=1, max_length=20), NoNul] = Field(
        description="the batch (lot); in the body because a batch may contain `/`"
    )
    kind: Literal["recall", "withdrawal"]
    reason: Annotated[str, StringConstraints(min_length=1, max_length=1000), NoNul] = Field(
        description="why: recorded with the recall and in the audit trail"
    )


class RecallRead(BaseModel):
    product_code: str
    batch: str
    kind: str
    reason: str
    actor: str
    created_at: datetime


class RecallPage(BaseModel):
    recalls: list[RecallRead]
    next_cursor: str | None
