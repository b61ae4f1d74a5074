from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from packtrace.models.base import Base, TenantScoped, Timestamped, utcnow


class Shipment(TenantScoped, Timestamped, Base):
    """A shipment: what left for which partner location. Its packs and containers point to it
    (``shipment_pk``) until it is voided. Kept once voided, so its id is never reused."""

    __tablename__ = "shipments"
    __table_args__ = (UniqueConstraint("tenant_id", "shipment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # ShipmentStatus
    ship_to_id: Mapped[int] = mapped_column(ForeignKey("partner_locations.id", ondelete="RESTRICT"), index=True)
    sold_to_partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("trading_partners.id", ondelete="RESTRICT"), index=True
    )
    sold_to_location_id: Mapped[int | None] = mapped_column(ForeignKey("partner_locations.id", ondelete="RESTRICT"))
    po_number: Mapped[str | None] = mapped_column(String(64))
    despatch_advice: Mapped[str | None] = mapped_column(String(64))
    # What was listed, as JSON arrays: the SSCCs and the [product code, serial] of loose packs.
    ssccs: Mapped[str] = mapped_column(Text)
    trade_items: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(255))
    voided_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class BatchRecall(TenantScoped, Timestamped, Base):
    """A batch recalled or withdrawn: irreversible, its packs are never commissioned, aggregated or
    shipped again."""

    __tablename__ = "batch_recalls"
    __table_args__ = (
        UniqueConstraint("tenant_id", "product_id", "batch"),
        Index("ix_batch_recalls_listing", "tenant_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"), index=True)
    batch: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(16))  # RecallKind
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(255))
