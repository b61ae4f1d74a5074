"""The reporting outbox: each report to a market or trading partner, written in the same transaction as
the fact that causes it, then delivered by a worker.

A report's document is stored as sent (bytes with its media type): what the receiver got can always be
shown again, even after the facts it was built from have moved on. ``stream`` orders reports that must
arrive in sequence (a product's master data, a batch, a shipment): a worker delivers a stream's reports in
``id`` order and a Rejected one holds the later ones of its stream.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from packtrace.models.base import Base, BigId, TenantScoped, Timestamped


class Report(TenantScoped, Timestamped, Base):
    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("idempotency_key"),
        Index("ix_reports_due", "state", "next_attempt_at"),
        Index("ix_reports_stream", "tenant_id", "market", "stream", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    market: Mapped[str] = mapped_column(String(8))  # Market, or a partner's market code
    kind: Mapped[str] = mapped_column(String(40))  # ReportKind, e.g. "eu.batch_upload"
    stream: Mapped[str] = mapped_column(String(255))  # reports of one stream are delivered in id order
    subject: Mapped[str] = mapped_column(String(255))  # what it is about, for people ("batch B1 of ...")
    state: Mapped[str] = mapped_column(String(16))  # ReportState
    media_type: Mapped[str] = mapped_column(String(100))
    document: Mapped[bytes] = mapped_column(LargeBinary)
    document_size: Mapped[int]
    # Sent with every delivery attempt, so that a receiver that got it already can tell.
    idempotency_key: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]
    # A worker's claim (SQLite has no SKIP LOCKED): who holds the report and until when.
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]


class ReportAttempt(TenantScoped, Base):
    """One delivery attempt of a report and the receiver's answer. Append-only."""

    __tablename__ = "report_attempts"
    __table_args__ = (Index("ix_report_attempts_report", "report_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    report_id: Mapped[int] = mapped_column(BigId, ForeignKey("reports.id", ondelete="RESTRICT"))
    at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(16))  # the ReportState it led to, or "retry"
    http_status: Mapped[int | None]
    answer: Mapped[str | None] = mapped_column(Text)  # the receiver's message (truncated), or the error
