from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from packtrace.models.base import Base, BigId, TenantScoped, Timestamped, utcnow


class Container(TenantScoped, Timestamped, Base):
    """An SSCC in the tenant's pool (Available -> Assigned) and, once it holds something, the case or
    pallet it identifies. ``parent_id`` is the container it is packed in (a case on a pallet)."""

    __tablename__ = "containers"
    __table_args__ = (
        UniqueConstraint("tenant_id", "sscc"),
        Index("ix_containers_parent", "tenant_id", "parent_id"),
        Index("ix_containers_pool", "tenant_id", "status", "id"),
        Index(
            "ix_containers_shipment",
            "tenant_id",
            "shipment_pk",
            postgresql_where=text("shipment_pk IS NOT NULL"),
            sqlite_where=text("shipment_pk IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sscc: Mapped[str] = mapped_column(String(18))
    status: Mapped[str] = mapped_column(String(16))  # SsccStatus
    source: Mapped[str] = mapped_column(String(16))  # SerialSource: internal or external
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("containers.id", ondelete="RESTRICT"))
    shipment_pk: Mapped[int | None]  # the shipment (shipments.id) it left in; None while at the site
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ContainerEvent(TenantScoped, Base):
    """One entry of an SSCC's history. Append-only."""

    __tablename__ = "container_events"
    __table_args__ = (Index("ix_container_events_container", "tenant_id", "container_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    container_id: Mapped[int] = mapped_column(ForeignKey("containers.id", ondelete="RESTRICT"))
    event: Mapped[str] = mapped_column(String(32))  # ContainerEventType
    detail: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(default=utcnow)
