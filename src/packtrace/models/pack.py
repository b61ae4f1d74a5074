from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from packtrace.models.base import Base, BigId, Timestamped, utcnow


class Pack(Timestamped, Base):
    """A pack the line produced: a product code and serial with its batch and expiry. Rows are never
    deleted; a pack's serial can never go back to the pool.

    Like ``serial_numbers`` (a line commissions up to 100,000 packs in one call), no foreign keys: tenants,
    products, orders and containers are never deleted while packs refer to them."""

    __tablename__ = "packs"
    __table_args__ = (
        UniqueConstraint("tenant_id", "product_id", "serial"),
        # Led by the batch: with the unique key's leading columns (tenant, product), PostgreSQL without
        # statistics took it for a lookup by serial (migration 0014).
        Index("ix_packs_batch", "batch", "tenant_id", "product_id", "status"),
        Index(
            "ix_packs_container",
            "tenant_id",
            "container_id",
            postgresql_where=text("container_id IS NOT NULL"),
            sqlite_where=text("container_id IS NOT NULL"),
        ),
        Index(
            "ix_packs_parent_pack",
            "tenant_id",
            "parent_pack_id",
            postgresql_where=text("parent_pack_id IS NOT NULL"),
            sqlite_where=text("parent_pack_id IS NOT NULL"),
        ),
        Index(
            "ix_packs_shipment",
            "tenant_id",
            "shipment_pk",
            postgresql_where=text("shipment_pk IS NOT NULL"),
            sqlite_where=text("shipment_pk IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int]
    product_id: Mapped[int]
    serial: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16))  # PackStatus
    batch: Mapped[str] = mapped_column(String(20))
    expiry_date: Mapped[str] = mapped_column(String(6))  # YYMMDD as printed
    manufacturing_date: Mapped[str | None] = mapped_column(String(6))
    order_pk: Mapped[int | None]
    decommission_reason: Mapped[str | None] = mapped_column(String(16))  # DecommissionReason
    comment: Mapped[str | None] = mapped_column(Text)
    container_id: Mapped[int | None]  # the case or pallet (containers.id) it is packed in
    parent_pack_id: Mapped[int | None] = mapped_column(BigId)  # pack-in-pack
    shipment_pk: Mapped[int | None]  # the shipment (shipments.id) it left in; None while at the site
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PackEvent(Base):
    """One entry of a pack's history. Append-only."""

    __tablename__ = "pack_events"
    __table_args__ = (Index("ix_pack_events_pack", "tenant_id", "pack_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int]
    pack_id: Mapped[int] = mapped_column(BigId)
    event: Mapped[str] = mapped_column(String(32))  # PackEventType
    detail: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(default=utcnow)
