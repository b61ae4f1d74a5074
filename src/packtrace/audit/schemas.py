"""Bodies of the audit trail's API, and the ``reason`` a change to master data or credentials may carry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, Field, StringConstraints

from packtrace.kit.validation import NoNul

REASON_MAX = 1000
REASON_HELP = "why the change is made (EU GMP Annex 11): recorded with it in the audit trail"

Reason = Annotated[
    Annotated[str, StringConstraints(max_length=REASON_MAX), NoNul] | None,
    Field(description=f"{REASON_HELP}; at most {REASON_MAX} characters"),
]


class AuditRecordRead(BaseModel):
    sequence: int = Field(description="the record's place in the tenant's chain: 1, 2, 3...")
    recorded_at: datetime
    actor: str = Field(description="user:<e-mail>, api_key:<name> channel:<name>, cli:<account> or system")
    entity: str
    entity_id: str
    action: str
    changes: dict[str, Any] = Field(description='{"field": {"old": ..., "new": ...}}; a secret: {"changed": true}')
    reason: str | None
    previous_hash: str
    hash: str


class AuditPageRead(BaseModel):
    records: list[AuditRecordRead]
    next_before: int | None = Field(description="pass as `before` for the next (older) page; null on the last page")


# For a change without a body (a DELETE, a token's generation): the reason as a query parameter.
ReasonQuery = Annotated[
    str | None, Query(max_length=REASON_MAX, description=f"{REASON_HELP}; at most {REASON_MAX} characters"), NoNul
]
