"""The EPCIS event log: append-only, one row per event, its EPCs in a narrow index table.

An event of 100,000 EPCs is one row whose JSON document holds the EPC list (so reading it back is one
read), and 100,000 narrow ``epcis_event_epcs`` rows written set-based, so that ``MATCH_epc`` finds it
by index. Neither table is ever updated or deleted from: triggers refuse it on both databases (migration
0007), whoever asks.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from packtrace.models.base import Base, BigId


class EpcisEvent(Base):
    __tablename__ = "epcis_events"
    __table_args__ = (
        UniqueConstraint("tenant_id", "event_id"),
        Index("ix_epcis_events_tenant_time", "tenant_id", "event_time"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int]
    # The CBV 2.0 event hash (ni:///sha-256;...?ver=CBV2.0): also how duplicates are recognised.
    event_id: Mapped[str] = mapped_column(String(100))
    event_type: Mapped[str] = mapped_column(String(32))
    action: Mapped[str | None] = mapped_column(String(8))
    biz_step: Mapped[str | None] = mapped_column(String(255))
    disposition: Mapped[str | None] = mapped_column(String(255))
    biz_location: Mapped[str | None] = mapped_column(String(255))
    event_time: Mapped[datetime]
    record_time: Mapped[datetime]
    epc_count: Mapped[int]
    # The event as JSON-LD, exactly as served (without recordTime, which is the column above).
    document: Mapped[str] = mapped_column(Text)


class EpcisEventEpc(Base):
    """Which events name an EPC: (tenant, epc, event) with the EPC's role, for the MATCH_ queries."""

    __tablename__ = "epcis_event_epcs"
    __table_args__ = ({"sqlite_with_rowid": False},)

    tenant_id: Mapped[int] = mapped_column(primary_key=True)
    epc: Mapped[str] = mapped_column(String(255), primary_key=True)
    event_pk: Mapped[int] = mapped_column(BigId, primary_key=True)
    role: Mapped[str] = mapped_column(String(1))  # EpcRole: e(pcList), c(hildEPCs), p(arentID)


class EpcisCaptureJob(Base):
    """One POST /epcis/capture: its outcome, per event (applied at once; ``running`` is never seen true)."""

    __tablename__ = "epcis_capture_jobs"
    __table_args__ = (UniqueConstraint("tenant_id", "capture_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int]
    capture_id: Mapped[str] = mapped_column(String(40))
    error_behaviour: Mapped[str] = mapped_column(String(8))  # rollback | proceed
    success: Mapped[bool]
    errors: Mapped[str] = mapped_column(Text)  # JSON: the standard's problems, one per refused event
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime]
