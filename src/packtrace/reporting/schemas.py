"""Bodies of the management API for the reporting outbox."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from packtrace.audit.schemas import Reason


class ReportRead(BaseModel):
    id: int
    market: str
    kind: str
    stream: str
    subject: str
    state: str
    media_type: str
    document_size: int
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    sent_at: datetime | None
    answered_at: datetime | None
    created_at: datetime
    updated_at: datetime | None


class AttemptRead(BaseModel):
    at: datetime
    # Acknowledged, Rejected, "retry" (failed, tried again later) or "expired" (the worker stopped mid-way)
    outcome: str
    http_status: int | None
    answer: str | None


class ReportDetail(ReportRead):
    idempotency_key: str
    attempt_log: list[AttemptRead]


class ReportPage(BaseModel):
    reports: list[ReportRead]
    next_cursor: str | None


class ReportAction(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    reason: Reason = None
